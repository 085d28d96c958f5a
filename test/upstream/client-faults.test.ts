import t from 'tap'
import { createServer } from 'node:net'
import { DEMO, ms, simulator, testClient } from './fixtures/upstream.js'

const TASKS = { page: 0, days: 30 }

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

t.test('429 with Retry-After: waits as told, then succeeds', async (t) => {
  const sim = await simulator(t)
  const { client, events } = testClient(sim.url)
  await client.login(DEMO)
  sim.inject({ kind: 'status', status: 429, retryAfterS: 1, route: 'tasks' })
  const started = performance.now()
  const page = await client.tasks(DEMO, TASKS)
  const elapsed = ms(started)
  t.equal(page.number, 0)
  t.ok(elapsed >= 990 && elapsed < 1900, `waited ${elapsed.toFixed(0)} ms for Retry-After: 1`)
  t.equal(sim.stats().tasks, 2)
  t.match(events.at(-1), { route: 'tasks', outcome: 'ok', retries: 1 })
})

t.test('429 until the retries run out: UPSTREAM_RATE_LIMITED carrying Retry-After', async (t) => {
  const sim = await simulator(t)
  const { client, events } = testClient(sim.url, { retry: { limit: 2 } })
  sim.inject({ kind: 'status', status: 429, retryAfterS: 0, count: 5, route: 'tasks' })
  await t.rejects(client.tasks(DEMO, TASKS), {
    code: 'UPSTREAM_RATE_LIMITED',
    statusCode: 503,
    retryAfterS: 0,
    message: 'BotCity Insights is rate limiting the bridge (HTTP 429 on GET /api/v1/insights/tasks): Simulated fault'
  })
  t.equal(sim.stats().tasks, 3, 'first attempt and 2 retries')
  t.match(events.at(-1), { outcome: 'UPSTREAM_RATE_LIMITED', retries: 2 })
})

t.test('a Retry-After beyond the cap fails at once instead of waiting', async (t) => {
  const sim = await simulator(t)
  const { client } = testClient(sim.url, { retry: { maxRetryAfterMs: 500 } })
  await client.login(DEMO)
  sim.inject({ kind: 'status', status: 503, retryAfterS: 1, route: 'runners' })
  const started = performance.now()
  await t.rejects(client.runners(DEMO), { code: 'UPSTREAM_UNAVAILABLE', retryAfterS: 1 })
  t.ok(ms(started) < 500, `failed after ${ms(started).toFixed(0)} ms`)
  t.equal(sim.stats().runners, 1)
})

t.test('a burst of 500s is retried with backoff, then succeeds', async (t) => {
  const sim = await simulator(t)
  const { client, events } = testClient(sim.url)
  sim.inject({ kind: 'status', status: 500, count: 3, route: 'automation' })
  const page = await client.automations(DEMO, { page: 0 })
  t.equal(page.number, 0)
  t.equal(sim.stats().automation, 4)
  t.match(events.at(-1), { outcome: 'ok', retries: 3 })
})

t.test('errors beyond the retry limit keep their code and the upstream message', async (t) => {
  const sim = await simulator(t)
  const { client } = testClient(sim.url)
  await client.login(DEMO)
  const cases: [number, string][] = [[500, 'UPSTREAM_ERROR'], [502, 'UPSTREAM_UNAVAILABLE'], [503, 'UPSTREAM_UNAVAILABLE'], [504, 'UPSTREAM_UNAVAILABLE']]
  for (const [status, code] of cases) {
    sim.resetStats()
    sim.inject({ kind: 'status', status, count: 4, route: 'tasks' })
    await t.rejects(client.tasks(DEMO, TASKS), { code, message: new RegExp(`HTTP ${status} on GET /api/v1/insights/tasks\\): Simulated fault$`) })
    t.equal(sim.stats().tasks, 4, `${status}: default limit of 3 retries`)
  }
  sim.resetStats()
  sim.inject({ kind: 'status', status: 404, count: 4, route: 'tasks' })
  await t.rejects(client.tasks(DEMO, TASKS), { code: 'UPSTREAM_ERROR' })
  t.equal(sim.stats().tasks, 1, 'a 404 is not retried')
})

t.test('a login that meets a 503 is retried too', async (t) => {
  const sim = await simulator(t)
  const { client } = testClient(sim.url)
  sim.inject({ kind: 'status', status: 503, route: 'login' })
  t.equal((await client.login(DEMO)).organization, DEMO.login)
  t.equal(sim.stats().login, 2)
})

t.test('a slow upstream: one more try after a timeout, then UPSTREAM_TIMEOUT', async (t) => {
  const sim = await simulator(t)
  const { client, events } = testClient(sim.url, { timeoutMs: 100 })
  await client.login(DEMO)
  sim.inject({ kind: 'slow', delayMs: 1000, route: 'tasks', count: 2 })
  const started = performance.now()
  await t.rejects(client.tasks(DEMO, TASKS), {
    code: 'UPSTREAM_TIMEOUT',
    statusCode: 504,
    message: 'BotCity Insights did not answer GET /api/v1/insights/tasks within 100 ms.'
  })
  const elapsed = ms(started)
  t.ok(elapsed >= 195 && elapsed < 900, `gave up after ${elapsed.toFixed(0)} ms: two attempts`)
  t.equal(sim.stats().tasks, 2)
  t.match(events.at(-1), { outcome: 'UPSTREAM_TIMEOUT' })
  sim.resetStats()
  sim.inject({ kind: 'slow', delayMs: 1000, route: 'tasks', count: 1 })
  const page = await client.tasks(DEMO, TASKS)
  t.ok(page.content.length > 0, 'a single slow answer is absorbed by the second try')
  t.equal(sim.stats().tasks, 2)
})

t.test('a caller\'s abort ends the call with the caller\'s reason; its deadline is a timeout', async (t) => {
  const sim = await simulator(t)
  const { client, events } = testClient(sim.url)
  await client.login(DEMO)
  sim.inject({ kind: 'slow', delayMs: 2000, route: 'tasks', count: 2 })
  const controller = new AbortController()
  setTimeout(() => controller.abort(), 50)
  await t.rejects(client.tasks(DEMO, { ...TASKS, signal: controller.signal }), { name: 'AbortError' })
  t.equal(events.at(-1)?.outcome, 'aborted')
  await t.rejects(client.tasks(DEMO, { ...TASKS, signal: AbortSignal.timeout(50) }), { code: 'UPSTREAM_TIMEOUT' })
})

t.test('a connection reset is retried; reset after reset is UPSTREAM_UNREACHABLE', async (t) => {
  const sim = await simulator(t)
  const { client, events } = testClient(sim.url, { retry: { limit: 2 } })
  await client.login(DEMO)
  sim.inject({ kind: 'reset', route: 'tasks' })
  t.equal((await client.tasks(DEMO, TASKS)).number, 0)
  t.match(events.at(-1), { outcome: 'ok', retries: 1 })
  sim.inject({ kind: 'reset', route: 'tasks', count: 3 })
  await t.rejects(client.tasks(DEMO, TASKS), {
    code: 'UPSTREAM_UNREACHABLE',
    message: /^BotCity Insights could not be reached for GET \/api\/v1\/insights\/tasks \((ECONNRESET|UND_ERR_SOCKET)\)\.$/
  })
  t.equal(sim.stats().tasks, 2 + 3)
})

t.test('a malformed body: UPSTREAM_BAD_RESPONSE, not retried', async (t) => {
  const sim = await simulator(t)
  const { client } = testClient(sim.url)
  await client.login(DEMO)
  sim.inject({ kind: 'malformed', route: 'tasks' })
  await t.rejects(client.tasks(DEMO, TASKS), {
    code: 'UPSTREAM_BAD_RESPONSE',
    message: /^BotCity Insights answered GET \/api\/v1\/insights\/tasks with a body that is not JSON \(\d+ bytes\)\.$/
  })
  t.equal(sim.stats().tasks, 1)
  sim.inject({ kind: 'malformed', route: 'login' })
  client.invalidate(DEMO)
  await t.rejects(client.runners(DEMO), { code: 'UPSTREAM_BAD_RESPONSE', message: /POST \/api\/v2\/workspace\/login/ })
})

t.test('nobody listening: UPSTREAM_UNREACHABLE after the retries', async (t) => {
  const port = await freePort()
  const { client, events } = testClient(`http://127.0.0.1:${port}`, { retry: { limit: 2 } })
  await t.rejects(client.tasks(DEMO, TASKS), {
    code: 'UPSTREAM_UNREACHABLE',
    statusCode: 502,
    message: 'BotCity Insights could not be reached for POST /api/v2/workspace/login (ECONNREFUSED).'
  })
  await t.rejects(client.version(), { code: 'UPSTREAM_UNREACHABLE', message: /GET \/api\/v2\/maestro\/version \(ECONNREFUSED\)/ })
  t.match(events, [{ route: 'login', retries: 2 }, { route: 'tasks', outcome: 'UPSTREAM_UNREACHABLE' }, { route: 'version', retries: 2 }])
})

t.test('the simulator\'s random 500s (error rate) are absorbed by retries', async (t) => {
  const sim = await simulator(t, { errorRate: 0.3, seed: 7 })
  const { client, events } = testClient(sim.url, { retry: { limit: 6 } })
  const pages = await Promise.all(Array.from({ length: 10 }, (_, page) => client.tasks(DEMO, { page, days: 180 })))
  t.same(pages.map((p) => p.number), Array.from({ length: 10 }, (_, i) => i))
  const retries = events.filter((e) => e.route === 'tasks').reduce((sum, e) => sum + e.retries, 0)
  t.ok(retries > 0, 'the simulator did answer some 500s')
  t.equal(sim.stats().tasks, 10 + retries, `${retries} retries absorbed the 500s`)
})
