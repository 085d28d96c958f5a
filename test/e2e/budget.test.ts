// A request's upstream cost is bounded (REQUEST_MAX_UPSTREAM_READS,
// src/execute/budget.ts): a query whose plan needs more page reads than one
// request may make is refused before its first call, one that finds out while
// reading stops at the bound — a 400 that says what it would cost and how to
// narrow it — while the default never refuses a page in the upstream order of
// MAX_PAGE_SIZE rows, nor a one-day partition.
import t from 'tap'
import { getJson, readAll, startBridge } from '../fixtures/bridge.js'
import { quietStats } from '../fixtures/upstream-stats.js'
import type { Simulator } from '../../src/simulator/index.js'

const NOW = Date.UTC(2026, 9, 15, 12)
const DAY = 86_400_000

async function calls(sim: Simulator): Promise<number> {
  const s = await quietStats(sim)
  sim.resetStats()
  return s.tasks + s.automation + s.runners
}

t.test('a bound of 40 page reads: what needs more is refused, before reading when the plan knows', async (t) => {
  // 3,000 tasks: 150 upstream pages over the longest horizon.
  const bridge = await startBridge({ sim: { tasks: 3000, historyDays: 300, seed: 3, now: () => NOW }, now: () => NOW, env: { REQUEST_MAX_UPSTREAM_READS: '40', CACHE_TTL_S: '0', PAGE_SIZE: '500' } })
  t.teardown(() => bridge.close())
  await calls(bridge.sim)

  const sorted = 'Tasks?days=3650&$orderby=id&$top=1'
  const first = await getJson(`${bridge.feed}${sorted}`)
  t.equal(first.status, 400)
  const error = first.body.error as { code: string; message: string; target?: string }
  t.equal(error.code, 'BRIDGE_ERR_QUERY_TOO_COSTLY')
  t.match(error.message, /read 40 pages of BotCity Insights Tasks, the most one request may read \(REQUEST_MAX_UPSTREAM_READS\)/)
  t.match(error.message, /dateCreation filter.*days=N.*dateCreation desc/)
  t.equal(error.target, '$orderby')
  t.ok(await calls(bridge.sim) <= 40, 'it stopped at the bound')

  // A load in the upstream order teaches the bridge where the horizon ends (500 rows a page: 25 reads each).
  const load = await readAll(`${bridge.feed}Tasks?days=3650&$select=id`)
  t.equal(load.rows.length, 3000, 'pages in the upstream order fit the bound')
  await calls(bridge.sim)
  const known = await getJson(`${bridge.feed}${sorted}`)
  t.equal(known.status, 400)
  t.match((known.body.error as { message: string }).message, /would read at least 150 pages of BotCity Insights \(Tasks: every task of the set read/)
  t.equal(await calls(bridge.sim), 0, 'refused before the first call')

  const expanded = await getJson(`${bridge.feed}Automations?days=3650&$expand=Tasks($select=id)`)
  t.equal(expanded.status, 400, 'an expansion counts its reads with the request\'s')
  t.equal((expanded.body.error as { code: string }).code, 'BRIDGE_ERR_QUERY_TOO_COSTLY')
  t.equal((await getJson(`${bridge.feed}Tasks?days=3650&$top=5`)).status, 200, 'cheap queries are answered')
})

t.test('the other queries measured at ~9,860 calls each stop at the bound: a filter matching nothing, a search, a grouping', async (t) => {
  for (const query of [
    "Tasks?days=3650&$filter=contains(activityLabel,'no-such-automation')",
    'Tasks?days=3650&$search=no-such-word',
    'Tasks?days=3650&$apply=groupby((state),aggregate($count as n))'
  ]) {
    // A bridge of its own each: calls still on their way from one query are not counted for the next.
    const bridge = await startBridge({ sim: { tasks: 3000, historyDays: 300, seed: 3, now: () => NOW }, now: () => NOW, env: { REQUEST_MAX_UPSTREAM_READS: '40', CACHE_TTL_S: '0', PAGE_SIZE: '500' } })
    await calls(bridge.sim)
    const res = await getJson(`${bridge.feed}${query}`)
    t.equal(res.status, 400, query)
    t.equal((res.body.error as { code: string }).code, 'BRIDGE_ERR_QUERY_TOO_COSTLY', query)
    const made = await calls(bridge.sim)
    t.ok(made <= 40, `${query}: ${made} calls, at most the bound`)
    await bridge.close()
  }
})

t.test('the default never refuses a page of MAX_PAGE_SIZE rows in the upstream order, nor a one-day partition', async (t) => {
  // 30,000 tasks over 15 days: 1,500 upstream pages, 2,000 tasks a day.
  const bridge = await startBridge({ sim: { tasks: 30_000, historyDays: 15, seed: 8, now: () => NOW }, now: () => NOW, env: { CACHE_TTL_S: '0' } })
  t.teardown(() => bridge.close())
  const big = await fetch(`${bridge.feed}Tasks?days=3650&$select=id`, { headers: { prefer: 'odata.maxpagesize=5000' } })
  t.equal(big.status, 200)
  t.equal(((await big.json()) as { value: unknown[] }).value.length, 5000, '5,000 rows (MAX_PAGE_SIZE), 250 upstream pages')
  const [from, to] = [NOW - 11 * DAY, NOW - 10 * DAY]
  const day = `dateCreation ge ${new Date(from).toISOString()} and dateCreation lt ${new Date(to).toISOString()}`
  const partition = await readAll(`${bridge.feed}Tasks?$select=id&$filter=${encodeURIComponent(day)}`)
  const want = bridge.sim.tasks().filter((w) => Date.parse(w.dateCreation) >= from && Date.parse(w.dateCreation) < to).length
  t.ok(want > 1000, `a dense day: ${want} tasks`)
  t.equal(partition.rows.length, want, 'the one-day partition, whole')
})
