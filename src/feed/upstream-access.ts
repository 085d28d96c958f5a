// What the executors may ask of the upstream for one request: pages of a route
// with fixed parameters, each stamped with when it was read (a cached page
// keeps the stamp of its original read). The page cache sits below this.
import type { ReadStamp, Stamped } from '../upstream/page-cache.js'
import type { SpringPage, WireAutomation, WireRunner, WireTask } from '../upstream/wire.js'

export interface UpstreamAccess {
  /** Rows per upstream page of a paged route (learned once: 20 unless a larger size is honoured). */
  pageSize(route: 'tasks' | 'automation'): Promise<number>
  /** GET /api/v1/insights/tasks?page&days; `fresh` skips the cache. */
  taskPage(page: number, days: number, fresh: boolean): Promise<Stamped<SpringPage<WireTask>>>
  /** Reads a Tasks page into the cache for the load's next request (never for this one). */
  readAhead(page: number, days: number): void
  /** GET /api/v1/insights/automation?page&filterBy[&automation] */
  automationPage(page: number, params: { filterBy: number; automation?: string }): Promise<Stamped<SpringPage<WireAutomation>>>
  /** GET /api/v1/insights/runners?filterBy[&runner] */
  runners(params: { filterBy: number; runner?: string }): Promise<Stamped<WireRunner[]>>
  /** BotCity's clock now, as estimated from its answers (epoch ms). */
  upstreamNow(): number
  /**
   * A fact about this credential's upstream worked out once and kept for the
   * process (never a row value: only facts that stay true, or become more
   * cautious, as time passes).
   */
  remember<T>(name: string, compute: () => Promise<T>): Promise<T>
  /**
   * Keeps the order of a load answered in several pages (ids, in the order
   * served), so its next pages follow it even while tasks change; shared by
   * the replicas with REDIS_URL. `order` is null once it is no longer held.
   */
  keepOrder(load: string, ids: readonly number[]): Promise<void>
  order(load: string): Promise<readonly number[] | null>
}

interface RunEntry<T> {
  readonly promise: Promise<SpringPage<T>>
  stamp: ReadStamp | null
}

/** A run of upstream pages with fixed parameters, each read at most once (until forgotten). */
export class PageRun<T> {
  private readonly pages = new Map<number, RunEntry<T>>()
  private readonly stale = new Set<number>()
  constructor(private readonly fetchPage: (page: number, fresh: boolean) => Promise<Stamped<SpringPage<T>>>) {}

  get(page: number): Promise<SpringPage<T>> {
    let e = this.pages.get(page)
    if (e === undefined) {
      const entry: RunEntry<T> = {
        promise: this.fetchPage(page, this.stale.has(page)).then((s) => {
          entry.stamp = s.stamp
          return s.value
        }),
        stamp: null
      }
      // Pages read ahead may fail after the request has already failed on an
      // earlier one: that later rejection is expected, not unhandled.
      entry.promise.catch(() => undefined)
      this.pages.set(page, entry)
      e = entry
    }
    return e.promise
  }

  /** The read stamp of a page already read (after awaiting get()). */
  stamp(page: number): ReadStamp {
    const s = this.pages.get(page)?.stamp
    if (s === undefined || s === null) throw new Error(`page ${page} has not been read`)
    return s
  }

  /** Forget a page so the next get() reads it again from the upstream, not the cache. */
  forget(page: number): void {
    if (this.pages.delete(page)) this.stale.add(page)
  }

  forgetAll(): void {
    for (const page of this.pages.keys()) this.stale.add(page)
    this.pages.clear()
  }

  /** Pages from..to-1, started together (the client bounds concurrency). */
  range(from: number, to: number): Promise<SpringPage<T>>[] {
    const out: Promise<SpringPage<T>>[] = []
    for (let i = from; i < to; i++) out.push(this.get(i))
    return out
  }
}
