// What an executor gets for one read (its plan, the upstream, the residual
// work compiled), and what it returns.
import type { ReadPlan } from '../plan/plan.js'
import type { ResumeState } from '../plan/resume.js'
import type { UpstreamAccess } from '../upstream/access.js'
import type { Row } from '../model/row.js'
import type { RowTests } from './local-window.js'

export interface ExecContext {
  readonly plan: ReadPlan
  /** The upstream, through this read's meter. */
  readonly access: UpstreamAccess
  /** The plan's residual $filter, $search and $orderby, compiled once. */
  readonly residual: RowTests
  /** Upstream pages read at once for this credential. */
  readonly concurrency: number
  /** Most rows read for work done in the bridge. */
  readonly maxLocalRows: number
  /** Read the pages behind the next page into the cache while the client consumes this one. */
  readonly prefetch: boolean
}

export interface ExecResult {
  readonly rows: Row[]
  /** The $count value when asked (or for /$count), else null. */
  readonly count: number | null
  /** Where the next page's $skiptoken resumes, or null on the last page. */
  readonly next: ResumeState | null
}

