// GET /api/v1/insights/tasks?page&days → Spring page of tasks, newest first
// (or as --order says), each as it stands at the simulator's clock. With
// --honor-task-sort, `sort=dateCreation|id[,asc|desc]` chooses the order
// (ids grow with creation unless --order by-id, so both keys then agree).
import type { FastifyInstance } from 'fastify'
import { callerOf } from '../auth.js'
import type { SimContext } from '../context.js'
import { LISTINGS } from '../task-store.js'
import type { Listing } from '../task-store.js'
import { allValues, countParam, pageSizeParam } from '../query-params.js'
import type { Query } from '../query-params.js'
import { parseSort } from '../sort-spec.js'
import type { Sortable } from '../sort-spec.js'
import { springPage } from '../spring-page.js'
import type { SpringPage, WireTask } from '../../upstream/wire.js'
import { UPSTREAM_PATHS } from '../../upstream/wire.js'

const TASK_SORT: Sortable<WireTask> = {
  typeName: 'Task',
  keys: { dateCreation: (t) => t.dateCreation, id: (t) => t.id },
  defaultSort: 'dateCreation,desc',
  tieBreak: (t) => t.id
}

/** The order a honoured `sort` asks for (its first property); null when none is given. */
function sortedOrder(values: readonly string[]): Listing | null {
  if (values.length === 0) return null
  const [first] = parseSort(TASK_SORT, values)
  return { key: first?.key === TASK_SORT.keys.id ? 'id' : 'created', descending: first?.descending !== false }
}

export function tasksRoute(app: FastifyInstance, ctx: SimContext): void {
  app.get(UPSTREAM_PATHS.tasks, async (request): Promise<SpringPage<WireTask>> => {
    const query = request.query as Query
    const page = countParam(query, 'page', 0)
    const days = countParam(query, 'days', 30)
    const size = pageSizeParam(query, ctx.options.pageSize, ctx.options.honorSize)
    const sorted = ctx.options.honorTaskSort ? sortedOrder(allValues(query, 'sort')) : null
    const { store } = callerOf(request)
    const now = ctx.now()
    const window = store.window(now, days)
    const total = window.hi - window.lo
    return springPage(store.listed(sorted ?? LISTINGS[ctx.options.taskOrder], window, page * size, size, now), page, size, total, sorted !== null)
  })
}
