// Read-ahead: while a client reads one page, the upstream pages behind the next
// are fetched into the cache; the load stays exact and costs no extra calls.
import t from 'tap'
import { readAll, startBridge } from '../fixtures/bridge.js'
import { expectedTasks } from '../fixtures/oracle.js'
import { quietStats } from '../fixtures/upstream-stats.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)

t.test('a full load with read-ahead is exact and reads each upstream page once', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 3000, historyDays: 60, latencyMs: 5, now: () => NOW }, now: () => NOW, env: { PAGE_SIZE: '200' } })
  t.teardown(() => bridge.close())
  const expected = expectedTasks(bridge.sim.tasks(), NOW, 30)
  bridge.sim.resetStats()
  const { rows } = await readAll(`${bridge.feed}Tasks`)
  t.same(rows, expected)
  const minimal = Math.floor(expected.length / 20) + 1
  const calls = bridge.sim.stats().tasks
  t.ok(calls >= minimal && calls <= minimal + 1, `${calls} upstream calls for ${minimal} pages`)
})

t.test('read-ahead: the next page is already read when the client asks for it', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 2000, historyDays: 30, latencyMs: 40, now: () => NOW }, now: () => NOW, env: { PAGE_SIZE: '100', UPSTREAM_CONCURRENCY: '5' } })
  t.teardown(() => bridge.close())
  const first = await fetch(`${bridge.feed}Tasks`)
  const next = ((await first.json()) as Record<string, string>)['@odata.nextLink'] as string
  await new Promise((r) => setTimeout(r, 200))
  bridge.sim.resetStats()
  const second = await fetch(next)
  await second.arrayBuffer()
  // The 5 calls are the read-ahead for the page after; the page itself was already read.
  // (How much time this saves is measured by npm run bench, not here.)
  t.equal(bridge.sim.stats().tasks, 5, 'no upstream call for the page itself, only the next read-ahead')
})

t.test('a horizon longer than the history: read-ahead stops at the upstream\'s last page; a repeat within CACHE_TTL_S makes no call', async (t) => {
  // A still upstream, so the count is of read-ahead alone: under growth a load
  // also reads pages again (30 new tasks a second: ~240 calls for 152 pages),
  // which the task ledger is to end (issue 17).
  const bridge = await startBridge({ sim: { tasks: 3000, historyDays: 300, latencyMs: 5, now: () => NOW }, now: () => NOW, env: { CACHE_TTL_S: '60' } })
  t.teardown(() => bridge.close())
  await quietStats(bridge.sim)
  bridge.sim.resetStats()
  const cold = await readAll(`${bridge.feed}Tasks?days=3650&$select=id`)
  const calls = (await quietStats(bridge.sim)).tasks
  // Every page the upstream holds, and the first past it (the end must be seen).
  const pages = Math.floor(bridge.sim.tasks().length / 20) + 1
  t.equal(cold.rows.length, 3000, 'every task')
  // Before: the last answers read ahead two answers' worth of pages past the end (200 calls for 151 pages).
  t.ok(calls <= pages + 1, `${calls} upstream calls for ${pages} pages`)
  bridge.sim.resetStats()
  const warm = await readAll(`${bridge.feed}Tasks?days=3650&$select=id`)
  t.same(warm.rows, cold.rows, 'the same answer, within CACHE_TTL_S')
  t.equal((await quietStats(bridge.sim)).tasks, 0, 'and no upstream call')
})
