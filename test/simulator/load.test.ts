import t from 'tap'
import { UPSTREAM_PATHS } from '../../src/upstream/wire.js'
import { getJson, login, manualClock, simulator } from './fixtures/simulator.js'
import type { Simulator } from '../../src/simulator/index.js'

async function statuses(sim: Simulator, calls: number): Promise<number[]> {
  const headers = await login(sim)
  const result: number[] = []
  for (let i = 0; i < calls; i++) result.push((await getJson(sim, UPSTREAM_PATHS.tasks, headers)).status)
  return result
}

t.test('errorRate answers that share of data calls with 500, deterministically', async (t) => {
  const a = await statuses(await simulator(t, { errorRate: 0.3, seed: 4 }), 200)
  const b = await statuses(await simulator(t, { errorRate: 0.3, seed: 4 }), 200)
  const errors = a.filter((s) => s === 500).length
  t.ok(errors > 35 && errors < 85, `about 30% (${errors} of 200)`)
  t.ok(a.every((s) => s === 200 || s === 500))
  t.same(a, b, 'same seed, same sequence')
  const sim = await simulator(t, { errorRate: 1 })
  t.match(await getJson(sim, UPSTREAM_PATHS.tasks, await login(sim)), { status: 500, body: { error: 'Internal Server Error' } })
  t.equal((await getJson(sim, UPSTREAM_PATHS.version)).status, 200, 'version is no data call')
})

t.test('rateLimit: more than N requests within a second are a 429 with Retry-After 1', async (t) => {
  const clock = manualClock()
  const sim = await simulator(t, { now: clock.now, rateLimit: 3 })
  const headers = await login(sim)
  clock.advance(100)
  t.equal((await getJson(sim, UPSTREAM_PATHS.tasks, headers)).status, 200)
  t.equal((await getJson(sim, UPSTREAM_PATHS.runners, headers)).status, 200)
  const limited = await getJson(sim, UPSTREAM_PATHS.tasks, headers)
  t.match(limited, { status: 429, body: { status: 429, error: 'Too Many Requests' } })
  t.equal(limited.headers.get('retry-after'), '1')
  clock.advance(900)
  t.equal((await getJson(sim, UPSTREAM_PATHS.tasks, headers)).status, 200, 'the login left the window')
  t.equal((await getJson(sim, UPSTREAM_PATHS.tasks, headers)).status, 429, 'rejected calls do not count but the window is full')
  clock.advance(1000)
  const burst = await Promise.all(Array.from({ length: 5 }, () => getJson(sim, UPSTREAM_PATHS.version)))
  t.same(burst.map((r) => r.status).sort(), [200, 200, 200, 429, 429])
})

t.test('latencyMs delays every route', async (t) => {
  const sim = await simulator(t, { latencyMs: 120 })
  let started = Date.now()
  await getJson(sim, UPSTREAM_PATHS.version)
  t.ok(Date.now() - started >= 110, 'version')
  const headers = await login(sim)
  started = Date.now()
  t.equal((await getJson(sim, UPSTREAM_PATHS.tasks, { ...headers, token: 'wrong' })).status, 401)
  t.ok(Date.now() - started >= 110, 'errors too')
})

t.test('close does not wait for pending delays', async (t) => {
  const sim = await simulator(t, { latencyMs: 60_000 })
  const pending = fetch(sim.url + UPSTREAM_PATHS.version).catch((error: unknown) => error)
  await new Promise((resolve) => setTimeout(resolve, 50))
  const started = Date.now()
  await sim.close()
  t.ok(Date.now() - started < 5_000, `closed in ${Date.now() - started} ms`)
  await pending
})
