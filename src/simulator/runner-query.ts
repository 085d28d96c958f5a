// GET /api/v1/insights/runners: filter by id and sort (no paging on this route).
import { parseSort, sortRows } from './sort-spec.js'
import type { Sortable } from './sort-spec.js'
import type { Workspace } from './workspace.js'
import type { WireRunner } from '../upstream/wire.js'

export const RUNNER_SORT: Sortable<WireRunner> = {
  typeName: 'Runner',
  keys: {
    _id: (r) => r.id,
    tasks: (r) => r.tasks,
    items: (r) => r.items,
    itemsErrorCount: (r) => r.itemsErrorCount,
    utilizationRate: (r) => r.utilizationRate
  },
  defaultSort: 'tasks,desc',
  tieBreak: (r) => r.id
}

export interface RunnerQuery {
  days: number
  sort: readonly string[]
  /** Exact runner id. */
  runner?: string
}

export function queryRunners(workspace: Workspace, nowMs: number, query: RunnerQuery): WireRunner[] {
  const orders = parseSort(RUNNER_SORT, query.sort)
  const rows = workspace.runners(nowMs, query.days)
  const kept = query.runner === undefined || query.runner === '' ? rows : rows.filter((r) => r.id === query.runner)
  return sortRows(RUNNER_SORT, kept, orders)
}
