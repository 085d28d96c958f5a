// /healthz: the process is alive. /readyz: BotCity Insights answers (and, with
// a service account, its login works). Cheap, and never logging secrets.
import type { FastifyInstance } from 'fastify'
import type { Mode } from '../config.js'
import type { CredentialSource } from '../http/credentials.js'
import { toBridgeError } from '../http/odata-error.js'
import type { InsightsClient } from '../upstream/client.js'

export interface HealthOptions {
  client: InsightsClient
  mode: Mode
  credentials: CredentialSource
  /** With REDIS_URL: whether the shared cache answers. Reported, never a reason to be unready (the bridge then reads from the upstream). */
  sharedCache?: () => { store: string; connected: boolean }
}

export async function healthRoutes(app: FastifyInstance, options: HealthOptions): Promise<void> {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }))
  app.get('/readyz', { logLevel: 'warn' }, async (request, reply) => {
    try {
      const { version } = await options.client.version()
      if (options.mode !== 'passthrough') await options.client.login(options.credentials.resolve(request))
      return { status: 'ready', upstream: { reachable: true, version }, mode: options.mode, ...(options.sharedCache === undefined ? {} : { sharedCache: options.sharedCache() }) }
    } catch (err) {
      const e = toBridgeError(err)
      return reply.code(503).send({ status: 'unavailable', mode: options.mode, error: { code: e.code, message: e.message } })
    }
  })
}
