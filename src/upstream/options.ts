import type { FetchLike } from './buffered-fetch.js'
import type { CredentialIdOf } from './credential.js'
import type { UpstreamCallEvent, UpstreamLogger } from './observability.js'
import { DEFAULT_PROBE_SIZE } from './page-size-probe.js'
import type { RetrySettings } from './retry-policy.js'
import type { TokenCache, TokenCacheOptions } from './token-cache.js'
import { DEFAULT_USER_AGENT } from './user-agent.js'

/** Options of the upstream client; values come validated from the bridge's config. */
export interface InsightsClientOptions {
  /** https://developers.botcity.dev, a customer's own host, or the simulator's URL. */
  baseUrl: string
  userAgent?: string
  /** Timeout of one attempt, body included (default 30 s). */
  timeoutMs?: number
  retry?: Partial<RetrySettings>
  /** How long a token is reused (default 50 min, below the 1 h BotCity's dashboard assumes). */
  tokenLifetimeMs?: number
  /** Credentials whose tokens are remembered at once (default 1000). */
  maxCredentials?: number
  /** Data calls in flight at once per credential; more wait their turn (default 6). */
  maxConcurrentPerCredential?: number
  /** Page size asked for when probing whether `size` is honoured (default 1000). */
  probeSize?: number
  /** Clock of the token cache, in ms. */
  now?: () => number
  /** The keyed id of a credential (src/keys.ts); default: keyed with a random secret of this process. */
  credentialId?: CredentialIdOf
  /** Builds the token cache (default: in-process createTokenCache; redis-token-cache.ts shares it between replicas). */
  tokenCache?: (options: TokenCacheOptions) => TokenCache
  logger?: UpstreamLogger
  onCall?: (event: UpstreamCallEvent) => void
  fetch?: FetchLike
}

export interface ResolvedClientOptions {
  baseUrl: string
  userAgent: string
  timeoutMs: number
  retry: RetrySettings
  tokenLifetimeMs: number
  maxCredentials: number
  maxConcurrentPerCredential: number
  probeSize: number
}

export const CLIENT_DEFAULTS: Omit<ResolvedClientOptions, 'baseUrl'> = {
  userAgent: DEFAULT_USER_AGENT,
  timeoutMs: 30_000,
  retry: {
    limit: 3,
    baseDelayMs: 300,
    maxDelayMs: 5_000,
    maxRetryAfterMs: 10_000,
    statusCodes: [429, 500, 502, 503, 504]
  },
  tokenLifetimeMs: 50 * 60 * 1000,
  maxCredentials: 1000,
  maxConcurrentPerCredential: 6,
  probeSize: DEFAULT_PROBE_SIZE
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>
}

export function resolveClientOptions(options: InsightsClientOptions): ResolvedClientOptions {
  return {
    baseUrl: options.baseUrl,
    userAgent: options.userAgent ?? CLIENT_DEFAULTS.userAgent,
    timeoutMs: options.timeoutMs ?? CLIENT_DEFAULTS.timeoutMs,
    retry: { ...CLIENT_DEFAULTS.retry, ...definedOnly(options.retry ?? {}) },
    tokenLifetimeMs: options.tokenLifetimeMs ?? CLIENT_DEFAULTS.tokenLifetimeMs,
    maxCredentials: options.maxCredentials ?? CLIENT_DEFAULTS.maxCredentials,
    maxConcurrentPerCredential: options.maxConcurrentPerCredential ?? CLIENT_DEFAULTS.maxConcurrentPerCredential,
    probeSize: options.probeSize ?? CLIENT_DEFAULTS.probeSize
  }
}
