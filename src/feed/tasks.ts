// Tasks: the upstream can only page (20 rows, newest first) within a "last N
// days" window. The set is the tasks created in [T − horizon, T], T being the
// moment the load started (carried in the skiptoken), narrowed by any
// dateCreation bounds of $filter; `days` asks for the smallest window covering
// the lower bound, with one day of margin since the upstream's exact window
// rule is undocumented. In the upstream order the bridge reads only the pages
// the answer needs; any other order reads the whole window and sorts here.
import { bridgeError } from '../errors.js'
import { instantRange } from '../plan/conjuncts.js'
import type { WireTask } from '../upstream/wire.js'
import { DAY_MS } from './exec-context.js'
import type { ExecContext, ExecResult } from './exec-context.js'
import { applyWindow, keyTieBreak, matches } from './local-window.js'
import { rowReader } from './row.js'
import type { Row } from './row.js'
import { locate, scanTasks } from './task-scan.js'
import type { ScanCursor } from './task-scan.js'
import { PageRun } from './upstream-access.js'

/** Resumable scan: snapshot T, cursor, page size, rows given so far, and an anchor (position ↔ date) for estimating where the set ends. */
interface ScanState { m: 'scan'; T: number; days: number; cur: ScanCursor; ps: number; given: number; aPos: number; aDate: number }
interface LocalState { m: 'local'; T: number; days: number; offset: number }

const MAX_RESTARTS = 3

/** The set's instants, and where the upstream window starts (for estimating positions). */
interface Bounds { readonly lower: number; readonly upper: number; readonly windowStart: number }

function isNativeOrder(ctx: ExecContext): boolean {
  const o = ctx.query.orderby
  return o.length === 0 || (o.length === 1 && o[0]?.descending === true && o[0].expr.kind === 'property' && o[0].expr.name === 'dateCreation')
}

function readState(state: unknown): ScanState | LocalState | null {
  if (state === null) return null
  const s = state as { m?: unknown; T?: unknown; days?: unknown }
  if ((s.m === 'scan' || s.m === 'local') && typeof s.T === 'number' && typeof s.days === 'number') return s as ScanState | LocalState
  throw bridgeError('BRIDGE_ERR_SKIPTOKEN_INVALID', 'The $skiptoken does not belong to a Tasks query.', { target: '$skiptoken' })
}

export async function executeTasks(ctx: ExecContext): Promise<ExecResult> {
  const state = readState(ctx.state)
  const T = state?.T ?? ctx.now
  const range = instantRange(ctx.query.filter, 'dateCreation')
  const lower = Math.max(T - ctx.horizonDays * DAY_MS, range.from ?? -Infinity)
  const upper = Math.min(T, range.to ?? Infinity)
  if (lower > upper) return { rows: [], count: ctx.query.count || ctx.countOnly ? 0 : null, next: null }
  // The window stays the same for the whole load, so upstream positions only
  // move with new tasks; one day of margin covers the upstream's undocumented
  // window rule and a load that lasts up to a day.
  const days = state?.days ?? Math.max(1, Math.ceil((ctx.now - lower) / DAY_MS) + 1)
  if (ctx.now - days * DAY_MS > lower) {
    throw bridgeError('BRIDGE_ERR_SKIPTOKEN_INVALID', 'This paged load started too long ago for BotCity Insights to still hold its oldest tasks; restart the refresh.', { target: '$skiptoken' })
  }
  const run = new PageRun<WireTask>((page, fresh) => ctx.access.taskPage(page, days, fresh))
  const residualFree = range.absorbed && ctx.residual.search === null
  const bounds: Bounds = { lower, upper, windowStart: ctx.now - days * DAY_MS }

  if (ctx.countOnly && residualFree) return { rows: [], count: await countBetween(run, bounds, ctx.pageSizeHint), next: null }
  if (!isNativeOrder(ctx) || state?.m === 'local' || ((ctx.countOnly || ctx.query.count) && !residualFree)) {
    return localWindow(ctx, run, bounds, T, days, state?.m === 'local' ? state.offset : 0)
  }
  for (let attempt = 0; ; attempt++) {
    const result = await nativeScan(ctx, run, bounds, T, days, residualFree, state as ScanState | null)
    if (result !== 'restart') return result
    if (attempt >= MAX_RESTARTS) throw bridgeError('UPSTREAM_UNAVAILABLE', 'Tasks in BotCity Insights changed too fast to read a consistent page; retry.')
    run.forgetAll()
  }
}

async function countBetween(run: PageRun<WireTask>, bounds: Bounds, hint: number): Promise<number> {
  const start = await locate(run, bounds.upper, hint, bounds.windowStart)
  const end = await locate(run, bounds.lower - 1, hint, bounds.windowStart)
  // New tasks between the two reads shift the later position forward by the growth.
  return Math.max(0, end.pos - start.pos - Math.max(0, end.total - start.total))
}

async function localWindow(ctx: ExecContext, run: PageRun<WireTask>, bounds: Bounds, T: number, days: number, offset: number): Promise<ExecResult> {
  const read = rowReader(ctx.set)
  const keep = matches(ctx.residual)
  // Only the first `limit` rows of the ordered result can reach this page: keep
  // those (re-cut now and then), count the rest — memory follows the page, not the window.
  const skip = ctx.query.skip ?? 0
  const limit = skip + Math.min(ctx.query.top ?? Infinity, offset + ctx.pageSize)
  const { compare } = ctx.residual
  const tie = keyTieBreak(ctx.set.key)
  const order = compare === null ? null : (a: Row, b: Row): number => compare(a, b) || tie(a, b)
  const cut = (): void => {
    if (order !== null) kept.sort(order)
    if (kept.length > limit) kept.length = limit
  }
  const kept: Row[] = []
  let matchedRows = 0
  let seen = 0
  let cursor: ScanCursor = { pos: 0, total: null, ref: null, lastDate: null, lastIds: [] }
  let anchor = { pos: 0, date: bounds.upper }
  if (bounds.upper < T) {
    // An upper bound before now: start where it does instead of reading the newer pages.
    const at = await locate(run, bounds.upper, ctx.pageSizeHint, bounds.windowStart)
    cursor = { ...cursor, pos: at.pos, total: at.total, ref: at.ref, refStart: at.refStart }
    anchor = { pos: at.pos, date: bounds.upper }
  }
  const end = new EndEstimate(anchor, bounds.lower)
  await scanTasks({
    run,
    bounds,
    cursor,
    pageSizeHint: ctx.pageSizeHint,
    jumped: false,
    batchPages: (ps, c) => Math.min(ctx.concurrency, end.pages(c, ps)),
    step: (task) => {
      if (++seen > ctx.maxLocalRows) {
        throw bridgeError('BRIDGE_ERR_WINDOW_TOO_LARGE', `This query needs more than ${ctx.maxLocalRows} tasks sorted or counted in the bridge. Narrow it with a dateCreation filter (e.g. $filter=dateCreation ge 2024-01-01T00:00:00Z) or a shorter horizon (days=N), or sort by dateCreation desc, which the upstream does itself.`, { target: '$orderby' })
      }
      const row = read(task as unknown as Record<string, unknown>)
      if (!keep(row)) return true
      matchedRows++
      if (order !== null || kept.length < limit) kept.push(row)
      if (kept.length >= 2 * limit + 1024) cut()
      return true
    }
  })
  cut()
  const page = applyWindow(kept, { filter: null, search: null, compare: null }, ctx.set.key, {
    skip, top: ctx.query.top, offset, pageSize: ctx.pageSize, matched: matchedRows
  })
  return {
    rows: ctx.countOnly ? [] : page.rows,
    count: ctx.query.count || ctx.countOnly ? page.matched : null,
    next: page.nextOffset === null || ctx.countOnly ? null : ({ m: 'local', T, days, offset: page.nextOffset } satisfies LocalState)
  }
}

async function nativeScan(ctx: ExecContext, run: PageRun<WireTask>, bounds: Bounds, T: number, days: number, residualFree: boolean, state: ScanState | null): Promise<ExecResult | 'restart'> {
  const read = rowReader(ctx.set)
  const keep = matches(ctx.residual)
  const top = ctx.query.top
  const given = state?.given ?? 0
  const want = Math.min(ctx.pageSize, top === null ? Infinity : top - given)
  if (want <= 0) {
    return { rows: [], count: ctx.query.count ? await countBetween(run, bounds, ctx.pageSizeHint) : null, next: null }
  }
  let cursor: ScanCursor = state?.cur ?? { pos: 0, total: null, ref: null, lastDate: null, lastIds: [] }
  let pageSizeHint = state?.ps ?? ctx.pageSizeHint
  let skipLeft = state === null ? ctx.query.skip ?? 0 : 0
  let jumped = false
  let anchor = state === null ? { pos: 0, date: bounds.upper } : { pos: state.aPos, date: state.aDate }
  if (state === null) {
    if (bounds.upper < T) {
      // An upper bound before now: find where it starts instead of reading the newer pages.
      const at = await locate(run, bounds.upper, pageSizeHint, bounds.windowStart)
      cursor = { ...cursor, pos: at.pos, total: at.total, ref: at.ref, refStart: at.refStart }
      pageSizeHint = at.pageSize
      anchor = { pos: at.pos, date: bounds.upper }
    }
    if (residualFree && skipLeft > 0) {
      cursor = { ...cursor, pos: cursor.pos + skipLeft }
      skipLeft = 0
      jumped = true
    }
  }
  const count = ctx.query.count ? await countBetween(run, bounds, pageSizeHint) : null
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
      const need = residualFree ? want - rows.length : skipLeft + (top === null ? Infinity : top - given - rows.length)
      const certain = Math.ceil(((c.pos % ps) + need) / ps)
      const likely = residualFree || scanned === 0 ? certain
        : matched === 0 ? 2 ** batches
          : Math.max(certain, Math.floor(need / (matched / scanned) / ps / 2))
      batches++
      return Math.max(1, Math.min(likely, ctx.concurrency, end.pages(c, ps)))
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
  if (more && ctx.prefetch && residualFree) readAhead(ctx, days, outcome.cursor, outcome.pageSize, Math.min(READ_AHEAD_PAGES * ctx.pageSize, top === null ? Infinity : top - given - rows.length), end)
  return {
    rows,
    count,
    next: more ? ({ m: 'scan', T, days, cur: outcome.cursor, ps: outcome.pageSize, given: given + rows.length, aPos: anchor.pos, aDate: anchor.date } satisfies ScanState) : null
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
function readAhead(ctx: ExecContext, days: number, cursor: ScanCursor, ps: number, rows: number, end: EndEstimate): void {
  const first = Math.floor(cursor.pos / ps)
  const count = Math.min(Math.ceil(((cursor.pos % ps) + rows) / ps), end.pages(cursor, ps))
  for (let p = first; p < first + count; p++) ctx.access.taskPage(p, days, false).catch(() => undefined)
}

/** A known point of the upstream order: the row at `pos` was created at `date`. */
interface OrderPoint { readonly pos: number; readonly date: number }

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

  constructor(anchor: OrderPoint, private readonly lower: number) {
    this.points = [anchor]
  }

  /** Pages worth reading from the cursor's page (at least 1). */
  pages(c: ScanCursor, ps: number): number {
    if (c.lastDate === null) return Infinity
    const here = { pos: c.pos, date: c.lastDate }
    const last = this.points[this.points.length - 1] as OrderPoint
    if (here.pos > last.pos) this.points.push(here)
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
