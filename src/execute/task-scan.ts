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
import { parseInstant } from '../upstream/wire-instant.js'
import type { SpringPage, WireTask } from '../upstream/wire.js'
import type { TaskPages } from './task-pages.js'
import type { ScanCursor } from '../plan/resume.js'

export interface ScanBounds {
  readonly lower: number
  readonly upper: number
  /** The ids at `upper` that belong to the set (a snapshot's newest millisecond); null: all. */
  readonly upperIds: readonly number[] | null
}

/** Whether a task lies beyond `instant` in the upstream order: created after it, or at it but not among `ids`. */
export function beyond(instant: number, ids: readonly number[] | null, task: WireTask, date: number): boolean {
  return date > instant || (date === instant && ids !== null && !ids.includes(task.id))
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
  const ms = parseInstant(task.dateCreation)
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
  readonly run: TaskPages
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
        const newer = beyond(bounds.upper, bounds.upperIds, task, date)
        if (newer || consumed(cursor, task.id, date)) {
          // A row read again: this page saw more new tasks than the reference read,
          // even if the total hid them, so it becomes the reference, and pages read
          // before it ended, even concurrently, are read again (above) rather than trusted.
          if (!newer) {
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
 * The first position whose task is not beyond `instant` (see beyond()), found
 * by bisecting pages (each probe is one upstream call, kept for the scan), as
 * of the read of the page it ends on. When the boundary falls at the start of
 * a page (or past the last), the page before must have been read before that
 * page: new tasks only push the tasks beyond `instant` further down, so the
 * later read still has them all before the boundary. Otherwise the page is
 * read again, after.
 */
export async function locate(run: TaskPages, instant: number, pageSizeHint: number, ids: readonly number[] | null = null, oldest: number | null = null): Promise<{ pos: number; total: number; ref: number; refStart: number; pageSize: number }> {
  const isBeyond = (t: WireTask): boolean => beyond(instant, ids, t, dateOf(t))
  const lastOf = (p: SpringPage<WireTask>): WireTask | undefined => p.content[p.content.length - 1]
  const first = await run.get(0)
  const pageSize = first.size > 0 ? first.size : pageSizeHint
  const newest = first.content[0]
  const at = (page: number, pos: number, total: number): { pos: number; total: number; ref: number; refStart: number; pageSize: number } =>
    ({ pos, total, ref: run.stamp(page).ended, refStart: run.stamp(page).started, pageSize })
  if (newest === undefined || !isBeyond(newest)) return at(0, 0, first.totalElements)
  const firstLast = lastOf(first)
  // Invariant: page lo ends beyond `instant`; page hi ends within it, or is past the end.
  let lo = 0
  let hi = firstLast !== undefined && !isBeyond(firstLast) ? 0 : Math.max(1, first.totalPages)
  // Known (position, date) on each side, for interpolating the next probe: tasks
  // arrive at a fairly steady rate, so this usually lands within a page or two.
  // Until a probe lands past `instant`, the oldest task's date (when known)
  // stands at the end, or else the rate from the head to the furthest probe
  // extrapolates, a quarter further so that the next probe brackets it.
  const newestDate = dateOf(newest)
  let a = { pos: first.content.length - 1, date: firstLast === undefined ? instant : dateOf(firstLast) }
  let b: { pos: number; date: number } | null = oldest === null || oldest > instant ? null : { pos: first.totalElements - 1, date: oldest }
  while (hi - lo > 1) {
    const guess: number = b !== null && a.date > b.date
      ? a.pos + ((b.pos - a.pos) * (a.date - instant)) / (a.date - b.date)
      : a.pos > 0 && newestDate > a.date ? a.pos + (a.date - instant) * (a.pos / (newestDate - a.date)) * 1.25 : NaN
    let mid: number = Number.isFinite(guess) ? Math.floor(guess / pageSize) : (lo + hi) >>> 1
    if (mid <= lo || mid >= hi) mid = (lo + hi) >>> 1
    const probe = await run.get(mid)
    const last = lastOf(probe)
    if (last === undefined || !isBeyond(last)) {
      hi = mid
      if (last !== undefined) b = { pos: mid * pageSize + probe.content.length - 1, date: dateOf(last) }
    } else {
      lo = mid
      a = { pos: mid * pageSize + probe.content.length - 1, date: dateOf(last) }
    }
  }
  for (let steps = 0; steps < MAX_RELOCATIONS; steps++) {
    const page = await run.get(hi)
    const index = page.content.findIndex((t) => !isBeyond(t))
    if (index > 0 || (index === 0 && hi === 0)) return at(hi, hi * pageSize + index, page.totalElements)
    if (index < 0 && page.content.length > 0) {
      // Read after new tasks pushed the boundary past this page.
      hi++
      continue
    }
    if (hi === 0) return at(0, 0, page.totalElements)
    // The boundary is at the start of page hi, or past the last page.
    const before = await run.get(hi - 1)
    const beforeLast = lastOf(before)
    if (beforeLast !== undefined && !isBeyond(beforeLast)) {
      hi--
      continue
    }
    if (run.stamp(hi - 1).ended <= run.stamp(hi).started) return at(hi, index < 0 ? page.totalElements : hi * pageSize, page.totalElements)
    run.forget(hi)
  }
  throw bridgeError('UPSTREAM_UNAVAILABLE', 'Tasks in BotCity Insights changed too fast to find where a date falls in their list; retry.')
}
