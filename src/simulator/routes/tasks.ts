// GET /api/v1/insights/tasks?page&days → Spring page of tasks, newest first
// (or as --order says), each as it stands at the simulator's clock.
import type { FastifyInstance } from 'fastify'
import { callerOf } from '../auth.js'
import type { SimContext } from '../context.js'
import { countParam, pageSizeParam } from '../query-params.js'
import type { Query } from '../query-params.js'
import { springPage } from '../spring-page.js'
import type { SpringPage, WireTask } from '../../upstream/wire.js'
import { UPSTREAM_PATHS } from '../../upstream/wire.js'

export function tasksRoute(app: FastifyInstance, ctx: SimContext): void {
  app.get(UPSTREAM_PATHS.tasks, async (request): Promise<SpringPage<WireTask>> => {
    const query = request.query as Query
    const page = countParam(query, 'page', 0)
    const days = countParam(query, 'days', 30)
    const size = pageSizeParam(query, ctx.options.pageSize, ctx.options.honorSize)
    const { store } = callerOf(request)
    const now = ctx.now()
    const window = store.window(now, days)
    const total = window.hi - window.lo
    return springPage(store.listed(ctx.options.taskOrder, window, page * size, size, now), page, size, total)
  })
}
