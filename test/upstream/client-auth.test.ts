import t from 'tap'
import { DEMO, simulator, testClient } from './fixtures/upstream.js'

const MINUTE = 60_000
const TASKS = { page: 0, days: 30 }

t.test('20 concurrent requests on a cold cache cause exactly one login', async (t) => {
  const sim = await simulator(t)
  const { client } = testClient(sim.url, { maxConcurrentPerCredential: 20 })
  const pages = await Promise.all(Array.from({ length: 20 }, (_, page) => client.tasks(DEMO, { page, days: 180 })))
  t.same(pages.map((p) => p.number), Array.from({ length: 20 }, (_, i) => i))
  t.equal(sim.stats().login, 1)
  t.equal(sim.stats().tasks, 20)
})

t.test('the token is reused until its lifetime on the injected clock, then renewed', async (t) => {
  const sim = await simulator(t)
  let now = 0
  const { client } = testClient(sim.url, { now: () => now })
  await client.tasks(DEMO, TASKS)
  now += 49 * MINUTE
  await client.runners(DEMO)
  t.equal(sim.stats().login, 1, 'same token at 49 min (default lifetime 50 min)')
  now += 2 * MINUTE
  await client.tasks(DEMO, TASKS)
  t.equal(sim.stats().login, 2, 'new login at 51 min')
  const shortLived = testClient(sim.url, { now: () => now, tokenLifetimeMs: 5 * MINUTE }).client
  await shortLived.tasks(DEMO, TASKS)
  now += 6 * MINUTE
  await shortLived.tasks(DEMO, TASKS)
  t.equal(sim.stats().login, 4, 'a configured lifetime is honoured')
})

t.test('a 401 on a data route: one re-login, one repeat, success', async (t) => {
  const sim = await simulator(t)
  const { client, events } = testClient(sim.url)
  await client.tasks(DEMO, TASKS)
  sim.inject({ kind: 'status', status: 401, route: 'tasks' })
  const page = await client.tasks(DEMO, TASKS)
  t.equal(page.number, 0)
  t.same(sim.stats(), { login: 2, tasks: 3, automation: 0, runners: 0, version: 0 })
  t.match(events.at(-1), { route: 'tasks', outcome: 'ok', relogin: true, retries: 0 })
})

t.test('tokens the upstream expired: 20 concurrent requests share one re-login', async (t) => {
  const sim = await simulator(t)
  const { client, events } = testClient(sim.url, { maxConcurrentPerCredential: 20 })
  await client.tasks(DEMO, TASKS)
  sim.inject({ kind: 'expire-tokens' })
  const pages = await Promise.all(Array.from({ length: 20 }, () => client.tasks(DEMO, TASKS)))
  t.equal(pages.length, 20)
  t.equal(sim.stats().login, 2, 'one login, one re-login')
  t.ok(events.some((e) => e.relogin), 'some calls had to log in again')
})

t.test('a token expired on the simulator\'s clock is renewed transparently', async (t) => {
  let simNow = Date.parse('2026-03-01T12:00:00Z')
  const sim = await simulator(t, { now: () => simNow, tokenTtlS: 3600 })
  const { client } = testClient(sim.url, { tokenLifetimeMs: 24 * 60 * MINUTE })
  await client.runners(DEMO)
  simNow += 61 * MINUTE
  await client.runners(DEMO)
  t.same(sim.stats(), { login: 2, tasks: 0, automation: 0, runners: 3, version: 0 })
})

t.test('403 twice: UPSTREAM_FORBIDDEN saying Insights may be off for this workspace or role', async (t) => {
  const sim = await simulator(t)
  const { client, events } = testClient(sim.url)
  sim.inject({ kind: 'status', status: 403, count: 2, route: 'automation' })
  await t.rejects(client.automations(DEMO, { page: 0 }), {
    code: 'UPSTREAM_FORBIDDEN',
    statusCode: 403,
    message: 'BotCity Insights refused access even after a fresh login (HTTP 403 on GET /api/v1/insights/automation): ' +
      'Insights may not be enabled for this workspace or its role.'
  })
  t.equal(sim.stats().login, 2)
  t.equal(sim.stats().automation, 2, 'exactly one repeat')
  t.match(events.at(-1), { outcome: 'UPSTREAM_FORBIDDEN', relogin: true })
})

t.test('401 twice: UPSTREAM_CREDENTIALS_REJECTED', async (t) => {
  const sim = await simulator(t)
  const { client } = testClient(sim.url)
  sim.inject({ kind: 'status', status: 401, count: 2, route: 'runners' })
  await t.rejects(client.runners(DEMO), { code: 'UPSTREAM_CREDENTIALS_REJECTED', message: /rejected the token of a fresh login \(HTTP 401/ })
  t.equal(sim.stats().login, 2)
  t.equal(sim.stats().runners, 2)
})

t.test('wrong credentials: UPSTREAM_CREDENTIALS_REJECTED, naming neither key nor token, never cached', async (t) => {
  const sim = await simulator(t)
  const { client, events } = testClient(sim.url)
  const wrong = { login: DEMO.login, key: 'wrong-key-0xdeadbeef' }
  const error = await client.tasks(wrong, TASKS).then(() => undefined, (e: unknown) => e)
  t.match(error, {
    code: 'UPSTREAM_CREDENTIALS_REJECTED',
    statusCode: 502,
    message: 'BotCity Insights rejected the workspace login or key (HTTP 401 on POST /api/v2/workspace/login).'
  })
  t.notMatch(String((error as Error).message), /wrong-key/)
  await t.rejects(client.login(wrong), { code: 'UPSTREAM_CREDENTIALS_REJECTED' })
  t.same(sim.stats(), { login: 2, tasks: 0, automation: 0, runners: 0, version: 0 }, 'each attempt logs in: failures are not cached')
  t.same(events.map((e) => [e.route, e.outcome]), [
    ['login', 'UPSTREAM_CREDENTIALS_REJECTED'],
    ['tasks', 'UPSTREAM_CREDENTIALS_REJECTED'],
    ['login', 'UPSTREAM_CREDENTIALS_REJECTED']
  ])
  t.same(await client.login(DEMO), { credentialId: client.credentialId(DEMO), organization: DEMO.login })
})

t.test('credentials are isolated; invalidate forces the next call to log in', async (t) => {
  const sim = await simulator(t, { workspaces: [{ login: 'other', key: 'other-key-123', organizationLabel: 'Other Org' }] })
  const { client } = testClient(sim.url)
  const other = { login: 'other', key: 'other-key-123' }
  t.same((await client.login(other)).organization, 'Other Org')
  await client.tasks(other, TASKS)
  await client.tasks(DEMO, TASKS)
  t.equal(sim.stats().login, 2)
  client.invalidate(DEMO)
  await client.tasks(DEMO, TASKS)
  await client.tasks(other, TASKS)
  t.equal(sim.stats().login, 3)
})

t.test('data calls per credential are capped; the rest wait their turn', async (t) => {
  const sim = await simulator(t, { latencyMs: 20 })
  let inFlight = 0
  let most = 0
  const counting = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    inFlight++
    most = Math.max(most, inFlight)
    try {
      return await globalThis.fetch(input, init)
    } finally {
      inFlight--
    }
  }
  const { client } = testClient(sim.url, { fetch: counting, maxConcurrentPerCredential: 3 })
  await Promise.all(Array.from({ length: 12 }, (_, page) => client.tasks(DEMO, { page, days: 180 })))
  t.equal(most, 3)
  t.equal(sim.stats().tasks, 12)
  most = 0
  const wide = testClient(sim.url, { fetch: counting }).client
  await wide.login(DEMO)
  await Promise.all(Array.from({ length: 12 }, (_, page) => wide.tasks(DEMO, { page, days: 180 })))
  t.equal(most, 6, 'default: 6 per credential')
})
