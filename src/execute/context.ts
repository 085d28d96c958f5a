// What an executor gets for one collection request, and what it returns.
import type { EntitySetDef } from '../model/index.js'
import type { QueryOptions } from '../odata/ast.js'
import type { Residual } from './local-window.js'
import type { Row } from '../model/row.js'
import type { UpstreamAccess } from '../upstream/access.js'

export interface ExecContext {
  readonly set: EntitySetDef
  readonly access: UpstreamAccess
  readonly query: QueryOptions
  readonly residual: Residual
  /** Feed horizon in days (days=N or the configured default). */
  readonly horizonDays: number
  /** Now, epoch ms (injected so tests control time). */
  readonly now: number
  /** State from the $skiptoken, already verified; null on a first page. */
  readonly state: unknown
  /** Rows in this response at most. */
  readonly pageSize: number
  /** Upstream pages read at once for this credential. */
  readonly concurrency: number
  /** Most rows read for work done in the bridge. */
  readonly maxLocalRows: number
  /** Only the count is wanted (/$count). */
  readonly countOnly: boolean
  /** The upstream page size last seen for the route (documented: 20). */
  readonly pageSizeHint: number
  /** Read the pages behind the next page into the cache while the client consumes this one. */
  readonly prefetch: boolean
}

export interface ExecResult {
  readonly rows: Row[]
  /** The $count value when asked (or for /$count), else null. */
  readonly count: number | null
  /** State for the next page's $skiptoken, or null on the last page. */
  readonly next: unknown
}

export const DAY_MS = 86_400_000
