// Tasks: the upstream can only page (20 rows) within a "last N days" window,
// in an order the bridge found out (upstream/task-order.ts): newest first, read
// as listed; oldest first, read back from the end (task-pages.ts), so the
// rules below see newest first either way; no order by date, read whole
// (whole-read.ts). A load's set is fixed by its snapshot, taken from the upstream
// itself when the load starts, never from the bridge's clock (BotCity's clock
// and ours differ): the tasks the upstream listed then — none newer than the
// newest task it showed (`h`, and the ids it showed at that millisecond) —
// created in the last N days by BotCity's clock (`T`, from its Date headers),
// narrowed by any dateCreation bounds of $filter. Every read asks for the same
// upstream window, the longest horizon plus two days, so every query shares one
// sequence of pages and no task of a set leaves the window during its load.
// In the upstream order the bridge reads only the pages the answer needs; any
// other order reads the whole set and sorts here. A count is worked out once,
// when the load starts, and carried with it.
import { randomUUID } from 'node:crypto'
import { bridgeError } from '../errors.js'
import type { Expr } from '../odata/ast.js'
import { TASK_WINDOW_DAYS } from '../upstream/task-order.js'
import type { ReadPlan } from '../plan/plan.js'
import { expectResume } from '../plan/resume.js'
import type { LocalResume, OrderPoint, ScanCursor, ScanResume, Snapshot } from '../plan/resume.js'
import type { Stamped } from '../upstream/page-cache.js'
import type { SpringPage, WireTask } from '../upstream/wire.js'
import { MS_PER_DAY as DAY_MS } from '../odata/civil-date.js'
import type { ExecContext, ExecResult } from './context.js'
import { applyWindow, keyTieBreak, matches } from './local-window.js'
import { rowReader } from './read-rows.js'
import { sortInTurns } from './sort-in-turns.js'
import type { Row, RowValue } from '../model/row.js'
import { beyond, dateOf, locate, scanTasks } from './task-scan.js'
import { readWindow } from './whole-read.js'
import type { Dated } from './whole-read.js'
import type { ScanBounds } from './task-scan.js'
import { PageRun } from './page-run.js'
import { ReversedPages, asListed } from './task-pages.js'
import type { TaskPages } from './task-pages.js'

const MAX_RESTARTS = 3

/** The set's instants (and the ids of its newest millisecond), and the load's snapshot. */
interface Bounds extends ScanBounds { readonly snapshot: Snapshot }

const residualFree = (plan: ReadPlan): boolean => plan.residual.filter === null && plan.residual.search === null

/**
 * A page of Tasks, checked against the order every positional rule of this
 * file rests on (upstream/task-order.ts found it, or the operator set it):
 * newest first (or oldest first, read back from the end: task-pages.ts),
 * tasks of one millisecond in any order. A page that contradicts
 * it fails the request — a 502 that says so, never rows that may be wrong or
 * missing — and makes the bridge find the order out again.
 */
function inUpstreamOrder(ctx: ExecContext, read: Stamped<SpringPage<WireTask>>): Stamped<SpringPage<WireTask>> {
  const { content, number } = read.value
  const oldestFirst = ctx.plan.listing === 'oldest-first'
  for (let i = 1; i < content.length; i++) {
    const before = content[i - 1] as WireTask
    const task = content[i] as WireTask
    if (oldestFirst ? dateOf(task) < dateOf(before) : dateOf(task) > dateOf(before)) {
      ctx.access.orderContradicted()
      throw bridgeError('UPSTREAM_BAD_RESPONSE', `BotCity Insights listed task ${task.id} (created ${task.dateCreation}) after task ${before.id} (created ${before.dateCreation}) on page ${number} of /api/v1/insights/tasks: its tasks are not ${oldestFirst ? 'oldest' : 'newest'} first, the order the bridge found and pages them in. The bridge stopped rather than answer with wrong or missing rows, and will find out the order again: retry the refresh. If this repeats, tell whoever runs the bridge (its log has this message).`)
    }
  }
  return read
}

/** The snapshot of a load starting now: page 0 as the upstream lists it (or as cached, at most CACHE_TTL_S ago). */
async function takeSnapshot(ctx: ExecContext, run: TaskPages): Promise<Snapshot> {
  const first = await run.get(0)
  const T = ctx.access.upstreamNow()
  const newest = first.content[0]
  if (newest === undefined) return { T, h: null, hIds: null }
  const h = dateOf(newest)
  const atH = first.content.filter((t) => dateOf(t) === h)
  // A whole page of tasks at one millisecond: the set takes every task at h.
  return { T, h, hIds: atH.length === first.content.length && first.content.length > 1 ? null : atH.map((t) => t.id) }
}

export async function executeTasks(ctx: ExecContext): Promise<ExecResult> {
  const { plan } = ctx
  const state = expectResume(plan.resume, 'scan', 'local')
  const wantCount = plan.window.countOnly || plan.window.count
  if (plan.strategy === 'none') return { rows: [], count: null, next: null }
  const params = plan.upstream.params
  if (plan.strategy === 'whole-read') {
    const run = new PageRun<WireTask>((page, fresh) => ctx.access.page<WireTask>('tasks', page, params, fresh))
    return wholeWindow(ctx, run, state?.m === 'local' ? state : null)
  }
  const listed = new PageRun<WireTask>(async (page, fresh) => inUpstreamOrder(ctx, await ctx.access.page<WireTask>('tasks', page, params, fresh)))
  const reversed = plan.listing === 'oldest-first' ? await ReversedPages.open(ctx, listed, state?.s.listed) : null
  const run = reversed ?? asListed(listed, { page: (page) => ctx.access.ledgerPage(page, params), holds: (page) => ctx.access.ledgerHolds(page, params), later: (page) => ctx.access.ledgerLater(page, params) })
  // Every plan reads page 0 first, except a window in the upstream order that jumps past it.
  let snapshot = state?.s ?? (plan.jump ? { T: ctx.access.upstreamNow(), h: null, hIds: null } : await takeSnapshot(ctx, run))
  if (reversed !== null) snapshot = { ...snapshot, listed: reversed.listed }
  const bounds = boundsOf(ctx, snapshot)
  if (bounds === null) return { rows: [], count: wantCount ? 0 : null, next: null }
  switch (plan.strategy) {
    case 'count':
      return { rows: [], count: await countBetween(ctx, run, bounds), next: null }
    // A count of what a residual filter matches fixes the load's rows on its first page
    // (localWindow keeps them), so the count is the rows served whatever tasks do meanwhile.
    case 'full-scan':
    case 'held-order':
      return localWindow(ctx, (take) => readSet(ctx, run, bounds, take), bounds, state?.m === 'local' ? state : null)
    case 'native-window':
    case 'date-window':
      for (let attempt = 0; ; attempt++) {
        const result = await nativeScan(ctx, run, bounds, state?.m === 'scan' ? state : null)
        if (result !== 'restart') return result
        if (attempt >= MAX_RESTARTS) throw bridgeError('UPSTREAM_UNAVAILABLE', 'Tasks in BotCity Insights changed too fast to read a consistent page; retry.')
        run.forgetAll()
      }
    case 'lookup':
      throw bridgeError('BRIDGE_ERR_INTERNAL', `No Tasks executor runs the strategy ${plan.strategy}.`)
  }
}

/** The set's bounds for a load of this snapshot (null: empty). */
function boundsOf(ctx: ExecContext, snapshot: Snapshot): Bounds | null {
  const { plan } = ctx
  const lower = Math.max(snapshot.T - plan.horizonDays * DAY_MS, plan.range.from ?? -Infinity)
  const head = snapshot.h ?? Infinity
  const upper = Math.min(head, plan.range.to ?? Infinity)
  if (lower > upper) return null
  if (ctx.access.upstreamNow() - (TASK_WINDOW_DAYS - 1) * DAY_MS > lower) {
    throw bridgeError('BRIDGE_ERR_SKIPTOKEN_INVALID', 'This paged load started too long ago for BotCity Insights to still hold its oldest tasks; restart the refresh.', { target: '$skiptoken' })
  }
  return { lower, upper, upperIds: upper === head ? snapshot.hIds : null, snapshot }
}

/**
 * A read of an upstream that lists tasks in no order by date (whole-read.ts):
 * the load's snapshot is the newest task of the moment it read; the set, its
 * tasks within the bounds, newest first (then by descending id); then as a
 * local sort.
 */
async function wholeWindow(ctx: ExecContext, run: PageRun<WireTask>, state: LocalResume | null): Promise<ExecResult> {
  let moment: Promise<Dated[]> | null = null
  const all = (): Promise<Dated[]> => (moment ??= readWindow(ctx, run))
  let snapshot = state?.s
  if (snapshot === undefined) {
    const T = ctx.access.upstreamNow()
    const tasks = await all()
    const h = tasks[tasks.length - 1]?.date ?? null
    snapshot = { T, h, hIds: h === null ? null : tasks.filter((t) => t.date === h).map((t) => t.task.id) }
  }
  const bounds = boundsOf(ctx, snapshot)
  const wantCount = ctx.plan.window.countOnly || ctx.plan.window.count
  if (bounds === null) return { rows: [], count: wantCount ? 0 : null, next: null }
  const read = rowReader(ctx.plan.set)
  return localWindow(ctx, async (take) => {
    const tasks = await all()
    let seen = 0
    for (let i = tasks.length - 1; i >= 0; i--) {
      const { task, date } = tasks[i] as Dated
      if (date < bounds.lower || beyond(bounds.upper, bounds.upperIds, task, date)) continue
      if (++seen > ctx.maxLocalRows) throw tooManyRows(ctx)
      take(read(task as unknown as Record<string, unknown>))
    }
  }, bounds, state)
}

/**
 * Tasks of the set, counted by two positions: where the set starts and where
 * it ends in the upstream order (the end of the list when the set reaches
 * past the oldest task, as a whole horizon does). New tasks arriving between the two reads
 * shift the later one by the growth in totalElements — exactly, as long as no
 * task left the window's tail in between, which the age of the oldest task in
 * the window rules out (the upstream keeps a task at least TASK_WINDOW_DAYS − 1
 * days). Where it cannot (a workspace with ten years of history), the set is
 * counted by reading it.
 */
async function countBetween(ctx: ExecContext, run: TaskPages, bounds: Bounds): Promise<number> {
  const start = await locate(run, bounds.upper, ctx.plan.upstreamPageSize, bounds.upperIds)
  const oldest = await oldestTaskDate(ctx, run, start.pageSize, start.total)
  // The set reaches past the oldest task: it ends where the list does, in the same read.
  if (oldest === null || bounds.lower <= oldest) return Math.max(0, start.total - start.pos)
  const end = await locate(run, bounds.lower - 1, start.pageSize, null, oldest)
  if (start.total === end.total && start.ref === end.ref) return Math.max(0, end.pos - start.pos)
  // The upstream keeps a task at least TASK_WINDOW_DAYS − 1 days (its window rule
  // is undocumented); a day more covers our estimate of its clock.
  if (oldest > ctx.access.upstreamNow() + DAY_MS - (TASK_WINDOW_DAYS - 1) * DAY_MS) {
    return Math.max(0, end.pos - start.pos - (end.total - start.total))
  }
  let n = 0
  await scanTasks({ run, bounds, cursor: emptyCursor(), pageSizeHint: end.pageSize, jumped: false, batchPages: () => ctx.concurrency, step: () => { n++; return true } })
  return n
}

/**
 * The dateCreation of the oldest task in the upstream window (null: none).
 * It only moves forward as tasks leave, so a remembered value errs on the safe side.
 */
function oldestTaskDate(ctx: ExecContext, run: TaskPages, pageSize: number, total: number): Promise<number | null> {
  return ctx.access.remember('oldest task', async () => {
    let page = Math.max(0, Math.ceil(total / pageSize) - 1)
    for (let reads = 0; reads < 100; reads++) {
      const p: SpringPage<WireTask> = await run.get(page)
      const last = p.content[p.content.length - 1]
      if (last === undefined) {
        if (page === 0) return null
        page--
      } else if (p.last || p.content.length < pageSize) {
        return dateOf(last)
      } else {
        page++
      }
    }
    // The tail kept moving: assume the worst.
    return -Infinity
  })
}

function emptyCursor(): ScanCursor {
  return { pos: 0, total: null, ref: null, lastDate: null, lastIds: [] }
}

/** Where reading starts: the head, or where an upper bound before the newest task starts (found by bisection). */
async function startOf(run: TaskPages, bounds: Bounds, pageSizeHint: number): Promise<{ cursor: ScanCursor; anchor: OrderPoint | null; pageSize: number }> {
  if (bounds.upper === (bounds.snapshot.h ?? Infinity)) return { cursor: emptyCursor(), anchor: Number.isFinite(bounds.upper) ? { pos: 0, date: bounds.upper } : null, pageSize: pageSizeHint }
  const at = await locate(run, bounds.upper, pageSizeHint, bounds.upperIds)
  return { cursor: { ...emptyCursor(), pos: at.pos, total: at.total, ref: at.ref, refStart: at.refStart }, anchor: { pos: at.pos, date: bounds.upper }, pageSize: at.pageSize }
}

/**
 * Pages worth reading from the cursor's page when the plan knows where the
 * set ends at the latest (earlier reads placed its first day): through the
 * page holding the row after it, whose date shows the end. New tasks since
 * the plan's total shift that end by their number.
 */
function toKnownEnd(plan: ReadPlan, c: ScanCursor, ps: number): number {
  const end = plan.setEnd
  if (end === null) return Infinity
  const last = end.rows + Math.max(0, (c.total ?? end.total) - end.total)
  return Math.max(1, Math.floor(last / ps) - Math.floor(c.pos / ps) + 1)
}

function tooManyRows(ctx: ExecContext): Error {
  return bridgeError('BRIDGE_ERR_WINDOW_TOO_LARGE', `This query needs more than ${ctx.maxLocalRows} tasks sorted or counted in the bridge. Narrow it with a dateCreation filter (e.g. $filter=dateCreation ge 2024-01-01T00:00:00Z) or a shorter horizon (days=N)${ctx.plan.strategy === 'whole-read' ? '' : ', or sort by dateCreation desc, which the upstream does itself'}.`, { target: '$orderby' })
}

/** Hands each row of the set to `take` (a local sort's source). */
type RowSource = (take: (row: Row) => void) => Promise<void>

/** Reads the whole set once (bounded by MAX_LOCAL_ROWS), handing each row to `take`. */
async function readSet(ctx: ExecContext, run: TaskPages, bounds: Bounds, take: (row: Row) => void): Promise<void> {
  const read = rowReader(ctx.plan.set)
  const start = await startOf(run, bounds, ctx.plan.upstreamPageSize)
  const end = new EndEstimate(start.anchor, bounds.lower)
  let seen = 0
  await scanTasks({
    run,
    bounds,
    cursor: start.cursor,
    pageSizeHint: start.pageSize,
    jumped: false,
    batchPages: (ps, c) => Math.min(ctx.concurrency, end.pages(c, ps), toKnownEnd(ctx.plan, c, ps)),
    step: (task) => {
      if (++seen > ctx.maxLocalRows) throw tooManyRows(ctx)
      take(read(task as unknown as Record<string, unknown>))
      return true
    }
  })
}

async function localWindow(ctx: ExecContext, source: RowSource, bounds: Bounds, state: LocalResume | null): Promise<ExecResult> {
  if (state?.o !== undefined) return heldOrderPage(ctx, source, bounds, state, state.o)
  const { window, set } = ctx.plan
  const keep = matches(ctx.residual)
  const offset = state?.offset ?? 0
  // Only the first `limit` rows of the ordered result can reach this page: keep
  // those (re-cut now and then), count the rest — memory follows the page, not
  // the window. Of every matching row, only what orders it is kept, in case the
  // answer spans pages: its order is then kept for the load (keepOrder).
  const { skip } = window
  const limit = skip + Math.min(window.top ?? Infinity, offset + window.pageSize)
  const { compare } = ctx.residual
  const tie = keyTieBreak(set.key)
  const order = compare === null ? null : (a: Row, b: Row): number => compare(a, b) || tie(a, b)
  const cut = (): void => {
    if (order !== null) kept.sort(order)
    if (kept.length > limit) kept.length = limit
  }
  const kept: Row[] = []
  const orderOnly = ordering(ctx)
  const all: Row[] = []
  let matchedRows = 0
  await source((row) => {
    if (!keep(row)) return
    matchedRows++
    if (!window.countOnly) all.push(orderOnly(row))
    if (order !== null || kept.length < limit) kept.push(row)
    if (kept.length >= 2 * limit + 1024) cut()
  })
  cut()
  const page = applyWindow(kept, { filter: null, search: null, compare: null }, set.key, {
    skip, top: window.top, offset, pageSize: window.pageSize, matched: matchedRows
  })
  const count = state?.n ?? page.matched
  let held: string | undefined
  if (page.nextOffset !== null && !window.countOnly) {
    // The next pages follow this order, whatever the tasks do meanwhile.
    const ordered = order === null ? all : await sortInTurns(all, order)
    held = randomUUID()
    await ctx.access.keepOrder(held, ordered.map((r) => r[set.key] as number))
  }
  return {
    rows: window.countOnly ? [] : page.rows,
    count: window.count || window.countOnly ? count : null,
    next: page.nextOffset === null || window.countOnly ? null : ({ m: 'local', s: bounds.snapshot, offset: page.nextOffset, n: window.count ? count : null, ...(held === undefined ? {} : { o: held }) } satisfies LocalResume)
  }
}

/** A row reduced to what the residual order compares (and the key): what a load's order is computed from. */
function ordering(ctx: ExecContext): (row: Row) => Row {
  const names = new Set<string>([ctx.plan.set.key])
  for (const item of ctx.plan.residual.orderby) propertyNames(item.expr, names)
  return (row) => {
    const out: Record<string, RowValue> = {}
    for (const name of names) out[name] = row[name] ?? null
    return out
  }
}

function propertyNames(expr: Expr, into: Set<string>): void {
  switch (expr.kind) {
    case 'property': into.add(expr.name); return
    case 'compare': case 'and': case 'or': case 'arith': propertyNames(expr.left, into); propertyNames(expr.right, into); return
    case 'not': case 'negate': propertyNames(expr.operand, into); return
    case 'in': propertyNames(expr.left, into); for (const e of expr.list) propertyNames(e, into); return
    case 'call': for (const e of expr.args) propertyNames(e, into); return
    case 'lambda': propertyNames(expr.collection, into); if (expr.predicate !== null) propertyNames(expr.predicate, into); return
    case 'literal': case 'variable': return
    default: {
      const never: never = expr
      return never
    }
  }
}

/** A later page of a load whose order is held: the ids of its slice, read from the set as the tasks stand now. */
async function heldOrderPage(ctx: ExecContext, source: RowSource, bounds: Bounds, state: LocalResume, key: string): Promise<ExecResult> {
  const { window, set } = ctx.plan
  const ids = await ctx.access.order(key)
  if (ids === null) {
    throw bridgeError('BRIDGE_ERR_SKIPTOKEN_INVALID', 'The order of this paged load is no longer held (the bridge restarted, or the load paused for hours); restart the refresh.', { target: '$skiptoken' })
  }
  const { skip } = window
  const start = skip + state.offset
  const end = window.top === null ? ids.length : Math.min(ids.length, skip + window.top)
  const pageEnd = Math.min(end, start + window.pageSize)
  const wanted = new Map<number, Row | null>(ids.slice(start, pageEnd).map((id) => [id, null]))
  await source((row) => {
    const id = row[set.key] as number
    if (wanted.has(id)) wanted.set(id, row)
  })
  const rows: Row[] = []
  for (const [id, row] of wanted) {
    if (row === null) throw bridgeError('UPSTREAM_UNAVAILABLE', `Task ${id} of this load is no longer listed by BotCity Insights; restart the refresh.`)
    rows.push(row)
  }
  const count = state.n ?? ids.length
  return {
    rows,
    count: window.count ? count : null,
    next: pageEnd < end ? ({ m: 'local', s: bounds.snapshot, offset: pageEnd - skip, n: state.n, o: key } satisfies LocalResume) : null
  }
}

async function nativeScan(ctx: ExecContext, run: TaskPages, bounds: Bounds, state: ScanResume | null): Promise<ExecResult | 'restart'> {
  const { plan } = ctx
  const { window } = plan
  const free = residualFree(plan)
  const read = rowReader(plan.set)
  const keep = matches(ctx.residual)
  const { top } = window
  const given = state?.given ?? 0
  const want = Math.min(window.pageSize, top === null ? Infinity : top - given)
  // With $count, the planner sends here only residual-free loads.
  const count = !window.count ? null : state?.n ?? await countBetween(ctx, run, bounds)
  if (want <= 0) return { rows: [], count, next: null }
  let cursor: ScanCursor = state?.cur ?? emptyCursor()
  let pageSizeHint = state?.ps ?? plan.upstreamPageSize
  let skipLeft = state === null ? window.skip : 0
  let jumped = false
  let anchor: OrderPoint | null = state === null ? null : state.a
  if (state === null) {
    const start = await startOf(run, bounds, pageSizeHint)
    cursor = start.cursor
    anchor = start.anchor
    pageSizeHint = start.pageSize
    if (free && skipLeft > 0) {
      cursor = { ...cursor, pos: cursor.pos + skipLeft }
      skipLeft = 0
      jumped = true
    }
  }
  const rows: Row[] = []
  const end = new EndEstimate(anchor, bounds.lower)
  let scanned = 0
  let matched = 0
  let batches = 0
  const outcome = await scanTasks({
    run,
    bounds,
    cursor,
    pageSizeHint,
    jumped,
    batchPages: (ps, c) => {
      // Without a residual filter the rows this page needs fill a known number of
      // pages (the read-ahead fetches the next page's). With one, each upstream row
      // matches at most once, so the rows the whole load still needs (its $top, or
      // all) take at least that many pages: reading that many never reads a page
      // the load will not use. Beyond it, only the share of rows matching so far
      // says how far the matches lie: half of that estimate, or doubling batches
      // while nothing matched (a key looked up by a filter), keeps a rare match fast.
      const need = free ? want - rows.length : skipLeft + (top === null ? Infinity : top - given - rows.length)
      const certain = Math.ceil(((c.pos % ps) + need) / ps)
      const likely = free || scanned === 0 ? certain
        : matched === 0 ? 2 ** batches
          : Math.max(certain, Math.floor(need / (matched / scanned) / ps / 2))
      batches++
      return Math.max(1, Math.min(likely, ctx.concurrency, end.pages(c, ps), toKnownEnd(plan, c, ps)))
    },
    step: (task) => {
      const row = read(task as unknown as Record<string, unknown>)
      scanned++
      if (!keep(row)) return true
      matched++
      if (skipLeft > 0) {
        skipLeft--
        return true
      }
      rows.push(row)
      return rows.length < want
    }
  })
  if (outcome.restart === true) return 'restart'
  const more = !outcome.ended && (top === null || given + rows.length < top)
  if (more && ctx.prefetch && free) readAhead(ctx, run, outcome.cursor, outcome.pageSize, Math.min(READ_AHEAD_PAGES * window.pageSize, top === null ? Infinity : top - given - rows.length), end)
  return {
    rows,
    count,
    next: more ? ({ m: 'scan', s: bounds.snapshot, cur: outcome.cursor, ps: outcome.pageSize, given: given + rows.length, a: anchor ?? end.first(), n: count } satisfies ScanResume) : null
  }
}

/** Bridge pages read ahead: two keep the upstream busy while one is being answered and read. */
const READ_AHEAD_PAGES = 2

/**
 * Starts reading, into the page cache, the upstream pages the next pages of this
 * load will need, so the upstream works while the client reads this answer.
 * Those reads start after every read of this request ended, so the next
 * request sees them as newer reads (task-scan.ts) and stays exact.
 */
function readAhead(ctx: ExecContext, run: TaskPages, cursor: ScanCursor, ps: number, rows: number, end: EndEstimate): void {
  const first = Math.floor(cursor.pos / ps)
  // Pages past the upstream's last, as it stood at the latest read, are empty now:
  // a long horizon over a short history read up to two answers' worth of them.
  const total = ctx.access.total('tasks', ctx.plan.upstream.params)
  const listed = total === null ? Infinity : Math.ceil(total / ps) - first
  const count = Math.min(Math.ceil(((cursor.pos % ps) + rows) / ps), end.pages(cursor, ps), toKnownEnd(ctx.plan, cursor, ps), listed)
  const upstream = new Set<number>()
  for (let p = first; p < first + count; p++) for (const u of run.upstreamPages(p)) upstream.add(u)
  for (const u of upstream) ctx.access.readAhead('tasks', u, ctx.plan.upstream.params)
}

/** Rows behind the cursor a recent rate is measured over (three upstream pages). */
const RECENT_ROWS = 60

/**
 * Where the set ends, estimated from the creation dates read so far at the
 * slowest rate seen over a stretch ending at the cursor (since the load's
 * anchor, or since any earlier batch at least RECENT_ROWS back): creation
 * rates vary with weekdays and office hours, and a guess too far costs calls.
 * Batches then cover only half the pages estimated to be left, so they shrink
 * as the end nears and the last pages are read one at a time; a call past the
 * end is made only when the rate falls by more than half just before the end.
 */
class EndEstimate {
  private readonly points: OrderPoint[]

  /** `anchor`: where the load started reading, if known (else the first row read). */
  constructor(anchor: OrderPoint | null, private readonly lower: number) {
    this.points = anchor === null ? [] : [anchor]
  }

  /** The first point known: the anchor, or the first row read. */
  first(): OrderPoint | null {
    return this.points[0] ?? null
  }

  /** Pages worth reading from the cursor's page (at least 1). */
  pages(c: ScanCursor, ps: number): number {
    if (c.lastDate === null) return Infinity
    const here = { pos: c.pos, date: c.lastDate }
    const last = this.points[this.points.length - 1]
    if (last === undefined || here.pos > last.pos) this.points.push(here)
    // The slowest rate over any stretch ending here (the whole load, or the last
    // rows read) is the safest guess of how many rows are left before `lower`.
    let endPos = Infinity
    for (let i = 0; i < this.points.length; i++) {
      const from = this.points[i] as OrderPoint
      if ((i > 0 && from.pos > here.pos - RECENT_ROWS) || here.pos <= from.pos || from.date <= here.date) continue
      const rowsPerMs = (here.pos - from.pos) / (from.date - here.date)
      endPos = Math.min(endPos, here.pos + (here.date - this.lower) * rowsPerMs)
    }
    if (endPos === Infinity) return Infinity
    const left = Math.floor(endPos / ps) - Math.floor(here.pos / ps) + 1
    return Math.max(1, Math.floor(left / 2))
  }
}
