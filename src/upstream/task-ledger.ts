// The task ledger (docs/performance.md, "The task ledger"): for one workspace
// credential and one upstream window, the tasks the bridge has read, newest
// first, in the upstream's own order — a run of that list from its newest task
// down. Between two refreshes of a workspace only new tasks (at the head) and
// tasks not yet in a final state change, so a repeat load reads the pages that
// hold those and takes every other page from here.
//
// Where a task stands in the list is never taken from a count alone: every page
// read is placed by the ids it shares with the ledger (the position of a known
// task on the page says how many tasks the upstream lists above the ledger's
// newest), and every task it shares must sit where the ledger has it. A page
// that shares none joins only right above the newest task or right below the
// oldest, and only when its read cannot have missed a task in between (a page
// above read before the page that placed the ledger, one below read after, or
// at the same moment with the same total). Any disagreement empties the ledger
// (the bridge reads again); it never answers from a ledger it doubts.
//
// A page is served from the ledger when the latest read placed it no more than
// `ttlMs` ago (CACHE_TTL_S: the head may have moved since) and each of its
// tasks is fresh: a task not in a final state read within `ttlMs`, a final one
// (FINISHED, CANCELED) within `verifyMs` (LEDGER_VERIFY_H). That a final task
// never changes is a belief: its page is read again at the latest that long
// after. When the ledger first holds a task, that time is spread between half
// and all of `verifyMs` by the task's date, so the pages of one long first load
// come due over many later loads, not all in one.
import type { ReadStamp, Stamped } from './page-cache.js'
import { springPage } from './wire.js'
import type { SpringPage, WireTask } from './wire.js'
import { parseInstant } from './wire-instant.js'

/** States after which a task does not change (any other, known or not, is read again). */
export const FINAL_STATES: ReadonlySet<string> = new Set(['FINISHED', 'CANCELED'])

export interface LedgerOptions {
  /** How long a read of the head, or of a task not in a final state, stands for the upstream (CACHE_TTL_S). */
  readonly ttlMs: number
  /** How long a read of a final task stands (LEDGER_VERIFY_H). */
  readonly verifyMs: number
  /** The ledger keeps its newest tasks within this many bytes (estimated). */
  readonly maxBytes: number
  /** Clock in epoch ms (tests inject one). */
  readonly now: () => number
  /** BotCity's clock now (epoch ms): tasks older than its window may leave the tail of the list. */
  readonly upstreamNow: () => number
  /** Days of the upstream window the ledger mirrors. */
  readonly windowDays: number
}

/** What a ledger holds, to keep it where another process finds it (ledger-store.ts): newest first. */
export interface LedgerSnapshot {
  readonly size: number
  readonly toEnd: boolean
  readonly align: { readonly u: number; readonly total: number; readonly stamp: ReadStamp; readonly at: number }
  /** Each task with when it was read and when it is due to be read again (epoch ms). */
  readonly entries: readonly (readonly [WireTask, number, number])[]
}

export interface LedgerStats {
  tasks: number
  bytes: number
  /** Pages served from the ledger, and pages read into it. */
  served: number
  noted: number
  /** Times the ledger emptied because a page disagreed with it. */
  resets: number
  /** Final tasks found changed when read again. */
  finalChanged: number
}

interface Entry {
  task: WireTask
  readonly date: number
  readAt: number
  due: number
  bytes: number
}

/** The latest read that placed the ledger: where its newest task stood then. */
interface Alignment {
  /** Upstream position of the ledger's newest task as of that read. */
  u: number
  readonly total: number
  readonly stamp: ReadStamp
  /** When it was read (epoch ms, the ledger's clock). */
  readonly at: number
}

/** A read that saw an edge of the ledger: where its newest (or oldest) task stood in that read. */
interface Seam {
  readonly pos: number
  readonly total: number
  readonly stamp: ReadStamp
}

interface Pending {
  readonly value: SpringPage<WireTask>
  readonly stamp: ReadStamp
  readonly at: number
  /** Estimated bytes of its tasks. */
  readonly bytes: number
}

const DAY_MS = 86_400_000
const WEEK_MS = 7 * DAY_MS
/** Estimated bytes of an entry beyond its strings: the objects, the index. */
const ENTRY_OVERHEAD = 320


function bytesOf(task: WireTask): number {
  let n = ENTRY_OVERHEAD
  for (const v of Object.values(task)) if (typeof v === 'string') n += 2 * v.length
  return n
}

export class TaskLedger {
  /** Newest first: entries[q] is the task at ledger position q. */
  private entries: Entry[] = []
  /** id → sequence number; position = seq - headSeq. */
  private readonly seqOf = new Map<number, number>()
  private headSeq = 0
  private align: Alignment | null = null
  /** The reads a page sharing no task joins against, above the newest task and below the oldest. */
  private head: Seam | null = null
  private tail: Seam | null = null
  private size: number | null = null
  private pending: Pending[] = []
  private pendingBytes = 0
  /** Grows each time tasks are added at an edge (only then may held pages join). */
  private edgeMoves = 0
  /** Whether the ledger holds the list down to its oldest task (as of the read that placed its oldest). */
  private toEnd = false
  /** The upstream's total at the latest read noted, placed or not. */
  private seen: { total: number; started: number } | null = null
  private bytes = 0
  private readonly counters = { served: 0, noted: 0, resets: 0, finalChanged: 0 }
  private changes = 0

  constructor(private readonly options: LedgerOptions) {}

  stats(): LedgerStats {
    return { tasks: this.entries.length, bytes: this.bytes, ...this.counters }
  }

  /** Grows with every change to what it holds (to save it only when it changed). */
  get version(): number {
    return this.changes
  }

  /** When the read that placed the ledger started (a read stamp), or null: it holds nothing. */
  placedAt(): number | null {
    return this.align?.stamp.started ?? null
  }

  /** Whether a read placed it within `ttlMs`: it stands for the head of the list. */
  fresh(): boolean {
    return this.align !== null && this.options.now() - this.align.at <= this.options.ttlMs
  }

  /** What it holds, or null when it holds nothing placed. */
  snapshot(): LedgerSnapshot | null {
    const a = this.align
    if (a === null || this.size === null || this.entries.length === 0) return null
    return { size: this.size, toEnd: this.toEnd, align: { u: a.u, total: a.total, stamp: a.stamp, at: a.at }, entries: this.entries.map((e) => [e.task, e.readAt, e.due] as const) }
  }

  /**
   * Takes what another process kept, in place of what this one holds, when it
   * was placed by a later read; false when it is not (or does not hold together).
   */
  restore(snapshot: LedgerSnapshot): boolean {
    const mine = this.align
    if (mine !== null && mine.stamp.started >= snapshot.align.stamp.started) return false
    const entries: Entry[] = []
    let last = Infinity
    const ids = new Set<number>()
    for (const [task, readAt, due] of snapshot.entries) {
      const date = parseInstant(task.dateCreation)
      if (!(date <= last) || ids.has(task.id)) return false
      ids.add(task.id)
      last = date
      entries.push({ task, date, readAt, due, bytes: bytesOf(task) })
    }
    this.reset()
    this.entries = entries
    entries.forEach((e, q) => { this.seqOf.set(e.task.id, q); this.bytes += e.bytes })
    this.size = snapshot.size
    this.toEnd = snapshot.toEnd
    this.align = { ...snapshot.align }
    this.head = { pos: snapshot.align.u, total: snapshot.align.total, stamp: snapshot.align.stamp }
    this.tail = { ...this.head, pos: snapshot.align.u + entries.length - 1 }
    this.bound()
    return true
  }

  /** Rows per page of the reads it holds (null: none). */
  get pageSize(): number | null {
    return this.size
  }

  /** Estimated bytes held. */
  get heldBytes(): number {
    return this.bytes
  }

  /**
   * A page (of the size the upstream answered) as the upstream listed it at
   * the latest read that placed the ledger, or null when the ledger cannot
   * stand for it (not held, above the tasks it holds, or a task on it is due
   * to be read again).
   */
  page(page: number): Stamped<SpringPage<WireTask>> | null {
    const served = this.serve(page)
    if (served !== null) this.counters.served++
    return served
  }

  /** Whether page() would serve this page now. */
  holds(page: number): boolean {
    return this.serve(page, false) !== null
  }

  /** The page (or, when not `build`, a placeholder: only whether it is served matters). */
  private serve(page: number, build = true): Stamped<SpringPage<WireTask>> | null {
    const a = this.align
    const size = this.size
    if (a === null || size === null) return null
    const now = this.options.now()
    if (now - a.at > this.options.ttlMs) return null
    const lo = page * size - a.u
    if (lo < 0) return null
    const listed = a.total - a.u
    const hi = Math.min((page + 1) * size, a.total) - a.u
    if (lo >= listed) {
      // Past the end: known only when the ledger holds the list to its end.
      if (listed !== this.entries.length) return null
      return { value: springPage([], page, size, a.total), stamp: a.stamp, cached: true }
    }
    if (hi > this.entries.length) return null
    const content: WireTask[] = []
    for (let q = lo; q < hi; q++) {
      const e = this.entries[q] as Entry
      if (e.due <= now) return null
      if (build) content.push(e.task)
    }
    return { value: springPage(content, page, size, a.total), stamp: a.stamp, cached: true }
  }

  /**
   * Whether the ledger may stand for this page once the pages above it are
   * read: no read placed it within `ttlMs`, and by the upstream's latest total
   * its newest task may stand at or above the page. A reader waits for the
   * pages above before it reads such a page (the one holding the ledger's
   * newest task places it).
   */
  later(page: number): boolean {
    const a = this.align
    if (!this.toEnd || this.size === null || this.seen === null) return false
    if (a !== null && this.options.now() - a.at <= this.options.ttlMs) return false
    return page * this.size >= this.seen.total - this.countNewerThan(this.leftEdge() - DAY_MS)
  }

  /** Tasks held created after `ms` (the ledger is newest first). */
  private countNewerThan(ms: number): number {
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.entries[mid] as Entry).date > ms) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Tasks created before this may have left the upstream window (BotCity's clock). */
  private leftEdge(): number {
    return this.options.upstreamNow() - (this.options.windowDays - 1) * DAY_MS
  }

  /**
   * A page the upstream answered (newest first, already checked to be in that
   * order), with the stamp of its read and how long ago, by the read's own
   * clock, it was made (a page from the cache is older than now).
   */
  note(value: SpringPage<WireTask>, stamp: ReadStamp, ageMs: number): void {
    if (value.content.length === 0 || value.size <= 0) return
    if (this.size !== null && value.size !== this.size) this.reset()
    this.size = value.size
    const at = this.options.now() - Math.max(0, ageMs)
    this.counters.noted++
    if (this.seen === null || stamp.started > this.seen.started) this.seen = { total: value.totalElements, started: stamp.started }
    const movesBefore = this.edgeMoves
    if (!this.place({ value, stamp, at, bytes: 0 })) {
      // Held until the page that places it arrives (new tasks above the ledger:
      // an hour of a busy workspace is many pages), within the ledger's bound.
      const bytes = value.content.reduce((n, t) => n + bytesOf(t), 0)
      this.pending.push({ value, stamp, at, bytes })
      this.pendingBytes += bytes
      // Held in the order read: the oldest go first, past CACHE_TTL_S or the bound.
      const stale = this.options.now() - this.options.ttlMs
      while (this.pending.length > 0 && ((this.pending[0] as Pending).at < stale || this.bytes + this.pendingBytes > this.options.maxBytes)) this.pendingBytes -= (this.pending.shift() as Pending).bytes
      return
    }
    // Held pages join at the edges: by a task added there, or as the next page of a
    // seam. When neither may be, no sweep (it would try every held page).
    const atSeam = (p: Pending): boolean => {
      const first = p.value.number * p.value.size
      return (this.head !== null && first + p.value.content.length === this.head.pos) || (this.tail !== null && first === this.tail.pos + 1)
    }
    if (this.edgeMoves === movesBefore && !this.pending.some(atSeam)) return
    // Pages read before the one that placed the ledger may join it now: those
    // above from the bottom up, those below from the top down, so that a run of
    // them joins in one sweep each way (hours of new tasks are hundreds of pages).
    for (let progress = true; progress && this.pending.length > 0;) {
      progress = false
      const before = this.changes
      const placed = new Set<Pending>()
      const up = [...this.pending].sort((x, y) => y.value.number - x.value.number)
      const down = [...up].reverse()
      for (const p of [...up, ...down]) {
        if (placed.has(p)) continue
        if (this.place(p)) placed.add(p)
        // Emptied: nothing held is left to join.
        if (this.entries.length === 0 && this.changes !== before) break
      }
      if (placed.size > 0) {
        progress = this.entries.length > 0
        this.pending = this.pending.filter((x) => !placed.has(x))
        this.pendingBytes = this.pending.reduce((n, p) => n + p.bytes, 0)
      }
    }
  }

  /** Places a page: true when it joined (or emptied) the ledger, false when it cannot be placed yet. */
  private place(p: Pending): boolean {
    const { value, stamp, at } = p
    const size = value.size
    const rows = value.content
    const first = value.number * size
    let u: number | null = null
    for (let i = 0; i < rows.length; i++) {
      const seq = this.seqOf.get((rows[i] as WireTask).id)
      if (seq === undefined) continue
      const c = first + i - (seq - this.headSeq)
      if (u === null) u = c
      else if (u !== c) return this.disagree()
    }
    const a = this.align
    if (u === null && this.toEnd) {
      // Where the ledger's tasks stand at this read, whichever of the oldest left
      // the window: a page wholly where some of them must stand, with none, disagrees.
      const edge = this.leftEdge()
      const surelyFrom = value.totalElements - this.countNewerThan(edge + DAY_MS)
      const surelyTo = value.totalElements - this.countNewerThan(edge - DAY_MS) + this.countNewerThan(edge + DAY_MS)
      if (first >= surelyFrom && first + rows.length <= surelyTo) return this.disagree()
    }
    if (u === null) {
      if (this.entries.length === 0 || a === null) {
        if (value.number !== 0) return false
        u = 0
      } else if (this.tail !== null && first === this.tail.pos + 1 && joinsBelow(stamp, value.totalElements, this.tail, this.options.ttlMs)) {
        u = first - this.entries.length
      } else if (this.head !== null && first + rows.length === this.head.pos && rows.length === size && joinsAbove(stamp, value.totalElements, this.head)) {
        u = this.head.pos
      } else {
        return false
      }
    }
    const dates = rows.map((t) => parseInstant(t.dateCreation))
    if (dates.some((d, i) => !Number.isFinite(d) || (i > 0 && d > (dates[i - 1] as number)))) return this.disagree()
    const qOf = (i: number): number => first + i - (u as number)
    for (let i = 0; i < rows.length; i++) {
      const q = qOf(i)
      if (q >= 0 && q < this.entries.length && (this.entries[q] as Entry).task.id !== (rows[i] as WireTask).id) return this.disagree()
    }
    // The dates at the seams keep the list newest first.
    const above = rows.length > 0 && qOf(0) < 0 ? Math.min(rows.length, -qOf(0)) : 0
    const headDate = this.entries[0]?.date
    if (above > 0 && headDate !== undefined && (dates[above - 1] as number) < headDate) return this.disagree()
    const below = rows.findIndex((_, i) => qOf(i) >= this.entries.length)
    const tailDate = this.entries[this.entries.length - 1]?.date
    if (below > 0 || (below === 0 && this.entries.length > 0)) {
      if (tailDate !== undefined && (dates[below] as number) > tailDate) return this.disagree()
    }
    const newer = a === null || stamp.started > a.stamp.started
    // Tasks already held: read again.
    for (let i = above; i < rows.length; i++) {
      const q = qOf(i)
      if (q >= this.entries.length) break
      const e = this.entries[q] as Entry
      if (at <= e.readAt) continue
      this.refresh(e, rows[i] as WireTask, at)
    }
    // Tasks below the oldest held.
    if (first + rows.length >= value.totalElements && qOf(rows.length - 1) >= this.entries.length - 1) this.toEnd = true
    if (below >= 0) {
      for (let i = below; i < rows.length; i++) {
        const task = rows[i] as WireTask
        const e = this.entry(task, dates[i] as number, at)
        this.seqOf.set(task.id, this.headSeq + this.entries.length)
        this.entries.push(e)
        this.bytes += e.bytes
      }
    }
    // Tasks above the newest held.
    if (above > 0) {
      const added: Entry[] = []
      for (let i = 0; i < above; i++) {
        const task = rows[i] as WireTask
        added.push(this.entry(task, dates[i] as number, at))
      }
      this.headSeq -= above
      added.forEach((e, i) => { this.seqOf.set(e.task.id, this.headSeq + i); this.bytes += e.bytes })
      this.entries = added.concat(this.entries)
    }
    this.changes++
    if (above > 0 || below >= 0) this.edgeMoves++
    // Where the ledger's newest and oldest tasks stand in this read.
    const head: Seam = { pos: (u as number) - above, total: value.totalElements, stamp }
    const tail: Seam = { pos: head.pos + this.entries.length - 1, total: value.totalElements, stamp }
    if (newer) {
      this.align = { u: head.pos, total: value.totalElements, stamp, at }
      this.head = head
      this.tail = tail
    } else {
      if (a !== null) a.u -= above
      if (above > 0) this.head = head
      if (below >= 0) this.tail = tail
    }
    if (newer) this.dropLeft()
    this.bound()
    return true
  }

  private entry(task: WireTask, date: number, at: number): Entry {
    const final = FINAL_STATES.has(task.state)
    // First seen: spread when it comes due by its date (neighbours together).
    const spread = 0.5 + 0.5 * (((date % WEEK_MS) + WEEK_MS) % WEEK_MS) / WEEK_MS
    return { task, date, readAt: at, due: at + (final ? this.options.verifyMs * spread : this.options.ttlMs), bytes: bytesOf(task) }
  }

  private refresh(e: Entry, task: WireTask, at: number): void {
    const wasFinal = FINAL_STATES.has(e.task.state)
    if (wasFinal && e.task !== task && changedAfterEnd(e.task, task)) this.counters.finalChanged++
    this.bytes -= e.bytes
    e.task = task
    e.bytes = bytesOf(task)
    this.bytes += e.bytes
    e.readAt = at
    e.due = at + (FINAL_STATES.has(task.state) ? this.options.verifyMs : this.options.ttlMs)
  }

  /**
   * The upstream lists fewer tasks below the ledger's newest than it holds:
   * the oldest left its window. Tasks that are not old enough to have left
   * mean the list changed in a way the ledger cannot follow: it empties.
   */
  private dropLeft(): void {
    const a = this.align as Alignment
    const listed = a.total - a.u
    if (listed >= this.entries.length) return
    const edge = this.leftEdge()
    for (let q = Math.max(0, listed); q < this.entries.length; q++) {
      if ((this.entries[q] as Entry).date > edge) {
        this.disagree()
        return
      }
    }
    this.truncate(Math.max(0, listed))
  }

  /** Keeps the newest tasks within maxBytes. */
  private bound(): void {
    if (this.bytes <= this.options.maxBytes) return
    let keep = this.entries.length
    let bytes = this.bytes
    while (keep > 0 && bytes > this.options.maxBytes * 0.9) bytes -= (this.entries[--keep] as Entry).bytes
    this.truncate(keep)
  }

  private truncate(keep: number): void {
    const t = this.tail
    if (t !== null && keep < this.entries.length) this.tail = { ...t, pos: t.pos - (this.entries.length - keep) }
    for (let q = keep; q < this.entries.length; q++) {
      const e = this.entries[q] as Entry
      this.seqOf.delete(e.task.id)
      this.bytes -= e.bytes
    }
    if (keep < this.entries.length) this.toEnd = keep > 0 && this.toEnd && this.align !== null && keep >= this.align.total - this.align.u
    this.entries.length = keep
    if (keep === 0) {
      this.align = null
      this.head = null
      this.tail = null
    }
  }

  /** A page disagreed with the ledger: forget everything (the bridge reads again). */
  private disagree(): true {
    this.counters.resets++
    this.reset()
    return true
  }

  private reset(): void {
    this.changes++
    this.entries = []
    this.seqOf.clear()
    this.headSeq = 0
    this.align = null
    this.head = null
    this.tail = null
    this.size = null
    this.pending = []
    this.pendingBytes = 0
    this.toEnd = false
    this.seen = null
    this.bytes = 0
  }
}

/** Whether a final task read again shows another outcome than before (what a run changes, compared field by field: this runs for every task read again). */
function changedAfterEnd(was: WireTask, now: WireTask): boolean {
  return was.state !== now.state || was.finishStatus !== now.finishStatus || was.dateLastModified !== now.dateLastModified ||
    was.processedItems !== now.processedItems || was.failedItems !== now.failedItems || was.totalItems !== now.totalItems || was.machineId !== now.machineId
}

/** Whether two reads overlapped in time (neither ended before the other started). */
const overlap = (stamp: ReadStamp, a: Seam): boolean => stamp.ended >= a.stamp.started && stamp.started <= a.stamp.ended

/**
 * Whether a page read at `stamp` with `total` that shares no task with the
 * ledger may join it right below its oldest task, as the read `a` that saw
 * that task placed it. Read after `a`, tasks that arrived in between would
 * have put tasks the ledger holds on the page: with none, none arrived (or
 * more than it holds). Read before it, they would leave a gap the page cannot
 * show: only a read at the same moment (overlapping it) with the same total
 * is taken — that as many tasks left the tail as arrived, unseen, is the risk
 * the Tasks scan takes too (execute/task-scan.ts). And never across more than
 * `ttlMs`.
 */
function joinsBelow(stamp: ReadStamp, total: number, a: Seam, ttlMs: number): boolean {
  return total === a.total && stamp.ended >= a.stamp.started && Math.abs(stamp.started - a.stamp.started) <= ttlMs * 1000
}

/**
 * Whether a full page right above the ledger's newest task, as the read `a`
 * that saw that task placed it, may join it when it shares no task with it:
 * read wholly before `a` (a task arriving in between would have put that
 * task on it), or at the same moment with the same total.
 */
function joinsAbove(stamp: ReadStamp, total: number, a: Seam): boolean {
  return stamp.ended <= a.stamp.started || (total === a.total && overlap(stamp, a))
}
