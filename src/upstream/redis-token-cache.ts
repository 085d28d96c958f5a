// The token cache of a replica among several: the in-process cache (single
// flight per credential, as in token-cache.ts) over a session shared through
// Redis for its lifetime, so N replicas log in once per credential per
// lifetime instead of N times. A replica that misses takes a short lock
// around the login; the others wait for its session (best effort: after a
// while, or when Redis is down, each logs in on its own). Sessions are sealed
// with the credential (sealed-box.ts), under a key naming only its id.
import { LRUCache } from 'lru-cache'
import type { Credential } from './credential.js'
import type { RedisStore } from './redis-store.js'
import { awaitHolder } from './redis-store.js'
import { DELETE_IF_EQUAL } from './redis-store.js'
import type { SealedBox, SealPurpose } from './sealed-box.js'
import type { Session, TokenCache, TokenCacheOptions } from './token-cache.js'

export interface SharedTokenCacheOptions extends TokenCacheOptions {
  readonly store: RedisStore
  readonly boxes: (credential: Credential, purpose: SealPurpose) => SealedBox
  /** How long a replica logging in holds the credential's lock; 0: no lock (default 15 s). */
  readonly lockMs?: number
  /** Longest wait for another replica's login before logging in oneself (default 5 s). */
  readonly lockWaitMs?: number
  readonly pollMs?: number
}

export interface SharedTokenCacheStats {
  /** Logins this replica performed. */
  logins: number
  /** Sessions taken from Redis (another replica's login). */
  sharedHits: number
  /** Misses that waited for another replica's login. */
  lockWaits: number
}

export interface SharedTokenCache extends TokenCache {
  stats(): SharedTokenCacheStats
}

interface Place { readonly key: string; readonly lock: string; readonly box: SealedBox; readonly aad: string }

interface Found { readonly session: Session; readonly sealed: Buffer; readonly ttl: number }

export function createSharedTokenCache(options: SharedTokenCacheOptions): SharedTokenCache {
  const { store } = options
  const lockMs = options.lockMs ?? 15_000
  const lockWaitMs = options.lockWaitMs ?? 5_000
  const pollMs = options.pollMs ?? 25
  const counters: SharedTokenCacheStats = { logins: 0, sharedHits: 0, lockWaits: 0 }
  /** Shared deletions under way: a get for the same credential waits for them, so it never reads back a rejected token. */
  const pending = new Map<string, Promise<void>>()

  const place = (id: string, credential: Credential): Place =>
    ({ key: store.key('token', id), lock: store.key('lock', 'token', id), box: options.boxes(credential, 'token'), aad: `token ${id}` })

  async function loadShared(at: Place): Promise<Found | null> {
    const replies = await store.attempt('token get', (r) => r.pipeline().getBuffer(at.key).pttl(at.key).exec(), null)
    const sealed = replies?.[0]?.[1]
    if (!Buffer.isBuffer(sealed)) return null
    const text = at.box.open(at.aad, sealed)
    const session = text === null ? null : parseSession(text)
    if (session === null) return null
    const left = Number(replies?.[1]?.[1])
    return { session, sealed, ttl: Number.isFinite(left) && left > 0 ? Math.min(left, options.lifetimeMs) : options.lifetimeMs }
  }

  async function login(at: Place, credential: Credential): Promise<Session> {
    counters.logins++
    const session = await options.login(credential)
    const sealed = at.box.seal(at.aad, JSON.stringify({ t: session.token, o: session.organization }))
    await store.attempt('token set', (r) => r.set(at.key, sealed, 'PX', options.lifetimeMs), null)
    return session
  }

  async function awaitShared(at: Place): Promise<Found | null> {
    counters.lockWaits++
    return awaitHolder(store, at.lock, () => loadShared(at), lockWaitMs, pollMs)
  }

  async function obtain(id: string, credential: Credential, fetchOptions: { ttl?: number }): Promise<Session> {
    await pending.get(id)
    const at = place(id, credential)
    const found = await loadShared(at)
    const use = (f: Found): Session => {
      counters.sharedHits++
      fetchOptions.ttl = f.ttl
      return f.session
    }
    if (found !== null) return use(found)
    if (lockMs <= 0) return login(at, credential)
    const token = await store.lock(at.lock, lockMs)
    if (token === undefined) return login(at, credential)
    if (token === null) {
      const waited = await awaitShared(at)
      return waited === null ? login(at, credential) : use(waited)
    }
    try {
      // The previous holder may have finished between our look and our lock.
      const late = await loadShared(at)
      return late === null ? await login(at, credential) : use(late)
    } finally {
      await store.unlock(at.lock, token)
    }
  }

  /** Deletes the shared session if it is still `rejected` (compare-and-delete on the exact value read), or whatever it is. */
  async function forgetShared(at: Place, rejected: Session | undefined): Promise<void> {
    if (rejected === undefined) {
      await store.attempt('token del', (r) => r.del(at.key), 0)
      return
    }
    const found = await loadShared(at)
    if (found === null || found.session.token !== rejected.token) return
    await store.attempt('token del', (r) => r.eval(DELETE_IF_EQUAL, 1, at.key, found.sealed), 0)
  }

  const cache = new LRUCache<string, Session, Credential>({
    max: options.maxCredentials,
    ttl: options.lifetimeMs,
    ttlResolution: 0,
    ignoreFetchAbort: true,
    ...(options.now === undefined ? {} : { perf: fromOne(options.now) }),
    fetchMethod: (id, _stale, { context, options: fetchOptions }) => obtain(id, context, fetchOptions)
  })

  return {
    async get(credential) {
      const session = await cache.fetch(options.credentialId(credential), { context: credential })
      if (session === undefined) throw new Error('login produced no session')
      return session
    },
    invalidate(credential, rejected) {
      const id = options.credentialId(credential)
      const done: Promise<void> = (pending.get(id) ?? Promise.resolve())
        .then(() => forgetShared(place(id, credential), rejected))
        .catch(() => undefined)
        .finally(() => { if (pending.get(id) === done) pending.delete(id) })
      pending.set(id, done)
      if (rejected !== undefined && cache.peek(id, { allowStale: true }) !== rejected) return
      cache.delete(id)
    },
    has(credential) {
      return cache.has(options.credentialId(credential))
    },
    clear() {
      cache.clear()
    },
    stats: () => ({ ...counters })
  }
}

/** The sealed session, or null when it is not what this version writes. */
function parseSession(text: string): Session | null {
  try {
    const { t, o } = JSON.parse(text) as { t?: unknown; o?: unknown }
    return typeof t === 'string' && typeof o === 'string' ? { token: t, organization: o } : null
  } catch {
    return null
  }
}

/** lru-cache takes a start time of 0 for "no TTL"; an injected clock may well start at 0. */
function fromOne(now: () => number): { now: () => number } {
  const origin = now()
  return { now: () => now() - origin + 1 }
}
