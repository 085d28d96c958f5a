// Wire shapes of the BotCity Insights REST API, as documented
// (shared seeds: insights-api-docs.txt) and refined in reference/upstream.md.
// The simulator produces exactly these; the client parses exactly these.

/** POST /api/v2/workspace/login response. */
export interface LoginResponse {
  accessToken: string
  organizationLabel: string
}

/** GET /api/v1/insights/tasks content item. */
export interface WireTask {
  id: number
  /** START, RUNNING, FINISHED, CANCELED — and values no SDK lists (open string). */
  state: string
  /** SUCCESS, FAILED, PARTIALLY_COMPLETED; null unless FINISHED. */
  finishStatus: string | null
  activityLabel: string
  repositoryLabel: string | null
  machineId: string | null
  /** ISO-8601 with offset, e.g. 2024-02-09T20:02:40.032+00:00 */
  dateLastModified: string | null
  dateCreation: string
  dateStartRunning: string | null
  processedItems: number | null
  failedItems: number | null
  totalItems: number | null
}

/** GET /api/v1/insights/automation content item. */
export interface WireAutomation {
  label: string
  name: string | null
  machineId: string | null
  description: string | null
  organizationLabel: string
  repositoryLabel: string | null
  /** ISO-8601 without zone (server runs in UTC), e.g. 2024-02-23T23:00:02.513 */
  date: string | null
  taskCount: number
  sumItems: number
  sumItemsError: number
  sumItemsProcessed: number
  uptimeRate: number
  downtimeRate: number
  successRate: number
  roi: number
  fte: number
  savings: number
}

/** GET /api/v1/insights/runners item (the route answers a plain array). */
export interface WireRunner {
  id: string
  idMachine: string
  log: string | null
  remoteAccess: string | null
  /** Open string (the UI shows online/offline; values undocumented). */
  status: string | null
  name: string | null
  organization: string
  automations: string[]
  tasks: number
  items: number
  itemsErrorCount: number
  utilizationRate: number
}

export interface SpringSort {
  sorted: boolean
  empty: boolean
  unsorted: boolean
}

/** Spring Data `Page` envelope used by the paged routes. */
export interface SpringPage<T> {
  content: T[]
  number: number
  size: number
  totalElements: number
  totalPages: number
  last: boolean
  first: boolean
  numberOfElements: number
  empty: boolean
  pageable: {
    pageNumber: number
    pageSize: number
    sort: SpringSort
    offset: number
    paged: boolean
    unpaged: boolean
  }
  sort: SpringSort
}

const UNSORTED: SpringSort = { sorted: false, empty: true, unsorted: true }

/** Page `page` of `size` rows of a listing of `total`, holding `content`, as Spring writes it (unsorted): the pages the bridge makes up itself. */
export function springPage<T>(content: T[], page: number, size: number, total: number): SpringPage<T> {
  const totalPages = Math.ceil(total / size)
  return {
    content,
    number: page,
    size,
    totalElements: total,
    totalPages,
    first: page === 0,
    last: page >= totalPages - 1,
    numberOfElements: content.length,
    empty: content.length === 0,
    pageable: { pageNumber: page, pageSize: size, sort: UNSORTED, offset: page * size, paged: true, unpaged: false },
    sort: UNSORTED
  }
}

/** GET /api/v2/maestro/version (no auth). */
export interface VersionResponse {
  version: string
}

export const UPSTREAM_PATHS = {
  login: '/api/v2/workspace/login',
  tasks: '/api/v1/insights/tasks',
  automation: '/api/v1/insights/automation',
  runners: '/api/v1/insights/runners',
  version: '/api/v2/maestro/version'
} as const

/** The upstream routes the client calls (keys of UPSTREAM_PATHS). */
export type UpstreamRouteName = keyof typeof UPSTREAM_PATHS

/** Sort fields the docs list for /api/v1/insights/automation (`sort=field,asc|desc`). */
export const AUTOMATION_SORT_FIELDS = ['label', 'date', 'repositoryLabel', 'taskCount', 'sumItems', 'sumItemsError'] as const

/** Sort fields the docs list for /api/v1/insights/runners (`sort=field,asc|desc`). */
export const RUNNER_SORT_FIELDS = ['_id', 'tasks', 'items', 'itemsErrorCount', 'utilizationRate'] as const
