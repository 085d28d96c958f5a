// Requests per minute per client (@fastify/rate-limit, in-memory, fixed
// one-minute window). A client is who authentication found
// (http/client-auth.ts, request.client): the bridge key that matched, or the
// workspace credential BotCity accepted — however it was presented — else its
// address (behind proxies: as TRUST_PROXY allows). Nothing a client writes and
// nobody checked names it, so a made-up header buys no new budget. Over the
// limit: 429 BRIDGE_ERR_RATE_LIMITED with Retry-After, which Power Query honours.
import rateLimit, { normalizeIP } from '@fastify/rate-limit'
import fp from 'fastify-plugin'
import { bridgeError } from '../errors.js'

export interface RateLimitOptions {
  /** Requests per minute per client; 0 disables the limit. */
  readonly perMinute: number
}

/** Probes and scrapes are never limited. */
const EXEMPT = new Set(['/healthz', '/readyz', '/metrics'])

/** Most clients remembered at once (least recently seen forgotten first). */
const MAX_CLIENTS = 10_000

export default fp<RateLimitOptions>(async function clientRateLimit(app, options) {
  if (options.perMinute === 0) return
  await app.register(rateLimit, {
    max: options.perMinute,
    timeWindow: 60_000,
    cache: MAX_CLIENTS,
    keyGenerator: (request) => request.client?.id ?? `address:${normalizeIP(request.ip)}`,
    allowList: (request) => EXEMPT.has(request.url.split('?', 1)[0] ?? ''),
    onExceeded: (request) => { request.log.info({ client: (request.client?.id ?? 'address').split(':', 1)[0] }, 'rate limit exceeded') },
    errorResponseBuilder: (_request, context) => bridgeError('BRIDGE_ERR_RATE_LIMITED',
      `More than ${context.max} requests in a minute from this client; retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s (Retry-After).`,
      { retryAfterS: Math.max(1, Math.ceil(context.ttl / 1000)) })
  })
}, { name: 'client-rate-limit', dependencies: ['client-auth'] })
