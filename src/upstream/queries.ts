/** One sort key, sent as Spring's `sort=field,asc|desc`. */
export interface UpstreamSort {
  /** The upstream's field name (e.g. `label`, `taskCount`, `_id`). */
  field: string
  descending: boolean
}

/** GET /api/v1/insights/tasks */
export interface TasksQuery {
  page: number
  /** Last N days (the route's `days`). */
  days: number
  /** Page size, if the upstream honours `size` (see PageSizeFinding). */
  size?: number
  signal?: AbortSignal
}

/** GET /api/v1/insights/automation */
export interface AutomationsQuery {
  page: number
  sort?: UpstreamSort
  /** Automation label to search. */
  automation?: string
  /** Last N days defining the aggregates. */
  filterBy?: number
  size?: number
  signal?: AbortSignal
}

/** GET /api/v1/insights/runners (unpaged). */
export interface RunnersQuery {
  sort?: UpstreamSort
  /** Runner identifier to search. */
  runner?: string
  filterBy?: number
  signal?: AbortSignal
}

export type SearchParams = Record<string, string | number | undefined>

/** The parameters that are set, as strings; undefined when none is (no bare `?`). */
export function searchParams(params: SearchParams): Record<string, string> | undefined {
  const set = Object.entries(params).filter((entry): entry is [string, string | number] => entry[1] !== undefined)
  return set.length === 0 ? undefined : Object.fromEntries(set.map(([name, value]) => [name, String(value)]))
}

export function sortParam(sort: UpstreamSort | undefined): string | undefined {
  return sort === undefined ? undefined : `${sort.field},${sort.descending ? 'desc' : 'asc'}`
}

export function tasksParams(query: TasksQuery): SearchParams {
  return { page: query.page, days: query.days, size: query.size }
}

export function automationsParams(query: AutomationsQuery): SearchParams {
  return { page: query.page, sort: sortParam(query.sort), automation: query.automation, filterBy: query.filterBy, size: query.size }
}

export function runnersParams(query: RunnersQuery): SearchParams {
  return { sort: sortParam(query.sort), runner: query.runner, filterBy: query.filterBy }
}
