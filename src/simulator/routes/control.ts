// The simulator's own control routes under /__sim (not part of the Insights API).
import type { FastifyInstance } from 'fastify'
import type { SimContext } from '../context.js'
import type { SimulatorFault, SimulatorStats } from '../options.js'
import { SpringError } from '../spring-error.js'

export function controlRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/__sim/stats', async (): Promise<SimulatorStats> => ({ ...ctx.stats }))

  app.post('/__sim/stats/reset', async (_request, reply) => {
    resetStats(ctx.stats)
    return reply.code(204).send()
  })

  app.post('/__sim/faults', async (request, reply) => {
    let changed: number | null
    try {
      changed = ctx.addFault(request.body as SimulatorFault)
    } catch (error) {
      throw new SpringError(400, (error as Error).message)
    }
    return changed === null ? reply.code(204).send() : reply.code(200).send({ taskId: changed })
  })

  app.delete('/__sim/faults', async (_request, reply) => {
    ctx.faults.clear()
    return reply.code(204).send()
  })
}

export function resetStats(stats: SimulatorStats): void {
  for (const key of Object.keys(stats) as Array<keyof SimulatorStats>) stats[key] = 0
}
