// Differential test of Tasks: hundreds of random OData queries over real HTTP
// (bridge → simulator), each compared exactly with a reference computation
// over the simulator's own data (test/fixtures/diff-oracle.ts, no code from
// src/), and with the upstream calls it may cost (/__sim/stats).
// Seed: random per run, printed; reproduce with DIFF_SEED=<n>. DIFF_CASES=<n> changes the count.
// DIFF_ORDER (newest-first, oldest-first, by-id) and DIFF_HONOR_SORT=true set
// how the simulator lists tasks: diff-tasks-*.test.ts run those variants.
import t from 'tap'
import type { SimulatorOptions } from '../../src/simulator/index.js'
import { readAll, startBridge } from '../fixtures/bridge.js'
import { quietStats } from '../fixtures/upstream-stats.js'
import { asFeedTask, rng } from '../fixtures/oracle.js'
import {
  DAY, Grammar, Picker, encodeValue, dtoLiteral, searchMatches, searchText, searchTexts, sortRows
} from '../fixtures/diff-oracle.js'
import type { Encoding, Ex, ORow, OrderItem, PropSpec, SearchNode } from '../fixtures/diff-oracle.js'

const SEED = process.env.DIFF_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.DIFF_SEED)
const CASES = Number(process.env.DIFF_CASES ?? 200)
const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const PAGE_SIZE = 400
const HISTORY_DAYS = 200
const UPSTREAM_PAGE = 20
const ORDER = (process.env.DIFF_ORDER ?? 'newest-first') as SimulatorOptions['taskOrder']
const HONOR_SORT = process.env.DIFF_HONOR_SORT === 'true'
/** How the bridge reads that upstream: as it lists (newest first, or sorted so), back from the end (oldest first), or whole (no order by date). */
const READ = HONOR_SORT || ORDER === 'newest-first' ? 'listed' : ORDER === 'oldest-first' ? 'reversed' : 'whole'
const VARIANT = `${ORDER}${HONOR_SORT ? ', sort honoured' : ''}`

t.comment(`diff-tasks seed ${SEED} (reproduce with DIFF_SEED=${SEED}), upstream ${VARIANT}`)

const bridge = await startBridge({
  sim: { tasks: 3000, historyDays: HISTORY_DAYS, seed: 7, now: () => NOW, taskOrder: ORDER, honorTaskSort: HONOR_SORT },
  now: () => NOW,
  env: { PAGE_SIZE: String(PAGE_SIZE), CACHE_TTL_S: '0', UPSTREAM_TASK_ORDER: 'auto' }
})
t.teardown(() => bridge.close())
// The first request of a route probes once whether the upstream honours `size`
// (src/upstream/page-size-probe.ts) and the order of its tasks (task-order.ts);
// probe before counting calls.
await (await fetch(`${bridge.feed}Tasks?$top=1&days=3`)).text()
await quietStats(bridge.sim)

const PROPS: readonly PropSpec[] = [
  { name: 'id', kind: 'int', nullable: false },
  { name: 'state', kind: 'string', nullable: false },
  { name: 'finishStatus', kind: 'string', nullable: true },
  { name: 'activityLabel', kind: 'string', nullable: false },
  { name: 'repositoryLabel', kind: 'string', nullable: true },
  { name: 'machineId', kind: 'string', nullable: true },
  { name: 'dateLastModified', kind: 'date', nullable: true },
  { name: 'dateCreation', kind: 'date', nullable: false },
  { name: 'dateStartRunning', kind: 'date', nullable: true },
  { name: 'processedItems', kind: 'int', nullable: true },
  { name: 'failedItems', kind: 'int', nullable: true },
  { name: 'totalItems', kind: 'int', nullable: true }
]
const DATE_PROPS = new Set(PROPS.filter((p) => p.kind === 'date').map((p) => p.name))

/**
 * Every task the simulator holds, newest first, as oracle rows (dates in epoch
 * ms): tasks of one millisecond as the upstream lists them, or by descending
 * id when the bridge orders them itself.
 */
const LISTED = bridge.sim.tasks()
const ALL: readonly ORow[] = (READ === 'whole' ? [...LISTED].sort((a, b) => Date.parse(b.dateCreation) - Date.parse(a.dateCreation) || b.id - a.id) : LISTED).map((w) => {
  const feed = asFeedTask(w)
  const row: Record<string, unknown> = {}
  for (const p of PROPS) {
    const v = feed[p.name]
    row[p.name] = DATE_PROPS.has(p.name) && typeof v === 'string' ? Date.parse(v) : v
  }
  return row as ORow
})
const created = (r: ORow): number => r.dateCreation as number
const windowOf = (days: number): ORow[] => ALL.filter((r) => created(r) >= NOW - days * DAY && created(r) <= NOW)

/** As the feed writes a row: model order, dates as ISO with Z and milliseconds. */
function feedRow(r: ORow, select: readonly string[] | null, omitNulls = false): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const p of PROPS) {
    if (select !== null && !select.includes(p.name)) continue
    const v = r[p.name] ?? null
    if (v === null && omitNulls) continue // Prefer: omit-values=nulls (OData 4.01 Part 1 §8.2.8.6)
    out[p.name] = DATE_PROPS.has(p.name) && v !== null ? new Date(v as number).toISOString() : v
  }
  return out
}

interface Query {
  count: boolean
  countPath: boolean
  filter: Ex | null
  /** Top-level dateCreation bounds added as conjuncts (what the planner pushes down). */
  bounds: { from: number | null; to: number | null; fromStrict: boolean; toStrict: boolean }
  orderby: OrderItem[] | null
  select: string[] | null
  selectText: string | null
  top: number | null
  skip: number | null
  search: SearchNode | null
  days: number | null
  maxPageSize: number | null
  omitNulls: boolean
  encoding: Encoding
  nameStyle: number
}

const optionName = (name: string, style: number): string => {
  if (name === 'days') return name
  switch (style) {
    case 1: return `$${name.toUpperCase()}`
    case 2: return name // OData 4.01: the $ is optional
    case 3: return `$${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`
    default: return `$${name}`
  }
}

function filterText(q: Query, bounds: string[]): string | null {
  const parts = [...(q.filter === null ? [] : [q.filter.text]), ...bounds]
  return parts.length === 0 ? null : parts.join(' and ')
}

function urlOf(q: Query, boundTexts: string[]): string {
  const pairs: [string, string][] = []
  const f = filterText(q, boundTexts)
  if (f !== null) pairs.push(['filter', f])
  if (q.search !== null) pairs.push(['search', searchText(q.search)])
  if (q.orderby !== null) pairs.push(['orderby', q.orderby.map((o) => `${o.ex.text}${o.suffix}`).join(',')])
  if (q.selectText !== null) pairs.push(['select', q.selectText])
  if (q.skip !== null) pairs.push(['skip', String(q.skip)])
  if (q.top !== null) pairs.push(['top', String(q.top)])
  if (q.count) pairs.push(['count', 'true'])
  if (q.days !== null) pairs.push(['days', String(q.days)])
  const qs = pairs.map(([k, v]) => `${optionName(k, q.nameStyle)}=${encodeValue(v, q.encoding)}`).join('&')
  return `${bridge.feed}${q.countPath ? 'Tasks/$count' : 'Tasks'}${qs === '' ? '' : `?${qs}`}`
}

/** The answer the feed must give, from the simulator's data alone. */
function expected(q: Query): { rows: ORow[]; count: number; window: ORow[]; lower: number } {
  const horizon = q.days ?? 30
  const window = windowOf(horizon)
  const b = q.bounds
  const inBounds = (r: ORow): boolean =>
    (b.from === null || (b.fromStrict ? created(r) > b.from : created(r) >= b.from)) &&
    (b.to === null || (b.toStrict ? created(r) < b.to : created(r) <= b.to))
  let rows = window.filter((r) =>
    inBounds(r) &&
    (q.filter === null || q.filter.ev(r) === true) &&
    (q.search === null || searchMatches(q.search, searchTexts(r, PROPS))))
  if (q.orderby !== null) rows = sortRows(rows, q.orderby, 'id')
  const count = rows.length
  const skip = q.skip ?? 0
  rows = rows.slice(skip, q.top === null ? undefined : skip + q.top)
  const lower = Math.max(NOW - horizon * DAY, b.from === null ? -Infinity : b.fromStrict ? Math.floor(b.from) + 1 : Math.ceil(b.from))
  return { rows, count, window, lower }
}

/** Tasks the upstream lists for `days` (its window: [NOW − days, NOW]). */
const upstreamTotal = (days: number): number => ALL.filter((r) => created(r) >= NOW - days * DAY && created(r) <= NOW).length

/**
 * dateCreation bounds as incremental refresh writes them (maybe literal-first),
 * sometimes exactly at a task's instant, a millisecond off, or with
 * sub-millisecond digits (7 fractional digits, as .NET writes them).
 */
function addPartition(q: Query, boundTexts: string[], p: Picker): void {
  const span = (q.days ?? 30) * DAY
  const window = windowOf(q.days ?? 30)
  const instant = (): { ms: number; digits: 0 | 3 | 7; sub: number } => {
    if (window.length > 0 && p.chance(0.5)) {
      const ms = created(p.one(window)) + p.one([0, 0, 1, -1])
      const sub = p.one([0, 1, 5000, 9999])
      return { ms, digits: sub === 0 ? p.one([3, 7] as const) : 7, sub }
    }
    return { ms: NOW - Math.floor(p.rand() * span * 1.1), digits: p.one([0, 3, 7] as const), sub: p.one([0, 5000]) }
  }
  const a = instant()
  const b = instant()
  const [lo, hi] = a.ms + (a.sub > 0 ? 0.5 : 0) <= b.ms + (b.sub > 0 ? 0.5 : 0) ? [a, b] : [b, a]
  const useFrom = p.chance(0.8)
  const useTo = !useFrom || p.chance(0.5)
  if (useFrom) {
    const l = dtoLiteral(lo.ms, p.one([0, 0, 180, -180, 330]), lo.digits, lo.sub)
    const strict = p.chance(0.3)
    q.bounds.from = l.value
    q.bounds.fromStrict = strict
    boundTexts.push(p.chance(0.2) ? `${l.text} ${strict ? 'lt' : 'le'} dateCreation` : `dateCreation ${strict ? 'gt' : 'ge'} ${l.text}`)
  }
  if (useTo) {
    const l = dtoLiteral(hi.ms, p.one([0, 0, 120, -300]), hi.digits, hi.sub)
    const strict = p.chance(0.6)
    q.bounds.to = l.value
    q.bounds.toStrict = strict
    boundTexts.push(p.chance(0.2) ? `${l.text} ${strict ? 'gt' : 'ge'} dateCreation` : `dateCreation ${strict ? 'lt' : 'le'} ${l.text}`)
  }
}

function generate(g: Grammar, p: Picker, index: number): { q: Query; boundTexts: string[] } {
  const kind = p.rand()
  const q: Query = {
    count: false, countPath: false, filter: null, bounds: { from: null, to: null, fromStrict: false, toStrict: false },
    orderby: null, select: null, selectText: null, top: null, skip: null, search: null,
    days: p.chance(0.65) ? null : p.one([1, 7, 30, 45, 90, 120]),
    maxPageSize: null, omitNulls: p.chance(0.15), encoding: p.one(['powerquery', 'powerquery', 'powerquery-raw-plus', 'uri'] as const),
    nameStyle: p.chance(0.8) ? 0 : p.int(1, 3)
  }
  const boundTexts: string[] = []
  if (kind < 0.12 || index % 10 === 0) {
    // Pure paging in the upstream order: $top/$skip windows read the exact pages.
    q.top = p.int(0, 150)
    q.skip = p.chance(0.8) ? p.int(0, 300) : null
    if (p.chance(0.3)) q.orderby = [{ ex: { text: 'dateCreation', ev: (r) => r.dateCreation as number }, desc: true, suffix: ' desc' }]
  } else if (kind < 0.22 || index % 10 === 5) {
    // Only dateCreation bounds (absorbed by the planner: days window, bisection, /$count by positions).
    addPartition(q, boundTexts, p)
    if (p.chance(0.3)) q.countPath = true
    else {
      if (p.chance(0.4)) q.top = p.int(0, 300)
      if (p.chance(0.3)) q.skip = p.int(0, 100)
      if (p.chance(0.4)) q.count = true
      if (p.chance(0.2)) q.orderby = g.orderby(1)
    }
  } else {
    if (p.chance(0.75)) q.filter = g.filter(p.int(0, 3))
    if (p.chance(0.35)) addPartition(q, boundTexts, p)
    if (p.chance(0.15)) q.search = g.search(p.int(0, 2))
    if (p.chance(0.1)) q.countPath = true
    else {
      if (p.chance(0.55)) q.orderby = g.orderby(p.int(1, 3))
      if (p.chance(0.4)) q.top = p.int(0, 400)
      if (p.chance(0.3)) q.skip = p.int(0, 200)
      if (p.chance(0.3)) q.count = true
    }
  }
  if (!q.countPath && p.chance(0.4)) {
    if (p.chance(0.15)) {
      q.selectText = '*'
    } else {
      q.select = p.some(PROPS.map((x) => x.name), 1, 5)
      q.selectText = q.select.join(',')
    }
  }
  return { q, boundTexts }
}

interface Outcome { ok: boolean; why: string; pages: number }

async function run(q: Query, boundTexts: string[], p: Picker): Promise<Outcome & { url: string }> {
  const url = urlOf(q, boundTexts)
  const exp = expected(q)
  // A random page size, keeping each load to a handful of bridge pages.
  const want = q.countPath ? 0 : exp.rows.length
  const m = p.chance(0.3) ? null : Math.max(1, Math.ceil(want / p.int(1, (q.days ?? 30) >= 90 ? 2 : 3)) + p.int(-1, 3))
  q.maxPageSize = m
  const pageSize = m ?? PAGE_SIZE
  const prefer = [...(m === null ? [] : [`odata.maxpagesize=${m}`]), ...(q.omitNulls ? ['omit-values=nulls'] : [])]
  const init: RequestInit = prefer.length === 0 ? {} : { headers: { prefer: prefer.join(', ') } }
  bridge.sim.resetStats() // quiet: the previous case waited for its last upstream call
  const fail = (why: string, pages = 0): Outcome & { url: string } => ({ ok: false, why, pages, url })

  if (q.countPath) {
    const res = await fetch(url)
    const text = await res.text()
    if (res.status !== 200) return fail(`${res.status}: ${text.slice(0, 300)}`)
    if (text !== String(exp.count)) return fail(`/$count: expected ${exp.count}, got ${text}`)
    return { ok: true, why: '', pages: 1, url }
  }

  const got: unknown[] = []
  let next: string | undefined = url
  let pages = 0
  while (next !== undefined) {
    if (++pages > 200) return fail('more than 200 pages', pages)
    const res: Response = await fetch(next, init)
    const text = await res.text()
    if (res.status !== 200) return fail(`page ${pages}: ${res.status}: ${text.slice(0, 400)}`, pages)
    const body = JSON.parse(text) as Record<string, unknown>
    const value = body.value as unknown[]
    if (pages === 1) {
      if (Object.keys(body)[0] !== '@odata.context') return fail('@odata.context is not first', pages)
      const applied = (res.headers.get('preference-applied') ?? '').split(/\s*[,;]\s*/).filter((x) => x !== '').sort()
      if (JSON.stringify(applied) !== JSON.stringify([...prefer].sort())) return fail(`Preference-Applied: ${String(res.headers.get('preference-applied'))}, expected ${prefer.join(', ')}`, pages)
      if (q.count && body['@odata.count'] !== exp.count) return fail(`@odata.count: expected ${exp.count}, got ${String(body['@odata.count'])}`, pages)
      if (!q.count && '@odata.count' in body) return fail('@odata.count without $count=true', pages)
    }
    if (value.length > pageSize) return fail(`page ${pages} has ${value.length} rows, more than the page size ${pageSize}`, pages)
    got.push(...value)
    next = body['@odata.nextLink'] as string | undefined
    if (next !== undefined && !next.startsWith(`${bridge.feed}Tasks?`)) return fail(`nextLink not absolute: ${next}`, pages)
  }
  const want2 = exp.rows.map((r) => feedRow(r, q.select, q.omitNulls))
  const a = JSON.stringify(got)
  const b = JSON.stringify(want2)
  if (a !== b) {
    const i = want2.findIndex((row, k) => JSON.stringify(row) !== JSON.stringify(got[k]))
    const at = i < 0 ? got.length : i
    return fail(`rows differ: expected ${want2.length}, got ${got.length}; first difference at ${at}: expected ${JSON.stringify(want2[at])} got ${JSON.stringify(got[at])}`, pages)
  }
  return { ok: true, why: '', pages, url }
}

/** Upstream pages covering positions [from, to). */
const pagesCovering = (from: number, to: number): number => (to <= from ? 0 : Math.floor((to - 1) / UPSTREAM_PAGE) - Math.floor(from / UPSTREAM_PAGE) + 1)

/** UPSTREAM_CONCURRENCY's default: pages the bridge may start together. */
const CONCURRENCY = 6

/**
 * The calls a query may cost: exact where the README makes it exact ($top/$skip
 * in the upstream order); for work over the whole window, the pages from the
 * head to the first task older than the window, plus at most one batch of
 * read-ahead (sets-calls.test.ts asserts the exact count); otherwise an upper
 * bound that catches reading far more than the window.
 */
function callBudget(q: Query, exp: ReturnType<typeof expected>, pages: number): { min: number; max: number; rule: string } {
  const budget = listedBudget(q, exp, pages)
  switch (READ) {
    case 'listed': return budget
    case 'reversed':
      // Back from the end of an oldest-first list: a page of the view may take two upstream pages, and a load starts with the list's first and last.
      return { min: Math.max(budget.min - 1, budget.min === 0 ? 0 : 1), max: budget.max + 2 * pages, rule: `${budget.rule}, read back from the end of the list (+2 per bridge page at most)` }
    case 'whole': {
      const all = Math.ceil(ALL.length / UPSTREAM_PAGE)
      if (q.top === 0 && !q.count && !q.countPath) return { min: 0, max: 0, rule: '$top=0 reads nothing' }
      return { min: all, max: pages * all, rule: `every page of the upstream window (${all}) for each bridge page` }
    }
  }
}

function listedBudget(q: Query, exp: ReturnType<typeof expected>, pages: number): { min: number; max: number; rule: string } {
  const n = exp.window.length
  if (q.top === 0 && !q.count && !q.countPath) return { min: 0, max: 0, rule: '$top=0 reads nothing' }
  const hasFilter = q.filter !== null || q.bounds.from !== null || q.bounds.to !== null
  const native = q.orderby === null || (q.orderby.length === 1 && q.orderby[0]?.ex.text === 'dateCreation' && q.orderby[0].desc)
  if (!hasFilter && q.search === null && native && !q.count && !q.countPath && q.top !== null && pages === 1) {
    const skip = q.skip ?? 0
    if (skip + q.top < n) {
      const exact = pagesCovering(skip, skip + q.top)
      return { min: exact, max: exact, rule: 'exactly the pages covering [skip, skip+top) in the upstream order' }
    }
  }
  const daysUp = Math.max(1, Math.ceil((NOW - exp.lower) / DAY) + 1)
  const total = upstreamTotal(daysUp)
  const head = ALL.filter((r) => created(r) >= exp.lower && created(r) <= NOW).length
  const full = total > head ? Math.floor(head / UPSTREAM_PAGE) + 1 : Math.max(1, Math.ceil(head / UPSTREAM_PAGE))
  const bisect = 2 * Math.ceil(Math.log2(total / UPSTREAM_PAGE + 2)) + 4
  const localSort = !native || (q.count && (q.filter !== null || q.search !== null))
  const noUpper = q.bounds.to === null && (q.filter === null || !q.filter.text.includes('dateCreation'))
  if (localSort && !q.countPath && pages === 1 && noUpper) {
    return { min: full, max: full + CONCURRENCY - 1, rule: `the ${full} pages from the head to the first task older than the window (${head} tasks), plus at most one read-ahead batch` }
  }
  return { min: 0, max: pages * (full + bisect + CONCURRENCY), rule: `at most ${pages} bridge pages × (${full} window pages + ${bisect} for a bisection + a read-ahead batch)` }
}

t.test(`${CASES} random Tasks queries agree with the reference (seed ${SEED}, upstream ${VARIANT})`, async (t) => {
  const p = new Picker(rng(SEED))
  const g = new Grammar(p.rand, PROPS, windowOf(120), NOW)
  let failures = 0
  let exactChecks = 0
  let boundedChecks = 0
  let overRead = 0
  let emptyTrailingPages = 0
  let emptyResults = 0
  const started = Date.now()
  for (let i = 0; i < CASES; i++) {
    const { q, boundTexts } = generate(g, p, i)
    const out = await run(q, boundTexts, p)
    const calls = (await quietStats(bridge.sim)).tasks
    const exp = expected(q)
    const prefs = [...(q.maxPageSize === null ? [] : [`odata.maxpagesize=${q.maxPageSize}`]), ...(q.omitNulls ? ['omit-values=nulls'] : [])]
    const tag = `#${i} (seed ${SEED}) ${out.url}${prefs.length === 0 ? '' : ` [Prefer: ${prefs.join(', ')}]`}`
    if (!out.ok) {
      failures++
      t.fail(`${tag}: ${out.why}`)
      continue
    }
    const pageSize = q.maxPageSize ?? PAGE_SIZE
    if (!q.countPath && out.pages > Math.max(1, Math.ceil(exp.rows.length / pageSize))) emptyTrailingPages++
    const budget = callBudget(q, exp, out.pages)
    if (budget.min === budget.max) exactChecks++
    else if (budget.min > 0) {
      boundedChecks++
      if (calls > budget.min) overRead += calls - budget.min
    }
    if (calls < budget.min || calls > budget.max) {
      failures++
      t.fail(`${tag}: ${calls} upstream calls, expected ${budget.min === budget.max ? `exactly ${budget.min}` : `${budget.min}–${budget.max}`}: ${budget.rule}`)
      continue
    }
    if (!q.countPath && exp.rows.length === 0) emptyResults++
    if (process.env.DIFF_VERBOSE !== undefined) t.comment(`${tag} → ${q.countPath ? `count ${exp.count}` : `${exp.rows.length} rows`}, ${out.pages} pages, ${calls} calls`)
    t.pass(`#${i}`)
  }
  t.comment(`${CASES} cases, ${failures} failed; ${exactChecks} with an exact call count, ${boundedChecks} whole-window reads (${overRead} calls read ahead past the window in all); ${emptyTrailingPages} loads ended on an empty page; ${emptyResults} empty results; ${Date.now() - started} ms`)
})

t.test('DateTimeOffset literals with sub-millisecond digits bound dateCreation exactly', async (t) => {
  // OData 4.01 Part 2 §5.1.1.1: …:12.745Z lt …:12.7450001Z is true, …:12.745Z gt …:12.7449999Z is true;
  // a literal with sub-millisecond digits equals no whole-millisecond instant.
  const window = windowOf(30)
  const task = window[100] as ORow
  const x = created(task)
  const iso = (ms: number, extra: string): string => new Date(ms).toISOString().replace('Z', `${extra}Z`)
  // [literal, whole ms below it]: the literal lies strictly between `below` and `below + 1`.
  const literals: [string, number][] = [[iso(x, '0001'), x], [iso(x, '5'), x], [iso(x - 1, '9999'), x - 1], [iso(x - 1, '9998'), x - 1], [iso(x, ''), Number.NaN]]
  for (const [text, below] of literals) {
    for (const op of ['lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const) {
      const exact = Number.isNaN(below)
      const keep = (c: number): boolean => {
        if (exact) return { lt: c < x, le: c <= x, gt: c > x, ge: c >= x, eq: c === x, ne: c !== x }[op]
        const under = c <= below // c < literal; otherwise c > literal (never equal)
        return { lt: under, le: under, gt: !under, ge: !under, eq: false, ne: true }[op]
      }
      const want = window.filter((r) => keep(created(r))).map((r) => r.id)
      const f = encodeValue(`dateCreation ${op} ${text}`, 'powerquery')
      const rows = (await readAll(`${bridge.feed}Tasks?$select=id&$filter=${f}`)).rows.map((r) => r.id)
      t.same(rows, want, `$filter=dateCreation ${op} ${text}: ${want.length} rows`)
      const count = await (await fetch(`${bridge.feed}Tasks/$count?$filter=${f}`)).text()
      t.equal(count, String(want.length), `Tasks/$count?$filter=dateCreation ${op} ${text}`)
    }
  }
})
