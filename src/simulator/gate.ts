// What every Insights route goes through before its handler, in order:
// count it, rate limit, latency, injected fault, authentication, errorRate.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { authenticate } from './auth.js'
import type { SimContext } from './context.js'
import { DATA_ROUTES } from './fault-queue.js'
import type { RouteName } from './fault-queue.js'
import type { SimulatorFault } from './options.js'
import { SpringError } from './spring-error.js'
import { UPSTREAM_PATHS } from '../upstream/wire.js'

const ROUTE_BY_PATH: ReadonlyMap<string, RouteName> = new Map(
  Object.entries(UPSTREAM_PATHS).map(([name, path]) => [path, name as RouteName])
)

/** A deliberately broken body: valid start, cut in the middle of a row. */
export const MALFORMED_BODY = '{"content":[{"id":17000001,"state":"FINI'

export function createGate(ctx: SimContext) {
  return async function gate(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const route = ROUTE_BY_PATH.get(request.routeOptions.url ?? '')
    if (route === undefined) return undefined
    ctx.stats[route]++
    const admitted = ctx.rateLimiter.admit(ctx.realNow())
    await ctx.sleeper.sleep(ctx.options.latencyMs)
    if (!admitted) throw new SpringError(429, 'Too Many Requests', 1)
    const fault = ctx.faults.take(route)
    if (fault !== undefined && await suffer(ctx, fault, request, reply)) return reply
    if (!DATA_ROUTES.has(route)) return undefined
    authenticate(ctx, request)
    if (ctx.rollError()) throw new SpringError(500, 'Internal Server Error')
    return undefined
  }
}

/** Applies a fault; true when it answered (or dropped) the request itself. */
async function suffer(ctx: SimContext, fault: SimulatorFault, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  switch (fault.kind) {
    case 'status':
      throw new SpringError(fault.status ?? 500, 'Simulated fault', fault.retryAfterS)
    case 'slow':
      await ctx.sleeper.sleep(fault.delayMs ?? 1000)
      return false
    case 'reset':
      reply.hijack()
      request.raw.socket.resetAndDestroy()
      return true
    case 'malformed':
      reply.code(200).type('application/json').send(MALFORMED_BODY)
      return true
    case 'expire-tokens':
      ctx.tokens.revokeAll()
      return false
    case 'change-final':
      // Applied when added (context.ts addFault), never queued.
      return false
  }
}
