// $apply with groupby/aggregate: read the rows the leading filter() steps
// select (dateCreation bounds still choose the upstream window and pages),
// aggregate them in the bridge, then $orderby/$skip/$top/$count the groups.
// A $apply of filter() steps only is folded into $filter by the caller.
import { bridgeError } from '../errors.js'
import { applyTransformations } from '../evaluate/aggregate.js'
import type { AggregateColumn } from '../evaluate/aggregate.js'
import { compareValues } from '../evaluate/index.js'
import { allOf } from '../odata/index.js'
import type { ApplyStep, ColumnOrder, Expr, QueryOptions } from '../odata/index.js'
import type { ExecContext, ExecResult } from './context.js'
import { applyWindow } from './local-window.js'
import type { Row } from '../model/row.js'

interface ApplyState { m: 'apply'; T: number; offset: number }

export function leadingFilter(steps: readonly ApplyStep[]): Expr | null {
  const first = steps.findIndex((s) => s.kind !== 'filter')
  return allOf(...steps.slice(0, first < 0 ? steps.length : first).map((s) => (s as Extract<ApplyStep, { kind: 'filter' }>).expr))
}

/** $orderby over the result's columns (parsed against them by the query parser). */
function columnOrder(items: readonly ColumnOrder[]): ((a: Row, b: Row) => number) | null {
  if (items.length === 0) return null
  return (a, b) => {
    for (const k of items) {
      const x = a[k.column] ?? null
      const y = b[k.column] ?? null
      // Nulls first ascending, last descending (OData 4.01 Part 2 §5.1.5).
      const c = x === null ? (y === null ? 0 : -1) : y === null ? 1 : compareValues(x, y)
      if (c !== 0) return k.descending ? -c : c
    }
    return 0
  }
}

export interface ApplyRequest {
  readonly ctx: ExecContext
  readonly steps: readonly ApplyStep[]
  readonly run: (ctx: ExecContext) => Promise<ExecResult>
  readonly inner: (query: QueryOptions, now: number) => ExecContext
}

export async function executeApply(req: ApplyRequest): Promise<{ columns: readonly AggregateColumn[]; result: ExecResult }> {
  const { ctx, steps } = req
  const { query } = ctx
  if (query.filter !== null || query.search !== null || query.select !== null) {
    throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', 'With a groupby or aggregate in $apply, put filters inside $apply (filter(…)/groupby(…)); $filter, $search and $select on the aggregated result are not supported.', { target: '$apply' })
  }
  const state = ctx.state as Partial<ApplyState> | null
  if (state !== null && (state.m !== 'apply' || typeof state.T !== 'number' || typeof state.offset !== 'number')) {
    throw bridgeError('BRIDGE_ERR_SKIPTOKEN_INVALID', 'The $skiptoken does not belong to this $apply query.', { target: '$skiptoken' })
  }
  const T = state?.T ?? ctx.now
  const innerQuery: QueryOptions = { ...query, filter: leadingFilter(steps), orderby: [], select: null, top: null, skip: null, count: false, search: null, skiptoken: null, apply: null }
  const read = await req.run(req.inner(innerQuery, T))
  if (read.next !== null) {
    throw bridgeError('BRIDGE_ERR_WINDOW_TOO_LARGE', `This $apply needs more than ${ctx.maxLocalRows} rows aggregated in the bridge; add a filter(dateCreation ge …) step or a shorter days=N.`, { target: '$apply' })
  }
  const applied = applyTransformations(read.rows, steps, T)
  const columns = applied.columns as readonly AggregateColumn[]
  const page = applyWindow(applied.rows as Row[], { filter: null, search: null, compare: columnOrder(query.applyOrderBy ?? []) }, columns[0]?.name ?? '', {
    skip: query.skip ?? 0, top: query.top, offset: state?.offset ?? 0, pageSize: ctx.pageSize
  })
  return {
    columns,
    result: {
      rows: page.rows,
      count: query.count ? page.matched : null,
      next: page.nextOffset === null ? null : ({ m: 'apply', T, offset: page.nextOffset } satisfies ApplyState)
    }
  }
}
