// What the executors may ask of the upstream for one request: pages of a route
// with fixed parameters, memoised for the request and run under the
// credential's concurrency limit. The shared page cache plugs in below this.
import type { SpringPage, WireAutomation, WireRunner, WireTask } from '../upstream/wire.js'

export interface UpstreamAccess {
  /** GET /api/v1/insights/tasks?page&days */
  taskPage(page: number, days: number): Promise<SpringPage<WireTask>>
  /** GET /api/v1/insights/automation?page&filterBy[&automation][&sort] */
  automationPage(page: number, params: { filterBy: number; automation?: string; sort?: string }): Promise<SpringPage<WireAutomation>>
  /** GET /api/v1/insights/runners?filterBy[&runner] */
  runners(params: { filterBy: number; runner?: string }): Promise<WireRunner[]>
}

let sequence = 0

/** When a page's read started and ended, on one process-wide sequence: a read that started after another ended saw a newer upstream. */
export interface ReadStamp {
  readonly started: number
  ended: number
}

/** A run of upstream pages with fixed parameters, each fetched at most once (until forgotten). */
export class PageRun<T> {
  private readonly pages = new Map<number, { promise: Promise<SpringPage<T>>; stamp: ReadStamp }>()
  constructor(private readonly fetchPage: (page: number) => Promise<SpringPage<T>>) {}

  get(page: number): Promise<SpringPage<T>> {
    return this.entry(page).promise
  }

  /** The read stamp of a page already asked for. */
  stamp(page: number): ReadStamp {
    return this.entry(page).stamp
  }

  private entry(page: number): { promise: Promise<SpringPage<T>>; stamp: ReadStamp } {
    let e = this.pages.get(page)
    if (e === undefined) {
      const stamp: ReadStamp = { started: ++sequence, ended: Infinity }
      const promise = this.fetchPage(page).then((result) => {
        stamp.ended = ++sequence
        return result
      })
      // Pages read ahead may fail after the request has already failed on an
      // earlier one: that later rejection is expected, not unhandled.
      promise.catch(() => undefined)
      e = { promise, stamp }
      this.pages.set(page, e)
    }
    return e
  }

  /** Forget a page so the next get() reads it again (the upstream changed under it). */
  forget(page: number): void {
    this.pages.delete(page)
  }

  forgetAll(): void {
    this.pages.clear()
  }

  /** Pages from..to-1, started together (the client bounds concurrency). */
  range(from: number, to: number): Promise<SpringPage<T>>[] {
    const out: Promise<SpringPage<T>>[] = []
    for (let i = from; i < to; i++) out.push(this.get(i))
    return out
  }
}
