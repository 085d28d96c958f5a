// Reading Tasks in the upstream's own order (newest first) between two
// instants, resumable exactly across requests while new tasks keep arriving.
//
// The set is fixed by a snapshot: tasks created in [lower, upper], where upper
// is never later than the moment the load started. New tasks (created later)
// only ever insert at the head of the upstream order, and tasks leaving the
// upstream's rolling window only leave at its tail, so a row's position moves
// by the number of head insertions, never backwards. Every upstream page
// reports totalElements; a change means positions moved by at most that much,
// so resuming at `pos + max(0, change)` can only re-read rows, never skip one,
// and the cursor (last date + the ids seen at that date) drops the re-read ones.
import { bridgeError } from '../errors.js'
import type { SpringPage, WireTask } from '../upstream/wire.js'
import type { PageRun } from './upstream-access.js'

export interface ScanCursor {
  /** Position in the upstream order of the next row to read. */
  pos: number
  /** totalElements the position refers to (null before the first page). */
  total: number | null
  /** When the read that gave `total` ended (its read stamp), to tell older reads from newer ones. */
  ref: number | null
  /**
   * When that read started: a read overlapping it that saw the same total is
   * trusted (the two are concurrent). null, or absent: none is, because a change
   * the total did not show was seen (a row read again).
   */
  refStart?: number | null
  /** Date of the last row consumed, and the ids consumed at that date. */
  lastDate: number | null
  lastIds: number[]
}

export interface ScanBounds {
  readonly lower: number
  readonly upper: number
}

export interface ScanStep {
  /** Called for each row of the set, in order; it is consumed; return false to stop after it. */
  (task: WireTask, date: number): boolean
}

export interface ScanOutcome {
  readonly cursor: ScanCursor
  /** True when the end of the set was reached. */
  readonly ended: boolean
  readonly pageSize: number
  /** The upstream changed before any row was read after a positional jump: plan again. */
  readonly restart?: true
}

const MAX_RELOCATIONS = 1000

export function dateOf(task: WireTask): number {
  const ms = Date.parse(task.dateCreation)
  if (!Number.isFinite(ms)) {
    throw bridgeError('UPSTREAM_BAD_RESPONSE', `BotCity Insights sent task ${task.id} with dateCreation ${JSON.stringify(task.dateCreation)}, which is not a date.`)
  }
  return ms
}

/** Whether the row was already consumed before the cursor (or is newer than the set). */
function consumed(cursor: ScanCursor, id: number, date: number): boolean {
  if (cursor.lastDate === null) return false
  return date > cursor.lastDate || (date === cursor.lastDate && cursor.lastIds.includes(id))
}

export interface ScanOptions {
  readonly run: PageRun<WireTask>
  /** The upstream page size as last seen (20 as documented); corrected from the first response. */
  readonly pageSizeHint: number
  readonly bounds: ScanBounds
  readonly cursor: ScanCursor
  /** How many upstream pages to read at once (the caller sizes it to what it still needs). */
  readonly batchPages: (pageSize: number, cursor: ScanCursor) => number
  readonly step: ScanStep
  /** True when cursor.pos was computed (a $skip jump), not reached by reading. */
  readonly jumped: boolean
}

export async function scanTasks(options: ScanOptions): Promise<ScanOutcome> {
  const { run, bounds, step } = options
  const cursor: ScanCursor = { ...options.cursor, lastIds: [...options.cursor.lastIds] }
  let pageSize = options.pageSizeHint
  let relocations = 0
  for (;;) {
    const startPage = Math.floor(cursor.pos / pageSize)
    // Until one page has said how many there are, read one; never ask for pages past the end.
    const lastPage = cursor.total === null ? startPage : Math.max(startPage, Math.ceil(cursor.total / pageSize) - 1)
    const count = Math.max(1, Math.min(options.batchPages(pageSize, cursor), lastPage - startPage + 1))
    const pages = run.range(startPage, startPage + count)
    for (let j = 0; j < pages.length; j++) {
      const page = await (pages[j] as Promise<SpringPage<WireTask>>)
      const pageNo = startPage + j
      if (page.size > 0 && page.size !== pageSize) {
        // The upstream's page size differs from what we assumed: recompute positions.
        for (let k = startPage; k < startPage + pages.length; k++) run.forget(k)
        pageSize = page.size
        break
      }
      const stamp = run.stamp(pageNo)
      if (cursor.total === null) {
        cursor.total = page.totalElements
        cursor.ref = stamp.ended
        cursor.refStart = stamp.started
      }
      if (page.totalElements !== cursor.total) {
        // The upstream changed between reads. Only a read that started after the
        // reference read ended is known to be newer; then positions moved forward
        // by at most the growth. An older or overlapping read is read again.
        if (++relocations > MAX_RELOCATIONS) {
          throw bridgeError('UPSTREAM_UNAVAILABLE', 'Tasks in BotCity Insights changed too fast to page through them consistently; retry the refresh.')
        }
        if (stamp.started <= (cursor.ref ?? -1)) {
          for (let k = pageNo; k < startPage + pages.length; k++) run.forget(k)
          break
        }
        if (cursor.lastDate === null && options.jumped) {
          // Positions were jumped over without reading them: only a fresh start is exact now.
          return { cursor, ended: false, pageSize, restart: true }
        }
        cursor.pos += Math.max(0, page.totalElements - cursor.total)
        cursor.total = page.totalElements
        cursor.ref = stamp.ended
        cursor.refStart = stamp.started
        if (cursor.pos >= (pageNo + 1) * pageSize) {
          for (let k = pageNo + 1; k < startPage + pages.length; k++) run.forget(k)
          break
        }
      } else if (stamp.started <= (cursor.ref ?? -Infinity) && stamp.ended !== cursor.ref && !(typeof cursor.refStart === 'number' && stamp.ended >= cursor.refStart)) {
        // The same total, but read before the reference read (a cached page, a
        // bisection probe), or concurrently with one after a hidden change: as many
        // tasks may have left the window's tail as arrived at its head in between,
        // which the total does not show, and an older page would open a gap. Read it again.
        if (++relocations > MAX_RELOCATIONS) {
          throw bridgeError('UPSTREAM_UNAVAILABLE', 'Tasks in BotCity Insights changed too fast to page through them consistently; retry the refresh.')
        }
        for (let k = pageNo; k < startPage + pages.length; k++) run.forget(k)
        break
      }
      for (let i = Math.max(0, cursor.pos - pageNo * pageSize); i < page.content.length; i++) {
        const task = page.content[i] as WireTask
        const date = dateOf(task)
        if (date < bounds.lower) return { cursor, ended: true, pageSize }
        if (date > bounds.upper || consumed(cursor, task.id, date)) {
          // A row read again: this page saw more new tasks than the reference read,
          // even if the total hid them, so it becomes the reference, and pages read
          // before it ended, even concurrently, are read again (above) rather than trusted.
          if (date <= bounds.upper) {
            if ((cursor.ref ?? -Infinity) < stamp.ended) cursor.ref = stamp.ended
            cursor.refStart = null
          }
          cursor.pos++
          continue
        }
        const goOn = step(task, date)
        cursor.pos++
        if (cursor.lastDate === date) cursor.lastIds.push(task.id)
        else {
          cursor.lastDate = date
          cursor.lastIds = [task.id]
        }
        if (!goOn) {
          const atEnd = i === page.content.length - 1 && (page.last || cursor.pos >= page.totalElements)
          return { cursor, ended: atEnd, pageSize }
        }
      }
      if (page.last || page.content.length < pageSize) return { cursor, ended: true, pageSize }
      cursor.pos = Math.max(cursor.pos, (pageNo + 1) * pageSize)
    }
  }
}

/**
 * The first position whose task was created at or before `instant`, found by
 * bisecting pages (each probe is one upstream call, kept for the scan). The
 * answer is read off one page, or off two neighbouring pages that agree on
 * totalElements (else both are read again), so it is exact in that state.
 */
export async function locate(run: PageRun<WireTask>, instant: number, pageSizeHint: number, windowStart?: number): Promise<{ pos: number; total: number; ref: number; refStart: number; pageSize: number }> {
  for (let attempt = 0; ; attempt++) {
    const first = await run.get(0)
    const pageSize = first.size > 0 ? first.size : pageSizeHint
    const newest = first.content[0]
    if (newest === undefined || dateOf(newest) <= instant) return { pos: 0, total: first.totalElements, ref: run.stamp(0).ended, refStart: run.stamp(0).started, pageSize }
    const lastOf = (p: SpringPage<WireTask>): number | null => {
      const t = p.content[p.content.length - 1]
      return t === undefined ? null : dateOf(t)
    }
    // Invariant: page lo ends after `instant` (newer); page hi ends at or before it, or is past the end.
    let lo = 0
    let hi = (lastOf(first) ?? Infinity) <= instant ? 0 : Math.max(1, first.totalPages)
    // Known (position, date) on each side, for interpolating the next probe: tasks
    // arrive at a fairly steady rate, so this usually lands within a page or two.
    let a = { pos: first.content.length - 1, date: lastOf(first) ?? instant }
    let b = { pos: first.totalElements, date: windowStart ?? -Infinity }
    while (hi - lo > 1) {
      const span = a.date - b.date
      const guess = Number.isFinite(span) && span > 0 ? a.pos + ((b.pos - a.pos) * (a.date - instant)) / span : NaN
      let mid = Number.isFinite(guess) ? Math.floor(guess / pageSize) : (lo + hi) >>> 1
      if (mid <= lo || mid >= hi) mid = (lo + hi) >>> 1
      const probe = await run.get(mid)
      const last = lastOf(probe)
      if (last === null || last <= instant) {
        hi = mid
        if (last !== null) b = { pos: mid * pageSize + probe.content.length - 1, date: last }
      } else {
        lo = mid
        a = { pos: mid * pageSize + probe.content.length - 1, date: last }
      }
    }
    const page = await run.get(hi)
    const index = page.content.findIndex((t) => dateOf(t) <= instant)
    const at = { total: page.totalElements, ref: run.stamp(hi).ended, refStart: run.stamp(hi).started, pageSize }
    if (index > 0 || hi === 0) return { pos: hi * pageSize + Math.max(0, index < 0 ? page.content.length : index), ...at }
    // The boundary is at the start of page hi: only true if page lo saw the same upstream.
    const before = await run.get(hi - 1)
    if (before.totalElements === page.totalElements || attempt >= 5) return { pos: hi * pageSize + (index < 0 ? page.content.length : 0), ...at }
    run.forget(hi - 1)
    run.forget(hi)
    run.forget(0)
  }
}
