// What the executors may ask of the upstream for one request: pages of a route
// with fixed parameters, each stamped with when it was read (a cached page
// keeps the stamp of its original read). The page cache sits below this.
import type { Stamped } from './page-cache.js'
import type { SpringPage, WireAutomation, WireRunner, WireTask } from './wire.js'

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
