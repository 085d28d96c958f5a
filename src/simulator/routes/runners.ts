// GET /api/v1/insights/runners?sort&runner&filterBy → plain JSON array.
import type { FastifyInstance } from 'fastify'
import { callerOf } from '../auth.js'
import type { SimContext } from '../context.js'
import { allValues, countParam, firstValue } from '../query-params.js'
import type { Query } from '../query-params.js'
import { queryRunners } from '../runner-query.js'
import type { WireRunner } from '../../upstream/wire.js'
import { UPSTREAM_PATHS } from '../../upstream/wire.js'

export function runnersRoute(app: FastifyInstance, ctx: SimContext): void {
  app.get(UPSTREAM_PATHS.runners, async (request): Promise<WireRunner[]> => {
    const query = request.query as Query
    return queryRunners(callerOf(request), ctx.now(), {
      days: countParam(query, 'filterBy', 30),
      sort: allValues(query, 'sort'),
      runner: firstValue(query, 'runner')
    })
  })
}
