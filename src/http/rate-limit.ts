// Requests per minute per client (@fastify/rate-limit, in-memory, fixed
// one-minute window). A client is the credential it presents (Authorization
// header or the API-key query parameter) where the bridge checks credentials,
// else its IP address (behind a proxy: with TRUST_PROXY). The credential is
// only a salted hash in memory, never logged. Over the limit: 429
// BRIDGE_ERR_RATE_LIMITED with Retry-After, which Power Query honours.
import { createHash, randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import rateLimit, { normalizeIP } from '@fastify/rate-limit'
import fp from 'fastify-plugin'
import { bridgeError } from '../errors.js'
import { rawQueryParam } from './client-auth.js'

export interface RateLimitOptions {
  /** Requests per minute per client; 0 disables the limit. */
  readonly perMinute: number
  /**
   * Whether a presented credential names the client: true where the bridge
   * (service-account keys) or BotCity (passthrough) checks it; otherwise a
   * client could make up a new credential for each request.
   */
  readonly byCredential: boolean
  readonly apiKeyParam: string
}

/** Probes and scrapes are never limited. */
const EXEMPT = new Set(['/healthz', '/readyz', '/metrics'])

/** Most clients remembered at once (least recently seen forgotten first). */
const MAX_CLIENTS = 10_000

/**
 * The credential a request presents, as one string whichever way it comes:
 * a Bearer token and the API-key parameter give the key itself, Basic gives
 * `user:password` (the passthrough API-key parameter is `login:key` too).
 */
function credentialOf(request: FastifyRequest, apiKeyParam: string): string | null {
  const header = request.headers.authorization
  if (typeof header === 'string' && header.trim() !== '') {
    const [scheme = '', value = ''] = header.trim().split(/\s+/, 2)
    if (scheme.toLowerCase() === 'bearer' && value !== '') return value
    if (scheme.toLowerCase() === 'basic' && value !== '') return Buffer.from(value, 'base64').toString('utf8')
    return header.trim()
  }
  return rawQueryParam(request.url, apiKeyParam)
}

/** The rate-limit key of a request: `cred:<salted sha-256>` or `ip:<address>`. */
export function clientKey(request: FastifyRequest, options: Pick<RateLimitOptions, 'byCredential' | 'apiKeyParam'>, salt: string): string {
  if (options.byCredential) {
    const credential = credentialOf(request, options.apiKeyParam)
    if (credential !== null && credential !== '') {
      return `cred:${createHash('sha256').update(salt).update(credential).digest('hex').slice(0, 32)}`
    }
  }
  return `ip:${normalizeIP(request.ip)}`
}

export default fp<RateLimitOptions>(async function clientRateLimit(app, options) {
  if (options.perMinute === 0) return
  const salt = randomBytes(16).toString('hex')
  await app.register(rateLimit, {
    max: options.perMinute,
    timeWindow: 60_000,
    cache: MAX_CLIENTS,
    keyGenerator: (request) => clientKey(request, options, salt),
    allowList: (request) => EXEMPT.has(request.url.split('?', 1)[0] ?? ''),
    onExceeded: (request, key) => { request.log.info({ client: key.startsWith('cred:') ? 'credential' : 'ip' }, 'rate limit exceeded') },
    errorResponseBuilder: (_request, context) => bridgeError('BRIDGE_ERR_RATE_LIMITED',
      `More than ${context.max} requests in a minute from this client; retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s (Retry-After).`,
      { retryAfterS: Math.max(1, Math.ceil(context.ttl / 1000)) })
  })
}, { name: 'client-rate-limit' })
