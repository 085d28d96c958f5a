import t from 'tap'
import { UPSTREAM_PATHS } from '../../src/upstream/wire.js'
import { MALFORMED_BODY } from '../../src/simulator/gate.js'
import { getJson, login, postJson, simulator } from './fixtures/simulator.js'

const TASKS = UPSTREAM_PATHS.tasks

t.test('status faults answer that status with a Spring body, count times', async (t) => {
  const sim = await simulator(t)
  const headers = await login(sim)
  sim.inject({ kind: 'status', status: 503, retryAfterS: 7, count: 2 })
  for (let i = 0; i < 2; i++) {
    const response = await getJson(sim, TASKS, headers)
    t.match(response, { status: 503, body: { status: 503, error: 'Service Unavailable', path: TASKS } })
    t.equal(response.headers.get('retry-after'), '7')
  }
  t.equal((await getJson(sim, TASKS, headers)).status, 200, 'used up after count calls')
  sim.inject({ kind: 'status' })
  const plain = await getJson(sim, UPSTREAM_PATHS.runners, headers)
  t.equal(plain.status, 500, 'defaults to 500 on any data route')
  t.equal(plain.headers.get('retry-after'), null)
})

t.test('faults limited to a route leave the others alone, in queue order', async (t) => {
  const sim = await simulator(t)
  const headers = await login(sim)
  sim.inject({ kind: 'status', status: 403, route: 'automation' })
  sim.inject({ kind: 'status', status: 502, route: 'tasks' })
  sim.inject({ kind: 'status', status: 401, route: 'login' })
  t.equal((await getJson(sim, TASKS, headers)).status, 502)
  t.equal((await getJson(sim, UPSTREAM_PATHS.runners, headers)).status, 200)
  t.equal((await getJson(sim, UPSTREAM_PATHS.automation, headers)).status, 403)
  t.equal((await postJson(sim, UPSTREAM_PATHS.login, { login: 'demo', key: 'demo' })).status, 401)
  t.equal((await getJson(sim, UPSTREAM_PATHS.version)).status, 200, 'version only when named')
})

t.test('slow faults delay, then answer normally', async (t) => {
  const sim = await simulator(t)
  const headers = await login(sim)
  sim.inject({ kind: 'slow', delayMs: 300 })
  const started = Date.now()
  t.equal((await getJson(sim, TASKS, headers)).status, 200)
  t.ok(Date.now() - started >= 290, `waited ${Date.now() - started} ms`)
})

t.test('reset faults drop the connection without an answer', async (t) => {
  const sim = await simulator(t)
  const headers = await login(sim)
  sim.inject({ kind: 'reset', route: 'tasks' })
  await t.rejects(fetch(sim.url + TASKS, { headers }), { name: 'TypeError' })
  t.equal((await getJson(sim, TASKS, headers)).status, 200, 'the next call is served')
})

t.test('malformed faults answer 200 with a body that is not JSON', async (t) => {
  const sim = await simulator(t)
  const headers = await login(sim)
  sim.inject({ kind: 'malformed' })
  const response = await fetch(sim.url + TASKS, { headers })
  t.equal(response.status, 200)
  t.match(response.headers.get('content-type'), /application\/json/)
  const text = await response.text()
  t.equal(text, MALFORMED_BODY)
  t.throws(() => JSON.parse(text))
})

t.test('expire-tokens invalidates every token issued so far', async (t) => {
  const sim = await simulator(t)
  const first = await login(sim)
  const second = await login(sim)
  sim.inject({ kind: 'expire-tokens' })
  t.equal((await getJson(sim, TASKS, first)).status, 401)
  t.equal((await getJson(sim, TASKS, second)).status, 401)
  t.equal((await getJson(sim, TASKS, await login(sim))).status, 200, 'a new login works')
})

t.test('faults over HTTP: POST queues, DELETE clears, bad ones are a 400', async (t) => {
  const sim = await simulator(t)
  const headers = await login(sim)
  t.equal((await postJson(sim, '/__sim/faults', { kind: 'status', status: 429, retryAfterS: 1 })).status, 204)
  const limited = await getJson(sim, TASKS, headers)
  t.equal(limited.status, 429)
  t.equal(limited.headers.get('retry-after'), '1')
  await postJson(sim, '/__sim/faults', { kind: 'status', count: 5 })
  sim.inject({ kind: 'reset' })
  t.equal((await fetch(sim.url + '/__sim/faults', { method: 'DELETE' })).status, 204)
  t.equal((await getJson(sim, TASKS, headers)).status, 200, 'cleared over HTTP')
  sim.inject({ kind: 'status', count: 3 })
  sim.clearFaults()
  t.equal((await getJson(sim, TASKS, headers)).status, 200, 'cleared in process')
  const bad = [
    [{ kind: 'explode' }, /fault.kind must be one of/],
    [{ kind: 'status', status: 99 }, /fault.status must be an integer from 100 to 599/],
    [{ kind: 'slow', delayMs: -1 }, /fault.delayMs/],
    [{ kind: 'status', count: 0 }, /fault.count/],
    [{ kind: 'status', retryAfterS: 1.5 }, /fault.retryAfterS/],
    [{ kind: 'status', route: 'stats' }, /fault.route must be one of/],
    [[1], /fault.kind/],
    [null, /must be a JSON object/]
  ] as const
  for (const [fault, message] of bad) {
    const response = await postJson(sim, '/__sim/faults', fault)
    t.equal(response.status, 400, JSON.stringify(fault))
    t.match(await response.json(), { status: 400, message })
  }
  t.throws(() => sim.inject({ kind: 'status', status: 1000 }), /fault.status/)
})

t.test('a slow fault without delayMs waits one second', async (t) => {
  const sim = await simulator(t)
  sim.inject({ kind: 'slow', route: 'version' })
  const started = Date.now()
  t.equal((await getJson(sim, UPSTREAM_PATHS.version)).status, 200)
  t.ok(Date.now() - started >= 990)
})

t.test('change-final: a final task changes at once, from then on, as BotCity is not expected to do', async (t) => {
  const sim = await simulator(t)
  const headers = await login(sim)
  const before = new Map(sim.tasks().map((w) => [w.id, w]))
  const changed = sim.inject({ kind: 'change-final' }) as number
  const was = before.get(changed)
  const now = sim.tasks().find((w) => w.id === changed)
  t.ok(was !== undefined && (was.state === 'FINISHED' || was.state === 'CANCELED'), `task ${changed} was final (${String(was?.state)})`)
  t.ok(Date.parse(was?.dateCreation ?? '') <= sim.now() - 86_400_000, 'created a day or more ago')
  t.equal(now?.state, 'FINISHED')
  t.not(now?.finishStatus, was?.finishStatus, `its finishStatus changed: ${String(was?.finishStatus)} → ${String(now?.finishStatus)}`)
  t.equal(sim.tasks().filter((w) => JSON.stringify(w) !== JSON.stringify(before.get(w.id)) && before.has(w.id) && (before.get(w.id)?.state === 'FINISHED' || before.get(w.id)?.state === 'CANCELED')).length, 1, 'no other final task changed')
  const listed = await getJson(sim, `${TASKS}?days=3650&page=0&size=20`, headers)
  t.equal(listed.status, 200)
  const other = sim.tasks().find((w) => w.id !== changed && w.state === 'FINISHED' && Date.parse(w.dateCreation) < sim.now() - 2 * 86_400_000) as { id: number }
  const response = await postJson(sim, '/__sim/faults', { kind: 'change-final', taskId: other.id })
  t.equal(response.status, 200)
  t.same(await response.json(), { taskId: other.id }, 'over HTTP, the task it changed')
  const missing = await postJson(sim, '/__sim/faults', { kind: 'change-final', taskId: 1 })
  t.equal(missing.status, 400)
  t.match(await missing.json(), { message: /task 1 does not exist or is not final yet/ })
})
