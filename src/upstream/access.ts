// What the executors may ask of the upstream for one request: pages of a route
// with the parameters a plan chose, each stamped with when it was read (a
// cached page keeps the stamp of its original read). The page cache sits below this.
import type { PagedRoute, ReadParams } from './client.js'
import type { OrderMark } from './order-marks.js'
import type { Stamped } from './page-cache.js'
import type { TaskOrderFinding } from './task-order.js'
import type { SpringPage, WireTask } from './wire.js'

export interface UpstreamAccess {
  /** Rows per upstream page of a paged route (learned once: 20 unless a larger size is honoured). */
  pageSize(route: PagedRoute): Promise<number>
  /** One page of a paged route; `fresh` skips the cache. */
  page<T>(route: PagedRoute, page: number, params: ReadParams, fresh?: boolean): Promise<Stamped<SpringPage<T>>>
  /**
   * A page of Tasks (in the upstream order, with these parameters) that the
   * task ledger stands for (task-ledger.ts), or null: read it. Counted as a
   * read from the cache.
   */
  ledgerPage(page: number, params: ReadParams): Promise<Stamped<SpringPage<WireTask>> | null>
  /** Whether ledgerPage() would serve the page now (pages read ahead skip those). */
  ledgerHolds(page: number, params: ReadParams): boolean
  /** Whether the ledger may serve the page once the pages before it are read (task-ledger.ts later()). */
  ledgerLater(page: number, params: ReadParams): boolean
  /** Reads a page into the cache for the load's next request (never for this one). */
  readAhead(route: PagedRoute, page: number, params: ReadParams): void
  /** Every row of an unpaged route. */
  list<T>(route: 'runners', params: ReadParams): Promise<Stamped<T[]>>
  /** Rows the route listed with these parameters when last read (totalElements, or the array's length); null: never read. */
  total(route: PagedRoute | 'runners', params: ReadParams): number | null
  /** The order the tasks route lists in (task-order.ts): probed once per upstream, or as configured. */
  taskOrder(): Promise<TaskOrderFinding>
  /** A page contradicted that order: the next request finds it out again. */
  orderContradicted(): void
  /** What has been seen of the Tasks order (order-marks.ts), by date. */
  orderMarks(): readonly OrderMark[]
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
