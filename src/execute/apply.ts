// $apply with groupby/aggregate: the rows the leading filter() steps select
// (read as the planner planned: dateCreation bounds still choose the upstream
// window and pages) aggregated in the bridge, then $orderby/$skip/$top/$count
// over the groups. A $apply of filter() steps only is folded into $filter by
// the planner.
import { applyTransformations } from '../evaluate/aggregate.js'
import type { AggregateColumn } from '../evaluate/aggregate.js'
import { compareValues } from '../evaluate/index.js'
import type { ColumnOrder } from '../odata/index.js'
import type { AggregatePlan } from '../plan/plan.js'
import type { ApplyResume } from '../plan/resume.js'
import type { ExecResult } from './context.js'
import { applyWindow } from './local-window.js'
import type { Row } from '../model/row.js'

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

/**
 * A page of the aggregated rows: `rows` are every row the plan's read
 * selected (the caller checks it read them all).
 */
export async function aggregatePage(rows: readonly Row[], plan: AggregatePlan, resume: ApplyResume | null): Promise<{ columns: readonly AggregateColumn[]; result: ExecResult }> {
  const applied = await applyTransformations(rows as Row[], plan.steps, plan.at)
  const columns = applied.columns as readonly AggregateColumn[]
  const { window } = plan
  const page = applyWindow(applied.rows as Row[], { filter: null, search: null, compare: columnOrder(plan.orderby) }, columns[0]?.name ?? '', {
    skip: window.skip, top: window.top, offset: resume?.offset ?? 0, pageSize: window.pageSize
  })
  return {
    columns,
    result: {
      rows: page.rows,
      count: window.count ? page.matched : null,
      next: page.nextOffset === null ? null : ({ m: 'apply', T: plan.at, offset: page.nextOffset } satisfies ApplyResume)
    }
  }
}
