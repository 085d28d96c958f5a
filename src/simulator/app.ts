// The simulator's Fastify instance: the Insights routes behind the gate,
// the /__sim control routes, and every error in Spring's shape.
import Fastify from 'fastify'
import type { FastifyError, FastifyInstance } from 'fastify'
import type { SimContext } from './context.js'
import { createGate } from './gate.js'
import { automationRoute } from './routes/automation.js'
import { controlRoutes } from './routes/control.js'
import { loginRoute } from './routes/login.js'
import { runnersRoute } from './routes/runners.js'
import { tasksRoute } from './routes/tasks.js'
import { versionRoute } from './routes/version.js'
import { SpringError, pathOf, springErrorBody } from './spring-error.js'

export function buildSimulatorApp(ctx: SimContext): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true })
  app.addHook('onRequest', createGate(ctx))
  // Every HTTP server dates its answers by its own clock (RFC 9110 §6.6.1): here, the data's clock.
  app.addHook('onSend', async (_request, reply) => { reply.header('date', new Date(ctx.now()).toUTCString()) })
  loginRoute(app, ctx)
  tasksRoute(app, ctx)
  automationRoute(app, ctx)
  runnersRoute(app, ctx)
  versionRoute(app)
  controlRoutes(app, ctx)

  app.setErrorHandler((error: FastifyError | SpringError, request, reply) => {
    const status = error instanceof SpringError ? error.status : clientStatus(error.statusCode)
    const message = error instanceof SpringError || status < 500 ? error.message : 'Internal Server Error'
    if (error instanceof SpringError && error.retryAfterS !== undefined) reply.header('Retry-After', String(error.retryAfterS))
    return reply.code(status).send(springErrorBody(status, message, request.url, ctx.now()))
  })
  app.setNotFoundHandler((request, reply) => {
    const message = `No static resource ${pathOf(request.url).slice(1)}.`
    return reply.code(404).send(springErrorBody(404, message, request.url, ctx.now()))
  })
  return app
}

/** Fastify's own 4xx (bad JSON body, wrong content type) keep their status; the rest is a 500. */
function clientStatus(statusCode: number | undefined): number {
  return statusCode !== undefined && statusCode >= 400 && statusCode < 500 ? statusCode : 500
}
