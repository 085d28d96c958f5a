// Who may read the feed (/odata/…): in service-account mode a client presents
// one of BRIDGE_API_KEYS as a Basic password, a Bearer token or the API-key
// query parameter (compared in constant time); in passthrough mode it must
// bring workspace credentials (checked by BotCity itself on the first call);
// demo mode is anonymous. Failures are 401 with a Basic challenge, so Power BI
// asks for credentials.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Mode } from '../config.js'
import { bridgeError } from '../errors.js'
import { isFeedUrl } from './feed-path.js'

export interface ClientAuthOptions {
  readonly mode: Mode
  readonly apiKeys: readonly string[]
  readonly allowAnonymous: boolean
  readonly apiKeyParam: string
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/** The value of one query parameter from the raw URL (no other parsing). */
export function rawQueryParam(url: string, name: string): string | null {
  const q = url.indexOf('?')
  if (q < 0) return null
  for (const pair of url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=')
    if (eq < 0) continue
    try {
      if (decodeURIComponent(pair.slice(0, eq)) === name) return decodeURIComponent(pair.slice(eq + 1))
    } catch {
      return null
    }
  }
  return null
}

/** Every secret a request presents: Basic password, Bearer token, API-key parameter. */
function presented(request: FastifyRequest, apiKeyParam: string): string[] {
  const out: string[] = []
  const header = request.headers.authorization
  if (typeof header === 'string') {
    const [scheme = '', value = ''] = header.split(/\s+/, 2)
    if (scheme.toLowerCase() === 'bearer' && value !== '') out.push(value)
    if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon >= 0) out.push(decoded.slice(colon + 1))
    }
  }
  const param = rawQueryParam(request.url, apiKeyParam)
  if (param !== null && param !== '') out.push(param)
  return out
}

export default fp<ClientAuthOptions>(async function clientAuth(app, options) {
  if (options.mode === 'demo' || (options.mode === 'service-account' && options.allowAnonymous && options.apiKeys.length === 0)) return
  const keys = options.apiKeys.map(digest)
  app.addHook('onRequest', async (request) => {
    if (!isFeedUrl(request.url)) return
    const secrets = presented(request, options.apiKeyParam)
    if (options.mode === 'passthrough') {
      if (secrets.length === 0) {
        throw bridgeError('BRIDGE_ERR_UNAUTHORIZED', 'Sign in with your BotCity workspace login (user name) and key (password), from the Developer Environment page of the Orchestrator.')
      }
      return
    }
    // Compare every presented secret with every key, in constant time per pair.
    let ok = false
    for (const s of secrets) {
      const d = digest(s)
      for (const k of keys) ok = timingSafeEqual(d, k) || ok
    }
    if (!ok && !options.allowAnonymous) {
      throw bridgeError('BRIDGE_ERR_UNAUTHORIZED', secrets.length === 0
        ? `This feed needs an API key: use it as the password (Basic), a Bearer token, or the ${options.apiKeyParam} query parameter (Power BI: Web API credentials).`
        : 'The API key was not accepted.')
    }
  })
}, { name: 'client-auth' })
