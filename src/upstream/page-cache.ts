// Cache of upstream answers (pages of Tasks and Automations, the Runners
// array) keyed by credential + route + parameters, so workspaces never share
// entries. lru-cache gives TTL, a byte bound and in-flight de-duplication (two
// clients asking for the same page make one upstream call). An entry past its
// TTL is never served, not even while it is read again: what a query returns
// is at most CACHE_TTL_S old (README). Each entry keeps the read stamp of the
// call that produced it, so the Tasks scan knows how old a page is (see
// execute/task-scan.ts).
import { LRUCache } from 'lru-cache'
import type { Credential } from './credential.js'
import { SharedFlights } from './shared-flight.js'

/** Order of upstream reads on one process-wide sequence: a read that started after another ended saw a newer upstream. */
export interface ReadStamp {
  readonly started: number
  readonly ended: number
}

export interface Stamped<T> {
  readonly value: T
  readonly stamp: ReadStamp
  /** Whether the value came from the cache rather than a call made for this request. */
  readonly cached: boolean
}

let last = 0

/** Wall-clock microseconds, strictly increasing in this process, so stamps also order reads across restarts. */
function tick(): number {
  last = Math.max(last + 1, Math.round((performance.timeOrigin + performance.now()) * 1000))
  return last
}

/** Runs one upstream read and stamps it. */
export async function stampedRead<T>(read: () => Promise<T>): Promise<Stamped<T>> {
  const started = tick()
  const value = await read()
  return { value, stamp: { started, ended: tick() }, cached: false }
}

export interface PageCacheStats {
  hits: number
  misses: number
  evictions: number
  bytes: number
  entries: number
}

export interface PageCache {
  /**
   * The cached answer for `key`, or `read()`'s, shared by concurrent callers;
   * `fresh` skips the cache (and reads on its own). `credential`, the workspace
   * the key belongs to, lets a shared cache seal what it stores
   * (redis-page-cache.ts). A caller whose `signal` aborts stops waiting; the
   * read's own signal aborts once no caller waits for it (shared-flight.ts).
   */
  get<T>(key: string, read: (signal: AbortSignal) => Promise<T>, fresh?: boolean, credential?: Credential, signal?: AbortSignal): Promise<Stamped<T>>
  /** Whether this process holds a fresh answer for `key` (a get would not read). */
  holds(key: string): boolean
  stats(): PageCacheStats
  clear(): void
}

export interface PageCacheOptions {
  /** Time to live in ms; 0 disables the cache. */
  readonly ttlMs: number
  readonly maxBytes: number
  readonly now?: () => number
}

interface Entry { readonly value: unknown; readonly stamp: ReadStamp; readonly bytes: number }

/** The signal of a read that is served from the cache, so never made. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal

/** A read of one caller alone (a fresh read shares nothing): its signal is the read's. */
export function fetchAlone<T>(fetchIt: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  signal?.throwIfAborted()
  return fetchIt(signal ?? new AbortController().signal)
}

/** A page cache that caches nothing: every get is a fresh read. */
export function noPageCache(): PageCache {
  return {
    get: (_key, read, _fresh, _credential, signal) => stampedRead(() => read(signal ?? new AbortController().signal)),
    holds: () => false,
    stats: () => ({ hits: 0, misses: 0, evictions: 0, bytes: 0, entries: 0 }),
    clear: () => undefined
  }
}

export function createPageCache(options: PageCacheOptions): PageCache {
  if (options.ttlMs <= 0) return noPageCache()
  const counters = { hits: 0, misses: 0, evictions: 0 }
  const flights = new SharedFlights()
  const origin = options.now?.()
  const cache = new LRUCache<string, Entry, () => Promise<unknown>>({
    maxSize: options.maxBytes,
    sizeCalculation: (e) => Math.max(1, e.bytes),
    ttl: options.ttlMs,
    ttlResolution: 0,
    ...(options.now === undefined ? {} : { perf: { now: () => (options.now as () => number)() - (origin as number) + 1 } }),
    dispose: (_v, _k, reason) => { if (reason === 'evict') counters.evictions++ },
    fetchMethod: async (_key, _stale, { context }) => {
      counters.misses++
      const read = await stampedRead(context)
      // Size in bytes as the upstream sent it, near enough: UTF-16 length of its JSON.
      return { value: read.value, stamp: read.stamp, bytes: JSON.stringify(read.value).length * 2 }
    }
  })
  return {
    async get<T>(key: string, read: (signal: AbortSignal) => Promise<T>, fresh = false, _credential?: Credential, signal?: AbortSignal): Promise<Stamped<T>> {
      const had = !fresh && cache.has(key)
      const fetchIt = (flightSignal: AbortSignal): Promise<Entry | undefined> => cache.fetch(key, { context: () => read(flightSignal), forceRefresh: fresh })
      const entry = had ? await fetchIt(NEVER_ABORTED) : fresh ? await fetchAlone(fetchIt, signal) : await flights.join(key, fetchIt, signal)
      if (entry === undefined) throw new Error('page cache produced no entry')
      if (had) counters.hits++
      return { value: entry.value as T, stamp: entry.stamp, cached: had }
    },
    holds: (key) => cache.has(key),
    stats: () => ({ ...counters, bytes: cache.calculatedSize, entries: cache.size }),
    clear: () => cache.clear()
  }
}
