// Finished answers of collection requests, kept as bytes for the page cache's
// TTL, keyed by credential and everything that shapes the answer (path, query,
// format, preferences). A warm repeat — Power BI refreshing a report, several
// visuals asking the same thing — then costs no row work at all.
import { LRUCache } from 'lru-cache'
import type { ResumeState } from '../plan/resume.js'

export interface CachedAnswer {
  readonly contentType: string
  readonly body: Buffer
  readonly preferenceApplied: string | null
  /** Rows in the answer (for the rows-served metric). */
  readonly rows: number
  /** Its nextLink's state, and where its token sits in the body: sent again, the answer gets a token of its own. */
  readonly next: { readonly state: ResumeState; readonly at: number; readonly length: number } | null
}

export interface ResponseCache {
  get(key: string): CachedAnswer | undefined
  set(key: string, answer: CachedAnswer): void
  /** The largest answer kept (an eighth of the cache): a larger one is not even gathered while it streams. */
  readonly maxEntryBytes: number
}

export function createResponseCache(options: { ttlMs: number; maxBytes: number; now?: () => number }): ResponseCache | null {
  if (options.ttlMs <= 0) return null
  const maxEntryBytes = Math.floor(options.maxBytes / 8)
  const origin = options.now?.()
  const cache = new LRUCache<string, CachedAnswer>({
    ttl: options.ttlMs,
    ttlResolution: 0,
    maxSize: options.maxBytes,
    sizeCalculation: (a) => Math.max(1, a.body.length + a.contentType.length),
    ...(options.now === undefined ? {} : { perf: { now: () => (options.now as () => number)() - (origin as number) + 1 } })
  })
  return {
    get: (key) => cache.get(key),
    set: (key, answer) => { if (answer.body.length <= maxEntryBytes) cache.set(key, answer) },
    maxEntryBytes
  }
}
