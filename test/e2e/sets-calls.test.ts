// Upstream-call minimality, as a table: each query with the exact number of
// upstream calls it must cost (README "What goes upstream", issue 3 "every
// $top/$skip window costs exactly the minimal pages; a full nextLink load
// costs one call per upstream page"), counted by /__sim/stats, and the
// parameters that went upstream, recorded by a proxy. Expected counts are
// computed from the simulator's data, never written in. The page cache is
// off (CACHE_TTL_S=0) so every count is a first run; a last test records
// what a warm repeat costs with the default cache.
import t from 'tap'
import { rng } from '../fixtures/oracle.js'
import { startRecordingBridge } from '../fixtures/recording-bridge.js'
import type { RecordingBridge } from '../fixtures/recording-bridge.js'
import { quietStats } from '../fixtures/upstream-stats.js'
import { TASK_WINDOW_DAYS } from '../../src/plan/planner.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const DAY = 86_400_000
const PS = 20 // the upstream's page size
const SIM = { tasks: 3000, historyDays: 120, automations: 45, runners: 8, seed: 5, now: () => NOW }

const bridge = await startRecordingBridge({ sim: SIM, now: () => NOW, env: { CACHE_TTL_S: '0' } })
t.teardown(() => bridge.close())

/**
 * The first request of a route probes once per process whether the upstream
 * honours `size` (src/upstream/page-size-probe.ts: page 0 of a 1-day window);
 * the counts below are those of a running bridge, so probe first.
 */
async function warmUp(b: RecordingBridge): Promise<void> {
  for (const q of ['Tasks?$top=1&days=3', 'Automations?$top=1&days=3', 'Runners?days=3']) await (await fetch(`${b.feed}${q}`)).text()
}
await warmUp(bridge)

const created = bridge.sim.tasks().map((w) => Date.parse(w.dateCreation)) // newest first
/** Tasks created in [from, NOW]. */
const since = (from: number): number => created.filter((c) => c >= from && c <= NOW).length
/** Every Tasks read asks for the same upstream window (src/plan/planner.ts). */
const WINDOW = String(TASK_WINDOW_DAYS)
/** Pages from the head to the first task older than `from` (the end of a scan down to `from`). */
const scanTo = (from: number): number => {
  const head = since(from)
  return since(NOW - TASK_WINDOW_DAYS * DAY) > head ? Math.floor(head / PS) + 1 : Math.max(1, Math.ceil(head / PS))
}
const pagesCovering = (from: number, to: number): number => (to <= from ? 0 : Math.floor((to - 1) / PS) - Math.floor(from / PS) + 1)
const N30 = since(NOW - 30 * DAY)
const N90 = since(NOW - 90 * DAY)
const AUTOMATIONS = bridge.sim.automations(30).map((a) => a.label)
const A_PAGES = Math.ceil(AUTOMATIONS.length / PS)

interface Row {
  readonly query: string
  readonly prefer?: number
  readonly route: 'tasks' | 'automation' | 'runners'
  /** Exact calls, or [min, max] where the README leaves room (a bisection). */
  readonly calls: number | readonly [number, number]
  /** Parameters every call of the route must carry. */
  readonly params?: Readonly<Record<string, string | null>>
  readonly why: string
}

const TABLE: readonly Row[] = [
  { query: 'Tasks?$top=10', route: 'tasks', calls: 1, params: { days: WINDOW }, why: 'first page only (days = the one window of every Tasks query)' },
  { query: 'Tasks?$skip=35&$top=10', route: 'tasks', calls: 2, why: 'positions [35, 45): pages 1 and 2 (issue 3 example)' },
  { query: 'Tasks?$skip=40&$top=20', route: 'tasks', calls: 1, why: 'positions [40, 60): page 2' },
  { query: 'Tasks?$skip=19&$top=2', route: 'tasks', calls: 2, why: 'positions [19, 21) straddle pages 0 and 1' },
  { query: 'Tasks?$top=0', route: 'tasks', calls: 0, why: 'nothing to read' },
  { query: 'Tasks?$orderby=dateCreation%20desc&$skip=100&$top=50', route: 'tasks', calls: pagesCovering(100, 150), why: 'the upstream order, written out' },
  { query: 'Tasks?$skip=123&$top=77&$select=id,state', route: 'tasks', calls: pagesCovering(123, 200), why: '$select changes nothing upstream' },
  { query: 'Tasks?$top=10&days=7', route: 'tasks', calls: 1, params: { days: WINDOW }, why: 'days=N narrows the set, not the upstream window' },
  { query: `Tasks?$skip=${N30 - 5}&$top=5`, route: 'tasks', calls: pagesCovering(N30 - 5, N30), why: 'the last five of the horizon' },
  { query: `Tasks?$skip=${N30 + 3}&$top=5`, route: 'tasks', calls: 1, why: 'past the horizon: one page shows it ends' },
  { query: 'Tasks?$skip=100000', route: 'tasks', calls: 1, why: 'past the end of the upstream window: one page shows it' },
  { query: 'Tasks', prefer: 5000, route: 'tasks', calls: scanTo(NOW - 30 * DAY), why: 'full load in one page: every page of the horizon plus the one showing where it ends' },
  { query: 'Tasks?days=90', route: 'tasks', calls: scanTo(NOW - 90 * DAY), params: { days: WINDOW }, why: `full nextLink load over ${Math.ceil(N90 / 1000)} bridge pages of 1000 (page-aligned): one call per upstream page` },
  { query: `Tasks?$filter=dateCreation%20ge%20${new Date(NOW - 10 * DAY).toISOString()}`, route: 'tasks', calls: scanTo(NOW - 10 * DAY), params: { days: WINDOW }, why: 'a lower bound stops the scan at it' },
  { query: `Tasks?$filter=dateCreation%20ge%20${new Date(NOW - 10 * DAY).toISOString()}&$orderby=state`, route: 'tasks', calls: scanTo(NOW - 10 * DAY), params: { days: WINDOW }, why: 'local sort over the bounded window: one call per upstream page, none past it' },
  { query: 'Tasks?$orderby=id&$top=5', route: 'tasks', calls: scanTo(NOW - 30 * DAY), why: 'local sort over the horizon: one call per upstream page, none read ahead past its end' },
  { query: 'Tasks?$orderby=id&days=1', route: 'tasks', calls: scanTo(NOW - DAY), params: { days: WINDOW }, why: 'local sort over one day: its pages and the one showing where it ends' },
  { query: 'Tasks/$count', route: 'tasks', calls: [1, Math.ceil(Math.log2(since(NOW - 31 * DAY) / PS + 1)) + 3], why: '/$count by bisection, not a scan' },
  {
    query: `Tasks?$filter=dateCreation%20ge%20${new Date(NOW - 20 * DAY).toISOString()}%20and%20dateCreation%20lt%20${new Date(NOW - 10 * DAY).toISOString()}`,
    route: 'tasks',
    calls: [pagesCovering(since(NOW - 10 * DAY), since(NOW - 20 * DAY) + 1), pagesCovering(since(NOW - 10 * DAY), since(NOW - 20 * DAY) + 1) + Math.ceil(Math.log2(since(NOW - 21 * DAY) / PS + 2)) + 2],
    params: { days: WINDOW },
    why: 'a partition: its own pages plus a bisection, not the newer pages'
  },

  { query: 'Automations', route: 'automation', calls: A_PAGES, params: { filterBy: '30', automation: null }, why: `every page of the set (${AUTOMATIONS.length} rows), none past the last` },
  { query: 'Automations?$skip=3', route: 'automation', calls: A_PAGES, why: 'no $top: to the end, none past it' },
  { query: 'Automations?$top=5', route: 'automation', calls: 1, why: 'label order: page 0' },
  { query: 'Automations?$skip=15&$top=10', route: 'automation', calls: 2, why: 'positions [15, 25): pages 0 and 1' },
  { query: 'Automations?$skip=40&$top=10', route: 'automation', calls: 1, why: 'positions [40, 45): page 2' },
  { query: 'Automations?$orderby=label&$skip=20&$top=20', route: 'automation', calls: 1, why: '$orderby=label is the upstream order' },
  { query: 'Automations?$skip=100', route: 'automation', calls: 1, why: 'past the end: one page shows it' },
  { query: 'Automations?$top=0', route: 'automation', calls: 0, why: 'nothing to read' },
  { query: 'Automations', prefer: 10, route: 'automation', calls: 5, why: 'nextLink load in pages of 10: the upstream page under each slice' },
  { query: `Automations?$filter=label%20eq%20%27${AUTOMATIONS[21] ?? ''}%27`, route: 'automation', calls: 1, params: { automation: AUTOMATIONS[21] ?? '', filterBy: '30' }, why: 'label eq → automation=' },
  { query: `Automations('${AUTOMATIONS[33] ?? ''}')?days=7`, route: 'automation', calls: 1, params: { automation: AUTOMATIONS[33] ?? '', filterBy: '7' }, why: 'key lookup → automation=, filterBy = days' },
  { query: 'Automations?$orderby=taskCount%20desc&$top=3', route: 'automation', calls: A_PAGES, why: 'another order: every page' },
  { query: 'Automations?$search=invoice', route: 'automation', calls: A_PAGES, why: '$search in the bridge: every page' },
  // README: $count of Automations is done in the bridge (page 0's totalElements would do, but is not promised).
  { query: 'Automations/$count', route: 'automation', calls: [1, A_PAGES], why: 'counted in the bridge over the pages' },
  { query: 'Automations?$count=true&$top=2', route: 'automation', calls: [1, A_PAGES], why: 'counted in the bridge over the pages' },
  { query: 'Automations?days=90&$top=5', route: 'automation', calls: 1, params: { filterBy: '90' }, why: 'filterBy is the horizon' },

  { query: 'Runners', route: 'runners', calls: 1, params: { filterBy: '30', runner: null }, why: 'one array' },
  { query: 'Runners?$orderby=id%20desc&$top=2', route: 'runners', calls: 1, why: 'sorted in the bridge' },
  { query: "Runners?$filter=id%20eq%20'vm03'", route: 'runners', calls: 1, params: { runner: 'vm03' }, why: 'id eq → runner=' },
  { query: "Runners('vm01')", route: 'runners', calls: 1, params: { runner: 'vm01' }, why: 'key lookup → runner=' },
  { query: 'Runners/$count', route: 'runners', calls: 1, why: 'one array' },
  { query: 'Runners', prefer: 3, route: 'runners', calls: 3, why: 'one call per bridge page (8 runners in pages of 3)' },
  { query: 'Runners?days=90&$skip=2&$top=2', route: 'runners', calls: 1, params: { filterBy: '90' }, why: 'filterBy is the horizon' }
]

async function load(b: RecordingBridge, query: string, prefer?: number): Promise<{ status: number; pages: number }> {
  let next: string | undefined = `${b.feed}${query}`
  let pages = 0
  let status = 200
  while (next !== undefined && pages < 1000) {
    pages++
    const res: Response = await fetch(next, prefer === undefined ? {} : { headers: { prefer: `odata.maxpagesize=${prefer}` } })
    status = res.status
    const text = await res.text()
    if (status !== 200 || !text.startsWith('{')) return { status, pages }
    next = (JSON.parse(text) as { '@odata.nextLink'?: string })['@odata.nextLink']
  }
  return { status, pages }
}

for (const row of TABLE) {
  const label = `${row.query}${row.prefer === undefined ? '' : ` [maxpagesize=${row.prefer}]`}`
  t.test(label, async (t) => {
    await quietStats(bridge.sim)
    bridge.sim.resetStats()
    bridge.upstream.length = 0
    const { status } = await load(bridge, row.query, row.prefer)
    t.equal(status, 200, 'answered')
    const stats = await quietStats(bridge.sim)
    const calls = stats[row.route]
    const others = stats.tasks + stats.automation + stats.runners - calls
    if (typeof row.calls === 'number') t.equal(calls, row.calls, `${calls} upstream ${row.route} calls, expected ${row.calls}: ${row.why}`)
    else t.ok(calls >= row.calls[0] && calls <= row.calls[1], `${calls} upstream ${row.route} calls, expected ${row.calls[0]}–${row.calls[1]}: ${row.why}`)
    t.equal(others, 0, 'no call to another route')
    for (const [name, value] of Object.entries(row.params ?? {})) {
      const wrong = bridge.upstream.filter((u) => u.params.get(name) !== value)
      t.same(wrong.map((u) => `${u.path}?${u.params.toString()}`), [], `every call carries ${name}=${String(value)}`)
    }
  })
}

t.test('nextLink loads in pages that do not align with the upstream\'s', async (t) => {
  // Without the page cache, each bridge page that ends inside an upstream page makes the next one read it again.
  for (const [days, size] of [[45, 137], [30, 250]] as const) {
    await quietStats(bridge.sim)
    bridge.sim.resetStats()
    const { pages } = await load(bridge, `Tasks?days=${days}`, size)
    const n = since(NOW - days * DAY)
    let midPage = 0
    for (let k = 1; k < pages; k++) if ((k * size) % PS !== 0) midPage++
    const minimal = scanTo(NOW - days * DAY)
    t.equal((await quietStats(bridge.sim)).tasks, minimal + midPage, `days=${days}, pages of ${size}: ${n} tasks in ${pages} bridge pages cost ${minimal} upstream pages + ${midPage} boundary re-reads`)
  }
})

t.test('random $top/$skip windows in the upstream order cost exactly their pages', async (t) => {
  const rand = rng(Number(process.env.DIFF_SEED ?? 20261015))
  for (let i = 0; i < 40; i++) {
    const skip = Math.floor(rand() * (N30 - 10))
    const top = 1 + Math.floor(rand() * Math.min(200, N30 - skip - 1))
    await quietStats(bridge.sim)
    bridge.sim.resetStats()
    await load(bridge, `Tasks?$skip=${skip}&$top=${top}`)
    t.equal((await quietStats(bridge.sim)).tasks, pagesCovering(skip, skip + top), `$skip=${skip}&$top=${top}`)
    const aSkip = Math.floor(rand() * AUTOMATIONS.length)
    const aTop = 1 + Math.floor(rand() * 30)
    await quietStats(bridge.sim)
    bridge.sim.resetStats()
    await load(bridge, `Automations?$skip=${aSkip}&$top=${aTop}`)
    t.equal((await quietStats(bridge.sim)).automation, Math.max(1, pagesCovering(aSkip, Math.min(AUTOMATIONS.length, aSkip + aTop))), `Automations?$skip=${aSkip}&$top=${aTop}`)
  }
})

t.test('a residual $filter reads first only the pages its $skip + $top must take', async (t) => {
  // Each upstream row matches at most once, so skip + top matches need at least
  // ⌈(skip + top) / 20⌉ pages: the first batch is that many, never more. A filter
  // every row passes (id gt 0 is evaluated in the bridge) then costs exactly that.
  const rand = rng(Number(process.env.DIFF_SEED ?? 20261129))
  for (let i = 0; i < 12; i++) {
    const skip = Math.floor(rand() * 300)
    const top = 1 + Math.floor(rand() * 150)
    await quietStats(bridge.sim)
    bridge.sim.resetStats()
    await load(bridge, `Tasks?$filter=id%20gt%200&$skip=${skip}&$top=${top}`)
    t.equal((await quietStats(bridge.sim)).tasks, pagesCovering(0, skip + top), `$filter=id gt 0&$skip=${skip}&$top=${top}`)
  }
})

t.test('recorded, not asserted: residual filters read ahead in batches', async (t) => {
  // The README promises no exact count here; the minimum is the pages up to the row that completes the answer.
  const tasks = bridge.sim.tasks().filter((w) => Date.parse(w.dateCreation) >= NOW - 30 * DAY)
  const nth = (pred: (w: (typeof tasks)[number]) => boolean, n: number): number => {
    let seen = 0
    for (let i = 0; i < tasks.length; i++) if (pred(tasks[i] as (typeof tasks)[number]) && ++seen === n) return i
    return tasks.length
  }
  const target = tasks[150]
  for (const [query, minimal] of [
    ["Tasks?$filter=state%20eq%20'FINISHED'&$top=5", Math.floor(nth((w) => w.state === 'FINISHED', 5) / PS) + 1],
    [`Tasks(${target?.id ?? 0})`, Math.floor(150 / PS) + 1],
    [`Tasks?$filter=id%20eq%20${target?.id ?? 0}`, scanTo(NOW - 30 * DAY)]
  ] as const) {
    await quietStats(bridge.sim)
    bridge.sim.resetStats()
    await load(bridge, query)
    const calls = (await quietStats(bridge.sim)).tasks
    t.comment(`${query}: ${calls} upstream calls; the pages up to the answer's last row: ${minimal}`)
    t.ok(calls >= minimal, `${query}: reads at least the pages holding the answer`)
  }
})

t.test('warm repeat with the default page cache: first runs as above, repeats recorded', async (t) => {
  const warm = await startRecordingBridge({ sim: SIM, now: () => NOW })
  t.teardown(() => warm.close())
  await warmUp(warm)
  for (const [query, route, first] of [
    ['Tasks?$skip=35&$top=10', 'tasks', 2],
    // Page 0 of the one upstream window every Tasks query reads was cached by the query before.
    ['Tasks?$top=10&days=7', 'tasks', 0],
    ['Automations?$top=5', 'automation', 1],
    ['Runners', 'runners', 1]
  ] as const) {
    await quietStats(warm.sim)
    warm.sim.resetStats()
    await load(warm, query)
    t.equal((await quietStats(warm.sim))[route], first, `${query}: first run costs ${first}`)
    await quietStats(warm.sim)
    warm.sim.resetStats()
    await load(warm, query)
    t.comment(`${query}: the same query again cost ${(await quietStats(warm.sim))[route]} upstream call(s)`)
  }
  await quietStats(warm.sim)
  warm.sim.resetStats()
  const { pages } = await load(warm, 'Tasks?days=45', 137)
  t.comment(`Tasks?days=45 in pages of 137 with the cache: ${pages} bridge pages, ${(await quietStats(warm.sim)).tasks} upstream calls (the upstream pages: ${scanTo(NOW - 45 * DAY)})`)
})
