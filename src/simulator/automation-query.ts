// GET /api/v1/insights/automation without the paging: filter and sort.
import { parseSort, sortRows } from './sort-spec.js'
import type { Sortable } from './sort-spec.js'
import type { Workspace } from './workspace.js'
import type { WireAutomation } from '../upstream/wire.js'

export const AUTOMATION_SORT: Sortable<WireAutomation> = {
  typeName: 'Automation',
  keys: {
    label: (a) => a.label,
    date: (a) => a.date,
    repositoryLabel: (a) => a.repositoryLabel,
    taskCount: (a) => a.taskCount,
    sumItems: (a) => a.sumItems,
    sumItemsError: (a) => a.sumItemsError
  },
  defaultSort: 'label,asc',
  tieBreak: (a) => a.label
}

export interface AutomationQuery {
  days: number
  sort: readonly string[]
  /** The real semantics are unknown; a case-insensitive substring is the looser model. */
  automation?: string
}

export function queryAutomations(workspace: Workspace, nowMs: number, query: AutomationQuery): WireAutomation[] {
  const orders = parseSort(AUTOMATION_SORT, query.sort)
  const needle = query.automation?.toLowerCase() ?? ''
  const rows = workspace.automations(nowMs, query.days)
  const kept = needle === '' ? rows : rows.filter((a) => a.label.toLowerCase().includes(needle))
  return sortRows(AUTOMATION_SORT, kept, orders)
}
