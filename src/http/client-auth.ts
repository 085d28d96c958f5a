// Who may read the feed (/odata/…), and who the client is. In service-account
// mode a client presents one of BRIDGE_API_KEYS as a Basic password, a Bearer
// token or the API-key query parameter (compared in constant time); in
// passthrough mode it presents its workspace login and key, which BotCity
// checks (one login, then cached with the token); demo mode is anonymous.
// The identity found — the key that matched, the workspace credential that
// BotCity accepted, or else the client's address — is what rate limits key
// on (request.client), never header text nobody checked. Failures are 401
// with a Basic challenge, so Power BI asks for credentials; failed attempts
// cost time (auth-throttle.ts), and a credential BotCity refused is refused
// again for a while without asking BotCity.
import { timingSafeEqual, createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { LRUCache } from 'lru-cache'
import type { Mode } from '../config.js'
import { bridgeError, isBridgeError } from '../errors.js'
import type { Credential, CredentialIdOf } from '../upstream/credential.js'
import type { AuthThrottle } from './auth-throttle.js'
import { isFeedUrl, isMonitorUrl } from './feed-path.js'
import { presented, presentedSecrets } from './presented.js'
import type { Presented } from './presented.js'

/** Who a request comes from, as far as the bridge checked. */
export interface ClientIdentity {
  /**
   * What rate limits count against, never a secret: `key:N` (the N-th bridge
   * key), `workspace:<keyed credential id>`, or `address:<client address>`.
   */
  readonly id: string
  /** Passthrough: the workspace credential BotCity accepted. */
  readonly credential: Credential | null
}

declare module 'fastify' {
  interface FastifyRequest {
    client: ClientIdentity
  }
}

export interface ClientAuthOptions {
  readonly mode: Mode
  readonly apiKeys: readonly string[]
  readonly allowAnonymous: boolean
  readonly apiKeyParam: string
  readonly throttle: AuthThrottle
  /** Passthrough: checks a workspace credential with BotCity (a cached session costs nothing). */
  readonly verify: (credential: Credential) => Promise<unknown>
  /** Passthrough: whether a session of the credential is held (BotCity accepted it already). */
  readonly known: (credential: Credential) => boolean
  readonly credentialId: CredentialIdOf
  /** How long a credential BotCity refused is refused without asking again (default 60 s). */
  readonly refusedMs?: number
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

function splitPair(text: string): Credential | null {
  const colon = text.indexOf(':')
  if (colon <= 0 || colon === text.length - 1) return null
  return { login: text.slice(0, colon), key: text.slice(colon + 1) }
}

/** Passthrough: the workspace login and key a request presents (HTTP Basic, or login:key as the API key). */
export function presentedCredential(p: Presented): Credential {
  if (p.basic !== null) {
    // Power Query sends a Key credential as Basic with an empty user name: ":login:key".
    const pair = p.basic.user === '' ? splitPair(p.basic.password) : splitPair(`${p.basic.user}:${p.basic.password}`)
    if (pair === null) throw bridgeError('BRIDGE_ERR_UNAUTHORIZED', 'The Basic credentials must be your BotCity workspace login as user name and its key as password.')
    return pair
  }
  if (p.apiKey !== null) {
    const pair = splitPair(p.apiKey)
    if (pair === null) throw bridgeError('BRIDGE_ERR_UNAUTHORIZED', 'The API key must be your BotCity workspace login and key joined by a colon (login:key).')
    return pair
  }
  throw bridgeError('BRIDGE_ERR_UNAUTHORIZED', 'Sign in with your BotCity workspace login (user name) and key (password), from the Developer Environment page of the Orchestrator.')
}

function tooManyFailures(waitMs: number): Error {
  const s = Math.max(1, Math.ceil(waitMs / 1000))
  return bridgeError('BRIDGE_ERR_RATE_LIMITED', `Too many failed sign-ins from this address for this login: wait ${s} s before trying again (Retry-After).`, { retryAfterS: s })
}

export default fp<ClientAuthOptions>(async function clientAuth(app, options) {
  const keys = options.apiKeys.map(digest)
  const open = options.mode === 'demo' || (options.mode === 'service-account' && options.allowAnonymous && keys.length === 0)
  const refused = new LRUCache<string, true>({ max: 100_000, ttl: options.refusedMs ?? 60_000, ttlResolution: 0 })
  const byAddress = (request: FastifyRequest): ClientIdentity => ({ id: `address:${request.ip}`, credential: null })
  app.decorateRequest('client', null as unknown as ClientIdentity)

  /** Which bridge key a request presents (its index), in constant time per pair; -1: none. */
  function matchedKey(secrets: readonly string[]): number {
    let found = -1
    for (const s of secrets) {
      const d = digest(s)
      keys.forEach((k, i) => { if (timingSafeEqual(d, k) && found < 0) found = i })
    }
    return found
  }

  async function serviceAccount(request: FastifyRequest, p: Presented): Promise<ClientIdentity> {
    const secrets = presentedSecrets(p)
    if (secrets.length === 0) {
      if (options.allowAnonymous) return byAddress(request)
      throw bridgeError('BRIDGE_ERR_UNAUTHORIZED', `This feed needs an API key: use it as the password (Basic), a Bearer token, or the ${options.apiKeyParam} query parameter (Power BI: Web API credentials).`)
    }
    // A right key always passes (comparing costs nothing); wrong ones cost their sender time.
    const index = matchedKey(secrets)
    if (index >= 0) return { id: `key:${index}`, credential: null }
    if (options.allowAnonymous) return byAddress(request)
    const login = p.basic?.user ?? ''
    const wait = options.throttle.waitMs(request.ip, login)
    if (wait > 0) throw tooManyFailures(wait)
    options.throttle.failed(request.ip, login)
    throw bridgeError('BRIDGE_ERR_UNAUTHORIZED', 'The API key was not accepted.')
  }

  async function passthrough(request: FastifyRequest, p: Presented): Promise<ClientIdentity> {
    const credential = presentedCredential(p)
    const id = options.credentialId(credential)
    // A credential BotCity accepted and whose session is held passes; any other is a sign-in.
    if (options.known(credential)) return { id: `workspace:${id}`, credential }
    const wait = options.throttle.waitMs(request.ip, credential.login)
    if (wait > 0) throw tooManyFailures(wait)
    const rejected = (): Error => {
      options.throttle.failed(request.ip, credential.login)
      return bridgeError('BRIDGE_ERR_UNAUTHORIZED', 'BotCity rejected this workspace login or key: sign in again with the login (user name) and key (password) from the Developer Environment page of the Orchestrator.')
    }
    if (refused.has(id)) throw rejected()
    try {
      await options.verify(credential)
    } catch (err) {
      if (isBridgeError(err) && err.code === 'UPSTREAM_CREDENTIALS_REJECTED') {
        refused.set(id, true)
        throw rejected()
      }
      throw err
    }
    options.throttle.succeeded(request.ip, credential.login)
    return { id: `workspace:${id}`, credential }
  }

  app.addHook('onRequest', async (request) => {
    if (open || !(isFeedUrl(request.url) || isMonitorUrl(request.url))) {
      request.client = byAddress(request)
      return
    }
    const p = presented(request, options.apiKeyParam)
    request.client = options.mode === 'passthrough' ? await passthrough(request, p) : await serviceAccount(request, p)
  })
}, { name: 'client-auth' })
