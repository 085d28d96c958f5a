// The moving-clock checks of test/fixtures/moving-suite.ts through two
// replicas sharing one Redis: pages, tokens and the orders of loads are shared,
// and what one replica cached must not make the other serve anything older
// than CACHE_TTL_S, nor break a load's snapshot or its count.
import t from 'tap'
import {
  FUZZ, GROWING_AUTOMATION, GROWING_RUNNER, MOVING_ENV, SCALE, TTL_S, TTL_SIM, bracket, expectNone, figuresFailures, loadAll, setFailures, setSize, sleep, staleRows
} from '../fixtures/moving-oracle.js'
import type { Window } from '../fixtures/moving-oracle.js'
import { startRedis } from '../fixtures/redis-server.js'
import { startReplicas, type Replica } from '../fixtures/replicas.js'


const redis = await startRedis()
t.teardown(() => redis.close())
const fx = await startReplicas({
  redisUrl: redis.url,
  sim: { tasks: 3000, historyDays: 60, growthPerS: 2, timeScale: SCALE, clockOffsetS: 120, seed: 22 },
  env: MOVING_ENV
})
t.teardown(() => fx.close())
const sim = fx.sim
const [a, b] = fx.replicas as [Replica, Replica]
const across = (link: string, page: number): string => link.replace(/^http:\/\/127\.0\.0\.1:\d+\/odata\//, (page % 2 === 0 ? a : b).feed)

t.test('/$count on either replica: the set of one instant of its window', async (t) => {
  for (let i = 0; i < 4; i++) {
    const replica = i % 2 === 0 ? a : b
    const { result, window } = await bracket(sim, TTL_SIM, async () => Number(await (await fetch(`${replica.feed}Tasks/$count?days=3650`)).text()))
    t.ok(setSize(sim, window.lo, 3650) <= result && result <= setSize(sim, window.hi, 3650), `${result} within the window`)
    await sleep(TTL_S * 500)
  }
})

t.test('a load alternating replicas: one snapshot, fresh rows, its count', async (t) => {
  for (let i = 0; i < 2; i++) {
    const load = await loadAll(sim, TTL_SIM, `${a.feed}Tasks?days=3650&$count=true`, undefined, across)
    t.ok(load.pages > 3, `${load.rows.length} rows in ${load.pages} pages`)
    t.equal(load.count, load.rows.length, '@odata.count is the rows of the load')
    expectNone(t, setFailures(sim, load.rows.map((r) => r.id as number), load.first, { days: 3650, clockFuzzMs: FUZZ }), 'the set of one snapshot')
    const windows = [...new Set(load.windows)]
    for (const w of windows) expectNone(t, staleRows(sim, load.rows.filter((_, j) => load.windows[j] === w), w as Window), 'fresh rows')
    await sleep(TTL_S * 1000 + 200)
  }
})

t.test('$top/$skip, Automations and Runners on the other replica after the first cached them', async (t) => {
  for (const replica of [a, b]) {
    const { result, window } = await bracket(sim, TTL_SIM, async () => (await (await fetch(`${replica.feed}Tasks?days=3650&$skip=35&$top=50`)).json()) as { value: Record<string, unknown>[] })
    expectNone(t, setFailures(sim, result.value.map((r) => r.id as number), window, { days: 3650, clockFuzzMs: FUZZ, skip: 35, top: 50 }), '$skip=35&$top=50')
    expectNone(t, staleRows(sim, result.value, window), 'fresh')
    const automations = await bracket(sim, TTL_SIM, async () => (await (await fetch(`${replica.feed}Automations?days=3650`)).json()) as { value: Record<string, unknown>[] })
    expectNone(t, figuresFailures(automations.result.value, 'label', sim.automations(3650, undefined, automations.window.lo), sim.automations(3650, undefined, automations.window.hi), GROWING_AUTOMATION), 'automations')
    const runners = await bracket(sim, TTL_SIM, async () => (await (await fetch(`${replica.feed}Runners?days=3650`)).json()) as { value: Record<string, unknown>[] })
    expectNone(t, figuresFailures(runners.result.value, 'id', sim.runners(3650, undefined, runners.window.lo), sim.runners(3650, undefined, runners.window.hi), GROWING_RUNNER), 'runners')
    await sleep(TTL_S * 1000 + 200)
  }
})

t.test('a load sorted in the bridge, alternating replicas while tasks change: its order is shared, every task once', async (t) => {
  const load = await loadAll(sim, TTL_SIM, `${a.feed}Tasks?days=30&$orderby=state,machineId&$select=id,state&$count=true`, { headers: { prefer: 'odata.maxpagesize=300' } }, across, TTL_S * 1000 + 100)
  t.ok(load.pages > 2, `${load.rows.length} rows in ${load.pages} pages`)
  const ids = load.rows.map((r) => r.id as number)
  t.equal(new Set(ids).size, ids.length, 'no task twice')
  t.equal(load.count, ids.length, '@odata.count is the rows of the load')
  const order = new Map(sim.tasks().map((w, i) => [w.id, i]))
  expectNone(t, setFailures(sim, [...ids].sort((x, y) => (order.get(x) ?? 0) - (order.get(y) ?? 0)), load.first, { days: 30, clockFuzzMs: FUZZ }), 'every task of one snapshot')
})
