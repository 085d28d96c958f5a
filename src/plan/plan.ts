// ② What the planner decides for one request, and what the executors run
// (src/execute): per read of an entity set, the strategy, the upstream route
// and parameters, what is left to the bridge after push-down, the window of
// rows to answer, and what it will cost.
import type { EntitySetDef, NavigationDef, PropertyDef, UpstreamRoute } from '../model/index.js'
import type { ApplyStep, ColumnOrder, ExpandItem, Expr, OrderByItem, QueryOptions, SearchExpr } from '../odata/index.js'
import type { ResumeState } from './resume.js'
import type { OrderMark } from '../upstream/order-marks.js'
import type { TaskOrder, TaskOrderFinding } from '../upstream/task-order.js'

export type Strategy =
  /** Nothing to read: `$top=0` without a count. */
  | 'none'
  /** Rows in the upstream's own order (as it lists them, or sorted by a parameter): only the pages the window covers are read. */
  | 'native-window'
  /** Tasks between dateCreation bounds, in the upstream order: where the newest bound falls is found by bisecting pages. */
  | 'date-window'
  /** Tasks counted by two positions in the upstream order, not read (/$count). */
  | 'count'
  /** Every row of the window read, then filtered, sorted and cut in the bridge. */
  | 'full-scan'
  /** A later page of a full scan whose order the bridge holds: the rows of its slice, as they stand now. */
  | 'held-order'
  /**
   * Tasks, when BotCity lists them in another order than newest first: every
   * page of the upstream window, de-duplicated by id and checked against
   * totalElements, then filtered, sorted and cut in the bridge.
   */
  | 'whole-read'
  /** An upstream filter parameter narrows the read (automation=, runner=); the bridge still applies its own filter. */
  | 'lookup'

/** Upstream query parameters other than the page (and the page size, the client's affair). */
export type UpstreamParams = Readonly<Record<string, string | number>>

/** The work left to the bridge after push-down. */
export interface Residual {
  readonly filter: Expr | null
  readonly search: SearchExpr | null
  readonly orderby: readonly OrderByItem[]
}

/** The rows one request answers. */
export interface Window {
  readonly skip: number
  /** Rows the client wants in all ($top), or null. */
  readonly top: number | null
  /** Rows in this answer at most (PAGE_SIZE, or Prefer: odata.maxpagesize). */
  readonly pageSize: number
  /** `$count=true`: the count travels with the rows. */
  readonly count: boolean
  /** `/$count`: only the count. */
  readonly countOnly: boolean
}

/** Inclusive bounds, in epoch ms, of the set's dateCreation (Tasks). */
export interface InstantBounds {
  readonly from: number | null
  readonly to: number | null
}

/** A number that is known, or known within bounds (`min` = `max` when exact). */
export interface Bounds {
  readonly min: number
  readonly max: number
}

/**
 * What a read will cost. `reads` counts upstream page reads (each an upstream
 * call unless the page cache holds it; retries and logins are not reads);
 * `rows` the rows held in memory at once. null: unknown before reading —
 * `until` says what makes it known.
 */
export interface Estimate {
  readonly reads: Bounds | null
  readonly rows: Bounds | null
  /** When reads is null: known after the first upstream page, or only once the set has been read. */
  readonly until?: 'first-page' | 'read'
  /** How it was worked out, in a phrase. */
  readonly basis: string
}

/** One read of an entity set, as the executor of its strategy runs it. */
export interface ReadPlan {
  readonly set: EntitySetDef
  readonly strategy: Strategy
  /** Why this strategy, in a phrase. */
  readonly reason: string
  /** The upstream route and its parameters (window, sort, filter parameters). */
  readonly upstream: { readonly route: UpstreamRoute; readonly params: UpstreamParams }
  /** Rows per upstream page, as last learned (20 documented). */
  readonly upstreamPageSize: number
  /** Every row the read selects, for the bridge to join ($expand) or aggregate ($apply): its window is a bound, not a page. */
  readonly whole: boolean
  /**
   * Tasks: how the upstream lists them. Oldest first is read from the end of
   * its list, as if newest first (execute/task-pages.ts); in no order by date,
   * the strategy is whole-read.
   */
  readonly listing: TaskOrder
  /** Feed horizon in days (days=N or HORIZON_DAYS). */
  readonly horizonDays: number
  /** Tasks: dateCreation bounds folded into the read. */
  readonly range: InstantBounds
  /** Tasks in the upstream order with only $skip/$top: start at the $skip position without reading page 0. */
  readonly jump: boolean
  readonly residual: Residual
  readonly window: Window
  /** Where the load stands, from the $skiptoken; null on its first request. */
  readonly resume: ResumeState | null
  /** Tasks: where the set ends in the upstream order at the latest, as earlier reads showed; null: not known. */
  readonly setEnd: SetEnd | null
  readonly estimate: Estimate
}

/**
 * The set holds at most `rows` tasks from the head of the upstream order when
 * the window held `total`: new tasks since then add as many to it. A scan
 * never needs a page past the one holding the row after them.
 */
export interface SetEnd {
  readonly rows: number
  readonly total: number
}

/** A grouping $apply over the rows of a read. */
export interface AggregatePlan {
  readonly steps: readonly ApplyStep[]
  readonly orderby: readonly ColumnOrder[]
  /** The window over the aggregated rows. */
  readonly window: Window
  /** The instant the load started (now() in its filters). */
  readonly at: number
}

export type RequestPlan =
  /** A collection, or a collection reached through a navigation (`path` is what its nextLink continues). */
  | { readonly kind: 'collection'; readonly path: string; readonly read: ReadPlan; readonly expand: readonly ExpandItem[] }
  /** A grouping $apply: the rows of `read` aggregated in the bridge. */
  | { readonly kind: 'aggregate'; readonly path: string; readonly read: ReadPlan; readonly aggregate: AggregatePlan }
  /** One entity by key, a property of it, or its raw value. */
  | { readonly kind: 'entity'; readonly read: ReadPlan; readonly key: string | number; readonly property: PropertyDef | null; readonly value: boolean; readonly expand: readonly ExpandItem[] }
  /**
   * A navigation from one entity: the source is read first; the target is
   * planned once the source's value is known (planNavigationTarget).
   */
  | { readonly kind: 'navigation'; readonly source: ReadPlan; readonly key: string | number; readonly nav: NavigationDef; readonly target: EntitySetDef; readonly query: QueryOptions; readonly path: string }

/** Settings the planner works with (from the configuration). */
export interface PlanSettings {
  readonly horizonDays: number
  readonly maxLocalRows: number
  /** Upstream page reads one request may make (REQUEST_MAX_UPSTREAM_READS). */
  readonly maxUpstreamReads: number
  /** Related rows one $expand item may read for a page (EXPAND_MAX_ROWS). */
  readonly maxExpandRows: number
}

/** What the bridge has learned of the upstream at run time. */
export interface UpstreamFacts {
  /** Rows per upstream page, per paged route (documented: 20). */
  readonly pageSize: Readonly<Partial<Record<UpstreamRoute, number>>>
  /** BotCity's clock (epoch ms), as estimated from its answers. */
  readonly upstreamNow?: number
  /** Rows the route listed with these parameters when last read; null: never read (or not known). */
  readonly total?: (route: UpstreamRoute, params: UpstreamParams) => number | null
  /** What has been seen of the Tasks order, by date (upstream/order-marks.ts). */
  readonly orderMarks?: readonly OrderMark[]
  /** The order the tasks route lists in (upstream/task-order.ts); absent: newest first, unsorted. */
  readonly taskOrder?: TaskOrderFinding
}
