// GET /monitor: the refresh monitor (monitor/page.ts) — the loads in flight
// with their progress, the recent ones, the upstream's last hour, the caches.
// GET /monitor/state is what the page draws (JSON, monitor/state.ts).
// Behind the feed's authentication (http/client-auth.ts): in passthrough a
// client sees only the loads of its own workspace credential; with a bridge
// key (or in demo mode) every load. The page polls every second: its
// requests log at warn and above only.
import type { FastifyInstance } from 'fastify'
import type { Mode } from '../config.js'
import type { Monitor } from '../monitor/monitor.js'
import { monitorAssets, monitorPage } from '../monitor/page.js'
import type { CredentialIdOf } from '../upstream/credential.js'

export interface MonitorRouteOptions {
  readonly monitor: Monitor
  readonly mode: Mode
  readonly credentialId: CredentialIdOf
}

export async function monitorRoutes(app: FastifyInstance, options: MonitorRouteOptions): Promise<void> {
  const assets = monitorAssets()
  app.get('/monitor', { logLevel: 'warn' }, async (_request, reply) => reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(monitorPage()))
  app.get<{ Params: { name: string } }>('/monitor/assets/:name', { logLevel: 'warn' }, async (request, reply) => {
    const asset = assets.get(request.params.name)
    if (asset === undefined) return reply.callNotFound()
    return reply.type(asset.contentType).header('cache-control', 'private, max-age=3600').send(asset.body)
  })
  app.get('/monitor/state', { logLevel: 'warn' }, async (request, reply) => {
    // Passthrough: only the loads of the credential BotCity accepted ('' would match none).
    const own = request.client.credential
    const credential = options.mode !== 'passthrough' ? null : own === null ? '' : options.credentialId(own)
    return reply.header('cache-control', 'no-store').send(await options.monitor.state(credential))
  })
}
