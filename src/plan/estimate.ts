// ② What a read will cost, worked out before it runs: upstream page reads
// (each an upstream call unless the page cache holds it; logins, retries and
// pages read ahead for the load's next request are not counted) and upstream
// rows read (what the bridge holds at most).
//
// Which pages a read takes depends on where its set ends in the upstream
// order. For Automations that is the route's total, known from its last read
// or from the first page; for Tasks, where the horizon's first day falls, known
// from what earlier reads saw of the order (upstream/order-marks.ts: how many
// tasks were listed after a task of a given date, which new tasks never
// change). An estimate is exact when those are known, a range within 2× when
// they are bracketed, and otherwise unknown: until the first page (which tells
// the route's total, and the run estimates again), or until the read itself
// (a residual filter's matches, a bisection, a workspace not read before).
import { MS_PER_DAY as DAY_MS } from '../odata/civil-date.js'
import type { OrderMark } from '../upstream/order-marks.js'
import type { Bounds, Estimate, ReadPlan, SetEnd, UpstreamFacts } from './plan.js'


const exact = (n: number): Bounds => ({ min: n, max: n })

/** Upstream pages holding positions [start, start + n) of a route's order (the page of `start` when n ≤ 0). */
function pagesCovering(start: number, n: number, pageSize: number): number {
  if (n <= 0) return 1
  return Math.floor((start + n - 1) / pageSize) - Math.floor(start / pageSize) + 1
}

type Draft = Omit<ReadPlan, 'estimate' | 'setEnd'>

function unknown(until: 'first-page' | 'read', basis: string): Estimate {
  return { reads: null, rows: null, until, basis }
}

/** An estimate from a range of reads: exact, within 2×, or unknown (`until`). */
function fromReads(reads: Bounds, pageSize: number, basis: string, until: 'first-page' | 'read'): Estimate {
  if (reads.max > 2 * Math.max(reads.min, 1)) return unknown(until, `${basis}; not yet known within 2× (${reads.min}–${reads.max})`)
  return { reads, rows: { min: reads.min * pageSize, max: reads.max * pageSize }, basis }
}

/**
 * How many tasks of the window are older than `instant`, as far as the marks
 * say: at least one more than a mark before it lists after it; at most what
 * the first mark at or after it lists after it (all `n` without one).
 */
function olderThan(marks: readonly OrderMark[], instant: number, n: number): Bounds {
  let lo = 0
  let hi = marks.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((marks[mid] as OrderMark).date < instant) lo = mid + 1
    else hi = mid
  }
  const before = marks[lo - 1]
  const after = marks[lo]
  return { min: Math.min(n, before === undefined ? 0 : before.older + 1), max: Math.min(n, after === undefined ? n : after.older) }
}

/** The instant the Tasks set starts at: the horizon's first day by BotCity's clock, or a later dateCreation bound. */
function lowerInstant(plan: Draft, facts: UpstreamFacts): number | null {
  const T = plan.resume?.m === 'scan' || plan.resume?.m === 'local' ? plan.resume.s.T : facts.upstreamNow
  if (T === undefined) return null
  return Math.max(T - plan.horizonDays * DAY_MS, plan.range.from ?? -Infinity)
}

/**
 * The rows of the set from the head of the order (tasks created since the
 * window's total `n` was read come on top, and shift it by as many): its end.
 */
function taskSetEnd(plan: Draft, facts: UpstreamFacts, n: number): Bounds | null {
  const lower = lowerInstant(plan, facts)
  if (lower === null) return null
  const older = olderThan(facts.orderMarks ?? [], lower, n)
  return { min: Math.max(0, n - older.max), max: Math.max(0, n - older.min) }
}

/** Pages a scan from `start` reads to give `want` rows of a set ending at `end` (it reads the row past the end to see it, unless the list ends). */
function scanPages(start: number, want: number, end: number, n: number, pageSize: number): number {
  const stop = Math.min(start + want, end < n ? end + 1 : end)
  return pagesCovering(start, stop - start, pageSize)
}

/** Where a Tasks read's set ends at the latest, from the route's last total and the marks (null: not known). */
export function setEndOf(plan: Omit<Draft, 'setEnd'>, facts: UpstreamFacts): SetEnd | null {
  if (plan.upstream.route !== 'tasks' || plan.range.to !== null || plan.strategy === 'whole-read') return null
  const total = facts.total?.(plan.upstream.route, plan.upstream.params) ?? null
  if (total === null) return null
  const end = taskSetEnd(plan, facts, total)
  return end === null || end.max >= total ? null : { rows: end.max, total }
}

function estimateTasks(plan: Draft, facts: UpstreamFacts, n: number | null, resolving: boolean): Estimate {
  const { window, resume } = plan
  // Before reading, a bracket too wide may narrow with what the first page shows; after it, only the read tells.
  const later = resolving ? 'read' : 'first-page'
  const residualFree = plan.residual.filter === null && plan.residual.search === null
  const notRead = 'this workspace\'s tasks have not been read yet: page 0 tells how many there are'
  const given = resume?.m === 'scan' ? resume.given : 0
  const want = Math.min(window.pageSize, window.top === null ? Infinity : window.top - given)
  switch (plan.strategy) {
    case 'native-window': {
      if (!residualFree) return unknown('read', 'how far the matches of a filter lie in the upstream order is known only by reading')
      if (window.count) return unknown('read', 'a count reads where the set ends in the upstream order')
      const ps = resume?.m === 'scan' ? resume.ps : plan.upstreamPageSize
      // A later page counts positions against the total its cursor refers to.
      const total = resume?.m === 'scan' ? resume.cur.total ?? n : n
      if (total === null) return unknown('first-page', notRead)
      const end = taskSetEnd(plan, facts, total)
      if (end === null) return unknown('first-page', 'BotCity\'s clock is not known yet')
      const start = resume?.m === 'scan' ? resume.cur.pos : plan.jump ? window.skip : 0
      const rows = plan.jump || resume?.m === 'scan' ? want : window.skip + want
      // New tasks shift a later page by their number: one page more at most, as a rule.
      const shift = resume?.m === 'scan' ? 1 : 0
      const reads = { min: scanPages(start, rows, end.min, total, ps), max: scanPages(start, rows, end.max, total, ps) + shift }
      return fromReads(reads, ps, `the pages holding ${Number.isFinite(rows) ? `${rows} rows from position ${start}, or fewer if` : `the rows from position ${start} until`} the set ends (where ${plan.horizonDays} days start, as reads showed)`, later)
    }
    case 'full-scan':
    case 'held-order': {
      if (plan.range.to !== null) return unknown('read', 'where the newest dateCreation bound falls is found by bisecting pages')
      if (n === null) return unknown('first-page', notRead)
      const end = taskSetEnd(plan, facts, n)
      if (end === null) return unknown('first-page', 'BotCity\'s clock is not known yet')
      const reads = { min: scanPages(0, Infinity, end.min, n, plan.upstreamPageSize), max: scanPages(0, Infinity, end.max, n, plan.upstreamPageSize) }
      return fromReads(reads, plan.upstreamPageSize, `every task of the set read (${end.min === end.max ? end.min : `${end.min}–${end.max}`} tasks, as reads showed)`, later)
    }
    case 'count': {
      if (n === null) return unknown('first-page', notRead)
      const end = taskSetEnd(plan, facts, n)
      // A set reaching the oldest task is counted from page 0 and the oldest task (read once, then remembered).
      if (plan.range.to === null && end !== null && end.min === n) return fromReads({ min: 1, max: 2 }, plan.upstreamPageSize, 'page 0 and, the first time, the last page', 'read')
      return unknown('read', 'a count bisects pages for where the set starts and ends in the upstream order')
    }
    case 'date-window':
      return unknown('read', 'where the newest dateCreation bound falls is found by bisecting pages')
    case 'whole-read': {
      if (n === null) return unknown('first-page', notRead)
      const pages = Math.max(1, Math.ceil(n / plan.upstreamPageSize))
      return { reads: exact(pages), rows: exact(n), basis: `every page of the upstream window (${n} tasks), once if none arrives meanwhile` }
    }
    case 'none':
      return { reads: exact(0), rows: exact(0), basis: 'nothing to read' }
    case 'lookup':
      return unknown('read', 'the upstream\'s matches for a filter parameter are known only by reading')
  }
}

/** Automations: every page the parameters select, or those a window covers, from the route's total. */
function estimatePaged(plan: Draft, n: number | null): Estimate {
  const { window, resume, upstreamPageSize: ps, set } = plan
  if (n === null) return unknown('first-page', `page 0 tells how many ${set.name.toLowerCase()} the parameters select`)
  if (plan.strategy !== 'native-window') {
    const pages = Math.max(1, Math.ceil(n / ps))
    return { reads: exact(pages), rows: exact(pages * ps), basis: `every page of ${n} ${set.name.toLowerCase()}` }
  }
  const offset = resume?.m === 'offset' ? resume.offset : 0
  const start = window.skip + offset
  const want = Math.min(window.pageSize, window.top === null ? Infinity : window.top - offset)
  const pages = pagesCovering(start, Math.min(want, n - start), ps)
  return { reads: exact(pages), rows: exact(pages * ps), basis: `the pages positions ${start}–${Math.min(start + want, n) - 1} of ${n} are on` }
}

/**
 * The estimate of a planned read. `firstPage`: the route's total its first
 * page showed, when estimating again after it (with `facts` as they stand
 * then, that page's marks included).
 */
export function estimateRead(plan: Draft, facts: UpstreamFacts, firstPage?: { readonly total: number }): Estimate {
  const { set } = plan
  if (plan.strategy === 'none') return { reads: exact(0), rows: exact(0), basis: 'nothing to read' }
  if (!set.upstream.paged) return { reads: exact(1), rows: null, basis: `the upstream answers every ${set.typeName.toLowerCase()} in one call` }
  const n = firstPage?.total ?? facts.total?.(plan.upstream.route, plan.upstream.params) ?? null
  if (plan.upstream.route !== 'tasks') return estimatePaged(plan, n)
  const estimate = estimateTasks(plan, facts, n, firstPage !== undefined)
  if (plan.listing !== 'oldest-first' || estimate.reads === null || plan.strategy === 'whole-read') return estimate
  // Read back from the end of an oldest-first list: a page of the view may take two upstream pages, and
  // a load starts by reading the list's first and last pages.
  const extra = plan.resume === null ? 2 : 1
  return fromReads({ min: estimate.reads.min, max: estimate.reads.max + extra }, plan.upstreamPageSize, `${estimate.basis}, read back from the end of an oldest-first list`, firstPage === undefined ? 'first-page' : 'read')
}

/**
 * Rows a whole load of this read answers, every page from its first, when the
 * plan can tell without reading (nothing left to the bridge to filter): for
 * the monitor's progress (monitor/loads.ts). null: not known.
 */
export function estimateLoadRows(plan: ReadPlan, facts: UpstreamFacts): Bounds | null {
  if (plan.strategy === 'none') return exact(0)
  if (plan.residual.filter !== null || plan.residual.search !== null || !plan.set.upstream.paged) return null
  const { skip, top } = plan.window
  const window = (b: Bounds): Bounds => {
    const rows = (v: number): number => Math.max(0, Math.min(top ?? Infinity, v - skip))
    return { min: rows(b.min), max: rows(b.max) }
  }
  const n = facts.total?.(plan.upstream.route, plan.upstream.params) ?? null
  if (n === null) return null
  if (plan.upstream.route !== 'tasks') return window(exact(n))
  if (plan.range.to !== null || plan.strategy === 'lookup' || plan.strategy === 'count' || plan.strategy === 'date-window') return null
  if (plan.strategy === 'whole-read') return plan.range.from === null ? window(exact(n)) : null
  const end = taskSetEnd(plan, facts, n)
  return end === null ? null : window(end)
}

/**
 * Upstream page reads from where this read starts to the end of its load, as
 * if it answered every remaining row at once; a page of an order held by the
 * bridge reads nothing more. null: unknown.
 */
export function estimateRestReads(plan: ReadPlan, facts: UpstreamFacts): Bounds | null {
  if (plan.resume?.m === 'local' || plan.resume?.m === 'apply') return exact(0)
  return estimateRead({ ...plan, window: { ...plan.window, pageSize: Number.MAX_SAFE_INTEGER } }, facts).reads
}
