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

/** A run of upstream pages with fixed parameters, each fetched at most once. */
export class PageRun<T> {
  private readonly pages = new Map<number, Promise<SpringPage<T>>>()
  constructor(private readonly fetchPage: (page: number) => Promise<SpringPage<T>>) {}

  get(page: number): Promise<SpringPage<T>> {
    let p = this.pages.get(page)
    if (p === undefined) {
      p = this.fetchPage(page)
      this.pages.set(page, p)
    }
    return p
  }

  /** Forget a page so the next get() reads it again (the upstream changed under it). */
  forget(page: number): void {
    this.pages.delete(page)
  }

  forgetAll(): void {
    this.pages.clear()
  }

  /** Pages from..to-1, started together (the access layer bounds concurrency). */
  range(from: number, to: number): Promise<SpringPage<T>>[] {
    const out: Promise<SpringPage<T>>[] = []
    for (let i = from; i < to; i++) out.push(this.get(i))
    return out
  }
}
