import t from 'tap'
import { UPSTREAM_PATHS } from '../../src/upstream/wire.js'
import type { SimulatorStats } from '../../src/simulator/index.js'
import { getJson, login, postJson, simulator } from './fixtures/simulator.js'

t.test('every request to a route is counted, errors included', async (t) => {
  const sim = await simulator(t)
  t.same(sim.stats(), { login: 0, tasks: 0, automation: 0, runners: 0, version: 0 })
  const headers = await login(sim)
  await postJson(sim, UPSTREAM_PATHS.login, { login: 'demo', key: 'wrong' })
  await getJson(sim, UPSTREAM_PATHS.tasks, headers)
  await getJson(sim, `${UPSTREAM_PATHS.tasks}?page=-1`, headers)
  await getJson(sim, UPSTREAM_PATHS.tasks)
  sim.inject({ kind: 'status', route: 'automation' })
  await getJson(sim, UPSTREAM_PATHS.automation, headers)
  await getJson(sim, `${UPSTREAM_PATHS.automation}?sort=nope`, headers)
  await getJson(sim, UPSTREAM_PATHS.runners, headers)
  await getJson(sim, UPSTREAM_PATHS.version)
  await getJson(sim, '/api/unknown')
  const expected = { login: 2, tasks: 3, automation: 2, runners: 1, version: 1 }
  t.same(sim.stats(), expected)
  t.same((await getJson<SimulatorStats>(sim, '/__sim/stats')).body, expected, 'served over HTTP, not counting itself')
  t.equal((await fetch(sim.url + '/__sim/stats/reset', { method: 'POST' })).status, 204)
  t.same(sim.stats(), { login: 0, tasks: 0, automation: 0, runners: 0, version: 0 })
  await getJson(sim, UPSTREAM_PATHS.version)
  const snapshot = sim.stats()
  snapshot.version = 99
  t.equal(sim.stats().version, 1, 'stats() returns a copy')
  sim.resetStats()
  t.same(sim.stats(), { login: 0, tasks: 0, automation: 0, runners: 0, version: 0 })
})
