// Where a paged load stands between two requests: the state inside a
// $skiptoken (sealed by http/skiptoken.ts), one shape per strategy. The
// planner reads its tag to continue the load as it started; the executor of
// that strategy reads the rest.
import { bridgeError } from '../errors.js'

/**
 * What fixes a Tasks load's set: T, BotCity's time when the load started; h,
 * the dateCreation of the newest task the upstream listed then, and hIds, the
 * ids it listed at that millisecond (null: all of them). A load that starts
 * past the head ($skip in the upstream order) never reads it: its h is null,
 * and positions alone keep newer tasks out (execute/task-scan.ts).
 */
export interface Snapshot {
  readonly T: number
  readonly h: number | null
  readonly hIds: readonly number[] | null
  /**
   * An upstream listing tasks oldest first: how many it listed when the load
   * started. New tasks come after them, so the load counts positions back
   * from there (execute/task-pages.ts).
   */
  readonly listed?: number
}

/** Where a scan of Tasks in the upstream order stands (execute/task-scan.ts). */
export interface ScanCursor {
  /** Position in the upstream order of the next row to read. */
  pos: number
  /** totalElements the position refers to (null before the first page). */
  total: number | null
  /** When the read that gave `total` ended (its read stamp), to tell older reads from newer ones. */
  ref: number | null
  /**
   * When that read started: a read overlapping it that saw the same total is
   * trusted (the two are concurrent). null, or absent: none is, because a change
   * the total did not show was seen (a row read again).
   */
  refStart?: number | null
  /** Date of the last row consumed, and the ids consumed at that date. */
  lastDate: number | null
  lastIds: number[]
}

/** A known point of the upstream order: the row at `pos` was created at `date`. */
export interface OrderPoint {
  readonly pos: number
  readonly date: number
}

/** Tasks read in the upstream order: the scan's cursor, the upstream page size, rows given so far, an anchor for estimating where the set ends, and the count if asked. */
export interface ScanResume {
  readonly m: 'scan'
  readonly s: Snapshot
  readonly cur: ScanCursor
  readonly ps: number
  readonly given: number
  readonly a: OrderPoint | null
  readonly n: number | null
}

/** Tasks filtered or sorted in the bridge: where the next page starts, the count, and the key of the load's held order once it spans pages. */
export interface LocalResume {
  readonly m: 'local'
  readonly s: Snapshot
  readonly offset: number
  readonly n: number | null
  readonly o?: string
}

/** Automations and Runners: where the next page starts in the ordered result. */
export interface OffsetResume {
  readonly m: 'offset'
  readonly offset: number
}

/** A grouping $apply: the instant its load started (now() in its filters) and where the next page starts. */
export interface ApplyResume {
  readonly m: 'apply'
  readonly T: number
  readonly offset: number
}

export type ResumeState = ScanResume | LocalResume | OffsetResume | ApplyResume

const invalid = (): Error => bridgeError('BRIDGE_ERR_SKIPTOKEN_INVALID',
  'The $skiptoken does not belong to this query: follow @odata.nextLink exactly as the bridge sent it, or restart the query without $skiptoken.', { target: '$skiptoken' })

const isOffset = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
const isSnapshot = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as { T?: unknown }).T === 'number'

/**
 * The state of a token the bridge sealed (so authentic), checked for the
 * shape of its tag: a token from another version of the bridge, or decoded
 * with another query's id, never reaches an executor.
 */
export function resumeState(value: unknown): ResumeState {
  if (typeof value !== 'object' || value === null) throw invalid()
  const s = value as Record<string, unknown>
  switch (s.m) {
    case 'scan':
      if (isSnapshot(s.s) && typeof s.cur === 'object' && s.cur !== null && typeof s.ps === 'number' && isOffset(s.given)) return value as ScanResume
      break
    case 'local':
      if (isSnapshot(s.s) && isOffset(s.offset) && (s.o === undefined || typeof s.o === 'string')) return value as LocalResume
      break
    case 'offset':
      if (isOffset(s.offset)) return value as OffsetResume
      break
    case 'apply':
      if (typeof s.T === 'number' && isOffset(s.offset)) return value as ApplyResume
      break
  }
  throw invalid()
}

/** The token's state when it is one of `tags`; else the token belongs to another query. */
export function expectResume<M extends ResumeState['m']>(state: ResumeState | null, ...tags: M[]): Extract<ResumeState, { m: M }> | null {
  if (state === null) return null
  if ((tags as string[]).includes(state.m)) return state as Extract<ResumeState, { m: M }>
  throw invalid()
}
