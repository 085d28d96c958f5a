// All tasks of one workspace, oldest first (append-only): the history drawn at
// start, then the tasks `growthPerS` creates as the clock advances. Windows
// are index ranges found by binary search, so a page costs O(log n + size)
// (O(n) listed by id); each task is shown as it stands at the clock
// (task-factory.ts).
import type { TaskOrder } from './options.js'
import { EXAMPLE_AUTOMATION } from './catalog.js'
import type { Catalog } from './catalog.js'
import { creationTimes } from './history.js'
import { intBetween, randomFor } from './prng.js'
import type { Random } from './prng.js'
import { planTask } from './task-factory.js'
import type { SimTask } from './task-factory.js'
import type { WireTask } from '../upstream/wire.js'
import { DAY_MS } from './wire-dates.js'

export interface TaskStoreSpec {
  seed: number
  /** With by-id, ids are not given in creation order (see scrambledId). */
  taskOrder?: TaskOrder
  tasks: number
  historyDays: number
  growthPerS: number
  startMs: number
  /** Hold BotCity's documentation examples (see EXAMPLE_TASK). */
  examples?: boolean
}

/**
 * The task of BotCity's own documentation (its Insights API page): with
 * `examples`, the newest task of the history created a day or more before the
 * start has this id and runs this automation, so what a user copies from the
 * docs works on the demo feed for weeks.
 */
export const EXAMPLE_TASK = { id: 17_296_058, automation: EXAMPLE_AUTOMATION, ageMs: DAY_MS } as const

/** An order the tasks route lists in: by creation (the store's order) or by id. */
export interface Listing {
  readonly key: 'created' | 'id'
  readonly descending: boolean
}

export const LISTINGS: Readonly<Record<TaskOrder, Listing>> = {
  'newest-first': { key: 'created', descending: true },
  'oldest-first': { key: 'created', descending: false },
  'by-id': { key: 'id', descending: false }
}

/**
 * An id of the sequence with its low four bits reversed: unique, and out of
 * creation order within runs of 16 ids (about six tasks), as when several
 * servers hand out ids from blocks they reserved. Its own inverse.
 */
export function scrambledId(id: number): number {
  const low = id & 15
  return id - low + (((low & 1) << 3) | ((low & 2) << 1) | ((low & 4) >> 1) | ((low & 8) >> 3))
}

/** Half-open range [lo, hi) of store indexes. */
export interface TaskWindow {
  readonly lo: number
  readonly hi: number
}

export class TaskStore {
  private readonly tasks: SimTask[] = []
  private readonly growthRandom: Random
  private nextId: number
  private grown = 0
  /** Store indexes in ascending id (by-id listings), built when first asked for. */
  private byId: number[] | null = null

  constructor (private readonly catalog: Catalog, private readonly spec: TaskStoreSpec) {
    this.nextId = this.drawHistory(null, null)
    if (spec.examples === true) {
      // Draw the same history again, its ids shifted so that the example task gets its id.
      const index = this.tasks.findLastIndex((t) => t.createdMs <= spec.startMs - EXAMPLE_TASK.ageMs)
      const automation = catalog.automations.findIndex((a) => a.label === EXAMPLE_TASK.automation)
      if (index >= 0 && automation >= 0) {
        const shift = this.sequenceId(EXAMPLE_TASK.id) - this.sequenceId((this.tasks[index] as SimTask).id)
        const first = this.sequenceId((this.tasks[0] as SimTask).id)
        this.tasks.length = 0
        this.nextId = this.drawHistory(first + shift, { index, automation })
      }
    }
    this.growthRandom = randomFor(spec.seed, 'growth')
  }

  /** The history drawn at start (ids from `firstId`, or drawn); returns the next id. */
  private drawHistory(firstId: number | null, example: { index: number; automation: number } | null): number {
    const random = randomFor(this.spec.seed, 'history')
    const drawn = 17_000_000 + intBetween(random, 0, 99_999)
    this.nextId = firstId ?? drawn
    let i = 0
    for (const createdMs of creationTimes(random, this.spec.tasks, this.spec.startMs, this.spec.historyDays)) {
      const forced = example !== null && i === example.index ? example.automation : null
      this.tasks.push(planTask(this.catalog, random, this.takeId(random), createdMs, this.spec.seed, forced))
      i++
    }
    return this.nextId
  }

  /** Tasks with dateCreation in [now - days, now]. */
  window(nowMs: number, days: number): TaskWindow {
    this.advanceTo(nowMs)
    return { lo: this.firstCreatedFrom(nowMs - days * DAY_MS), hi: this.firstCreatedFrom(nowMs + 1) }
  }

  /** `limit` tasks of the window as they stand at `nowMs`, newest first, skipping the `offset` newest. */
  newestFirst(window: TaskWindow, offset: number, limit: number, nowMs: number): WireTask[] {
    const rows: WireTask[] = []
    const stop = Math.max(window.lo, window.hi - offset - limit)
    for (let i = window.hi - offset - 1; i >= stop; i--) rows.push((this.tasks[i] as SimTask).at(nowMs))
    return rows
  }

  /** `limit` tasks of the window in the order given, skipping `offset`: oldest first is the store's insertion order. */
  listed(listing: Listing, window: TaskWindow, offset: number, limit: number, nowMs: number): WireTask[] {
    if (listing.key === 'id') return this.listedById(listing.descending, window, offset, limit, nowMs)
    if (listing.descending) return this.newestFirst(window, offset, limit, nowMs)
    const rows: WireTask[] = []
    for (let i = window.lo + offset; i < Math.min(window.hi, window.lo + offset + limit); i++) rows.push((this.tasks[i] as SimTask).at(nowMs))
    return rows
  }

  private listedById(descending: boolean, window: TaskWindow, offset: number, limit: number, nowMs: number): WireTask[] {
    const order = this.idOrder()
    const picked: number[] = []
    if (window.lo === 0 && window.hi === this.tasks.length) {
      const from = descending ? order.length - offset - limit : offset
      picked.push(...order.slice(Math.max(0, from), Math.max(0, from + limit)))
    } else {
      const inWindow = order.filter((i) => i >= window.lo && i < window.hi)
      const from = descending ? inWindow.length - offset - limit : offset
      picked.push(...inWindow.slice(Math.max(0, from), Math.max(0, from + limit)))
    }
    if (descending) picked.reverse()
    return picked.map((i) => (this.tasks[i] as SimTask).at(nowMs))
  }

  /** Store indexes in ascending id, kept up to date as tasks are added. */
  private idOrder(): number[] {
    const order = this.byId ?? []
    const idAt = (i: number): number => (this.tasks[i] as SimTask).id
    for (let i = order.length; i < this.tasks.length; i++) {
      const id = idAt(i)
      let lo = 0
      let hi = order.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (idAt(order[mid] as number) < id) lo = mid + 1
        else hi = mid
      }
      order.splice(lo, 0, i)
    }
    this.byId = order
    return order
  }

  /**
   * The change-final fault: task `id` (or the newest task created a day or
   * more before `nowMs` that is final by then) changes at `nowMs`. Returns its id.
   */
  changeFinal(nowMs: number, id?: number): number {
    this.advanceTo(nowMs)
    let task: SimTask | undefined
    if (id !== undefined) task = this.tasks.find((t) => t.id === id)
    else task = this.tasks.findLast((t) => t.createdMs <= nowMs - DAY_MS && t.isFinalAt(nowMs))
    if (task === undefined || !task.isFinalAt(nowMs)) throw new TypeError(id === undefined ? 'no task is final yet' : `task ${id} does not exist or is not final yet`)
    task.amend(nowMs)
    return task.id
  }

  *within(window: TaskWindow): Generator<SimTask> {
    for (let i = window.lo; i < window.hi; i++) yield this.tasks[i] as SimTask
  }

  private advanceTo(nowMs: number): void {
    const perS = this.spec.growthPerS
    if (perS <= 0) return
    for (;;) {
      const createdMs = this.spec.startMs + Math.ceil((this.grown + 1) * 1000 / perS)
      if (createdMs > nowMs) return
      this.tasks.push(planTask(this.catalog, this.growthRandom, this.takeId(this.growthRandom), createdMs, this.spec.seed))
      this.grown++
    }
  }

  private takeId(random: Random): number {
    const id = this.nextId
    // Other organisations' tasks share the sequence: leave gaps.
    this.nextId += 1 + (random() < 0.35 ? intBetween(random, 1, 8) : 0)
    return this.spec.taskOrder === 'by-id' ? scrambledId(id) : id
  }

  /** The id of the sequence a shown id was given from. */
  private sequenceId(id: number): number {
    return this.spec.taskOrder === 'by-id' ? scrambledId(id) : id
  }

  private firstCreatedFrom(ms: number): number {
    let lo = 0
    let hi = this.tasks.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.tasks[mid] as SimTask).createdMs < ms) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
