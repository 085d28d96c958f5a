// The page cache of a replica among several: a short-lived in-process layer
// (lru-cache, single flight per key as in page-cache.ts) over Redis, shared by
// every replica for the page cache's time to live (CACHE_TTL_S). A page read by one replica is
// served to the others without an upstream call, with the read stamp of the
// call that produced it, so the Tasks scan stays exact whichever replica reads
// (execute/task-scan.ts). Values are sealed with the workspace's credential
// (sealed-box.ts); Redis keys carry only the credential id and a hash of the
// page key. Without a credential a get stays local. Redis trouble degrades to
// upstream reads (redis-store.ts), never to a failed request.
import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { Credential, CredentialIdOf } from './credential.js'
import { SharedFlights } from './shared-flight.js'
import { fetchAlone, NEVER_ABORTED, noPageCache, stampedRead, type PageCache, type PageCacheOptions, type PageCacheStats, type ReadStamp, type Stamped } from './page-cache.js'
import type { RedisStore } from './redis-store.js'
import { awaitHolder } from './redis-store.js'
import type { SealedBox, SealPurpose } from './sealed-box.js'

export interface SharedPageCacheOptions extends PageCacheOptions {
  /**
   * How long this replica keeps its own copy before looking in Redis again
   * (default: 5 s, or ttlMs if shorter). Redis keeps a page for ttlMs.
   */
  readonly localTtlMs?: number
  readonly store: RedisStore
  readonly boxes: (credential: Credential, purpose: SealPurpose) => SealedBox
  /** The keyed id Redis key names carry (src/keys.ts), never the credential. */
  readonly credentialId: CredentialIdOf
  /**
   * How long a replica that misses a key holds a lock on it (SET NX PX), so
   * that replicas missing the same key at once make one upstream call; the
   * others wait for its value. 0: no lock. Default 10 s.
   */
  readonly lockMs?: number
  /** Longest wait for another replica's read before reading oneself (default 5 s). */
  readonly lockWaitMs?: number
  /** Interval between two looks at Redis while waiting (default 25 ms). */
  readonly pollMs?: number
}

export interface SharedPageCacheStats extends PageCacheStats {
  /** Pages found in Redis (read by another replica, or by this one and since evicted locally). */
  sharedHits: number
  /** Pages written to Redis. */
  sharedWrites: number
  /** Misses that waited for another replica's read of the same page. */
  lockWaits: number
  /** Redis values that did not open (altered, or sealed under another key): read again. */
  unreadable: number
}

export interface SharedPageCache extends PageCache {
  stats(): SharedPageCacheStats
}

interface Entry { readonly value: unknown; readonly stamp: ReadStamp; readonly bytes: number; readonly shared: boolean }

interface Context {
  readonly read: () => Promise<unknown>
  readonly credential: Credential | undefined
  readonly fresh: boolean
}

/** Where a page lives in Redis: its key, its lock, the box that seals it, and the AAD binding both. */
interface Place { readonly key: string; readonly lock: string; readonly box: SealedBox; readonly aad: string }

/** Sealed as JSON: the value and its read stamp [started, ended]. */
interface Wire { readonly v: unknown; readonly s: readonly [number, number] }

export function createSharedPageCache(options: SharedPageCacheOptions): SharedPageCache {
  const { store, ttlMs } = options
  if (ttlMs <= 0) {
    const none = noPageCache()
    return { ...none, stats: () => ({ ...none.stats(), sharedHits: 0, sharedWrites: 0, lockWaits: 0, unreadable: 0 }) }
  }
  const localTtlMs = Math.min(ttlMs, options.localTtlMs ?? 5_000)
  const lockMs = options.lockMs ?? 10_000
  const lockWaitMs = options.lockWaitMs ?? 5_000
  const pollMs = options.pollMs ?? 25
  const counters = { hits: 0, misses: 0, evictions: 0, sharedHits: 0, sharedWrites: 0, lockWaits: 0, unreadable: 0 }
  const flights = new SharedFlights()
  const origin = options.now?.()

  function place(key: string, credential: Credential): Place {
    const id = options.credentialId(credential)
    const digest = createHash('sha256').update(key).digest('hex').slice(0, 40)
    return { key: store.key('page', id, digest), lock: store.key('lock', 'page', id, digest), box: options.boxes(credential, 'page'), aad: key }
  }

  /** The page as another read left it in Redis, and how long it has left there. */
  async function loadShared(at: Place): Promise<{ entry: Entry; ttl: number } | null> {
    const replies = await store.attempt('page get', (r) => r.pipeline().getBuffer(at.key).pttl(at.key).exec(), null)
    const sealed = replies?.[0]?.[1]
    if (!Buffer.isBuffer(sealed)) return null
    const text = at.box.open(at.aad, sealed)
    const wire = text === null ? null : parseWire(text)
    if (text === null || wire === null) {
      counters.unreadable++
      return null
    }
    const left = Number(replies?.[1]?.[1])
    counters.sharedHits++
    return {
      entry: { value: wire.v, stamp: { started: wire.s[0], ended: wire.s[1] }, bytes: text.length * 2, shared: true },
      ttl: Number.isFinite(left) && left > 0 ? Math.min(left, localTtlMs) : localTtlMs
    }
  }

  async function readUpstream(at: Place | null, context: Context): Promise<Entry> {
    counters.misses++
    const read = await stampedRead(context.read)
    const text = JSON.stringify({ v: read.value, s: [read.stamp.started, read.stamp.ended] } satisfies Wire)
    if (at !== null) {
      const sealed = at.box.seal(at.aad, text)
      if (await store.attempt('page set', (r) => r.set(at.key, sealed, 'PX', ttlMs), null) === 'OK') counters.sharedWrites++
    }
    // Size in bytes as the upstream sent it, near enough: UTF-16 length of its JSON.
    return { value: read.value, stamp: read.stamp, bytes: text.length * 2, shared: false }
  }

  /** Another replica holds the lock: its value, once written, or null (it failed, Redis went away, or it took too long). */
  async function awaitShared(at: Place): Promise<{ entry: Entry; ttl: number } | null> {
    counters.lockWaits++
    return awaitHolder(store, at.lock, () => loadShared(at), lockWaitMs, pollMs)
  }

  async function load(key: string, context: Context, fetchOptions: { ttl?: number }): Promise<Entry> {
    const at = context.credential === undefined ? null : place(key, context.credential)
    if (at === null || context.fresh) return readUpstream(at, context)
    const found = await loadShared(at)
    if (found !== null) {
      fetchOptions.ttl = found.ttl
      return found.entry
    }
    if (lockMs <= 0) return readUpstream(at, context)
    const token = await store.lock(at.lock, lockMs)
    if (token === undefined) return readUpstream(at, context)
    if (token === null) {
      const waited = await awaitShared(at)
      if (waited !== null) {
        fetchOptions.ttl = waited.ttl
        return waited.entry
      }
      return readUpstream(at, context)
    }
    try {
      // The previous holder may have finished between our look and our lock.
      const late = await loadShared(at)
      if (late !== null) {
        fetchOptions.ttl = late.ttl
        return late.entry
      }
      return await readUpstream(at, context)
    } finally {
      await store.unlock(at.lock, token)
    }
  }

  const cache = new LRUCache<string, Entry, Context>({
    maxSize: options.maxBytes,
    sizeCalculation: (e) => Math.max(1, e.bytes),
    ttl: localTtlMs,
    ttlResolution: 0,
    ...(options.now === undefined ? {} : { perf: { now: () => (options.now as () => number)() - (origin as number) + 1 } }),
    dispose: (_v, _k, reason) => { if (reason === 'evict') counters.evictions++ },
    fetchMethod: (key, _stale, { context, options: fetchOptions }) => load(key, context, fetchOptions)
  })

  return {
    async get<T>(key: string, read: (signal: AbortSignal) => Promise<T>, fresh = false, credential?: Credential, signal?: AbortSignal): Promise<Stamped<T>> {
      const had = !fresh && cache.has(key)
      const fetchIt = (flightSignal: AbortSignal): Promise<Entry | undefined> => cache.fetch(key, { context: { read: () => read(flightSignal), credential, fresh }, forceRefresh: fresh })
      const entry = had ? await fetchIt(NEVER_ABORTED) : fresh ? await fetchAlone(fetchIt, signal) : await flights.join(key, fetchIt, signal)
      if (entry === undefined) throw new Error('page cache produced no entry')
      if (had || entry.shared) counters.hits++
      return { value: entry.value as T, stamp: entry.stamp, cached: had || entry.shared }
    },
    holds: (key) => cache.has(key),
    stats: () => ({ ...counters, bytes: cache.calculatedSize, entries: cache.size }),
    /** Empties this replica's layer; Redis entries expire by themselves. */
    clear: () => cache.clear()
  }
}

/** The sealed JSON, or null when it is not what this version writes. */
function parseWire(text: string): Wire | null {
  try {
    const wire = JSON.parse(text) as Partial<Wire>
    return Array.isArray(wire.s) && typeof wire.s[0] === 'number' && typeof wire.s[1] === 'number' && 'v' in wire ? wire as Wire : null
  } catch {
    return null
  }
}
