// GET /api/v1/insights/automation?page&sort&automation&filterBy → Spring page.
import type { FastifyInstance } from 'fastify'
import { callerOf } from '../auth.js'
import { queryAutomations } from '../automation-query.js'
import type { SimContext } from '../context.js'
import { allValues, countParam, firstValue, pageSizeParam } from '../query-params.js'
import type { Query } from '../query-params.js'
import { pageOf } from '../spring-page.js'
import type { SpringPage, WireAutomation } from '../../upstream/wire.js'
import { UPSTREAM_PATHS } from '../../upstream/wire.js'

export function automationRoute(app: FastifyInstance, ctx: SimContext): void {
  app.get(UPSTREAM_PATHS.automation, async (request): Promise<SpringPage<WireAutomation>> => {
    const query = request.query as Query
    const page = countParam(query, 'page', 0)
    const days = countParam(query, 'filterBy', 30)
    const size = pageSizeParam(query, ctx.options.pageSize, ctx.options.honorSize)
    const rows = queryAutomations(callerOf(request), ctx.now(), {
      days,
      sort: allValues(query, 'sort'),
      automation: firstValue(query, 'automation')
    })
    return pageOf(rows, page, size)
  })
}
