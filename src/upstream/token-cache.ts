import { LRUCache } from 'lru-cache'
import type { Credential, CredentialIdOf } from './credential.js'

/** What a login yields: the headers every data call sends. */
export interface Session {
  readonly token: string
  readonly organization: string
}

export interface TokenCacheOptions {
  /** Performs one login; a rejection is never cached. */
  login: (credential: Credential) => Promise<Session>
  /** How long a token is reused (the upstream's is undocumented; BotCity's dashboard re-logs after 1 h). */
  lifetimeMs: number
  /** Most credentials remembered at once (least recently used go first). */
  maxCredentials: number
  /** Clock in ms; tests inject one to expire tokens without sleeping. */
  now?: () => number
  /** The keyed id a session is remembered under (src/keys.ts). */
  credentialId: CredentialIdOf
}

export interface TokenCache {
  /** The cached session, or one fresh login shared by every concurrent caller. */
  get(credential: Credential): Promise<Session>
  /**
   * Forgets the cached session. Given the session a caller saw rejected, only that one is
   * forgotten: when another caller has already replaced it, the replacement is kept.
   */
  invalidate(credential: Credential, rejected?: Session): void
  /** Whether this process holds a live session for the credential (it was accepted, and get() costs no login). */
  has(credential: Credential): boolean
  clear(): void
}

/** lru-cache takes a start time of 0 for "no TTL"; an injected clock may well start at 0. */
function fromOne(now: () => number): { now: () => number } {
  const origin = now()
  return { now: () => now() - origin + 1 }
}

export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const cache = new LRUCache<string, Session, Credential>({
    max: options.maxCredentials,
    ttl: options.lifetimeMs,
    ttlResolution: 0,
    // Invalidating during a login must not fail the callers already waiting for it.
    ignoreFetchAbort: true,
    perf: options.now === undefined ? undefined : fromOne(options.now),
    fetchMethod: (_id, _stale, { context }) => options.login(context)
  })

  return {
    async get(credential) {
      const session = await cache.fetch(options.credentialId(credential), { context: credential })
      if (session === undefined) throw new Error('login produced no session')
      return session
    },
    invalidate(credential, rejected) {
      const id = options.credentialId(credential)
      if (rejected !== undefined && cache.peek(id, { allowStale: true }) !== rejected) return
      cache.delete(id)
    },
    has(credential) {
      return cache.has(options.credentialId(credential))
    },
    clear() {
      cache.clear()
    }
  }
}
