// What a request's reads were planned to cost and what they cost: the body of
// the `@bridge.explain` annotation (docs/explain.md), the per-request log line
// and the estimate-accuracy histogram of /metrics.
import { exprText, orderByText, searchText } from '../odata/index.js'
import type { Bounds, Estimate } from '../plan/plan.js'
import type { Actual, ReadRecord } from './meter.js'

export interface ExplainedRead {
  readonly set: string
  readonly strategy: string
  readonly reason: string
  /** `order`: how the upstream lists Tasks, as found (upstream/task-order.ts). */
  readonly upstream: { readonly route: string; readonly params: Readonly<Record<string, string | number>>; readonly pageSize: number; readonly order?: string }
  /** What the bridge does after push-down, as OData text (absent: nothing). */
  readonly residual: { readonly filter?: string; readonly search?: string; readonly orderby?: string }
  readonly estimate: Estimate
  readonly actual: Actual
}

export interface Explain {
  readonly reads: readonly ExplainedRead[]
  /** The request's estimate: the sum of its reads' (null when any is unknown). */
  readonly estimate: { readonly reads: Bounds | null; readonly rows: Bounds | null }
  readonly actual: Actual
}

/** A read's estimate as it stands after the run: resolved by its first page where it could be. */
export function finalEstimate(record: ReadRecord): Estimate {
  return record.resolved ?? record.plan.estimate
}

/** The sum of estimates (null when any is unknown). */
export function sumBounds(bounds: readonly (Bounds | null)[]): Bounds | null {
  let min = 0
  let max = 0
  for (const b of bounds) {
    if (b === null) return null
    min += b.min
    max += b.max
  }
  return { min, max }
}

export function totalActual(reads: readonly ReadRecord[]): Actual {
  return reads.reduce((t, r) => ({ reads: t.reads + r.actual.reads, calls: t.calls + r.actual.calls, ledger: t.ledger + r.actual.ledger, rows: t.rows + r.actual.rows }), { reads: 0, calls: 0, ledger: 0, rows: 0 })
}

/** A request's estimate and actual cost, summed over its reads: what its log line and /metrics get (no text worked out). */
export function costSummary(reads: readonly ReadRecord[]): Pick<Explain, 'estimate' | 'actual'> {
  const estimates = reads.map(finalEstimate)
  return { estimate: { reads: sumBounds(estimates.map((e) => e.reads)), rows: sumBounds(estimates.map((e) => e.rows)) }, actual: totalActual(reads) }
}

export function explain(reads: readonly ReadRecord[]): Explain {
  const estimates = reads.map(finalEstimate)
  return {
    reads: reads.map((r, i) => {
      const { plan } = r
      const { filter, search, orderby } = plan.residual
      return {
        set: plan.set.name,
        strategy: plan.strategy,
        reason: plan.reason,
        upstream: { route: plan.upstream.route, params: plan.upstream.params, pageSize: plan.upstreamPageSize, ...(plan.upstream.route === 'tasks' ? { order: plan.listing } : {}) },
        residual: {
          ...(filter === null ? {} : { filter: exprText(filter) }),
          ...(search === null ? {} : { search: searchText(search) }),
          ...(orderby.length === 0 ? {} : { orderby: orderByText(orderby) })
        },
        estimate: estimates[i] as Estimate,
        actual: { ...r.actual }
      }
    }),
    ...costSummary(reads)
  }
}

/**
 * actual ÷ estimate of a request's upstream reads (against the upper bound of
 * a range); null when the estimate is unknown. Reads where none were estimated
 * are infinitely off (the histogram's +Inf bucket), not unknown.
 */
export function estimateRatio(e: Pick<Explain, 'estimate' | 'actual'>): number | null {
  if (e.estimate.reads === null) return null
  const { max } = e.estimate.reads
  if (max === 0) return e.actual.reads === 0 ? 1 : Infinity
  return e.actual.reads / max
}
