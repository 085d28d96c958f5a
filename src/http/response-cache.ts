// Finished answers of collection requests, kept as bytes for the page cache's
// TTL, keyed by credential and everything that shapes the answer (path, query,
// format, preferences). A warm repeat — Power BI refreshing a report, several
// visuals asking the same thing — then costs no row work at all.
import { LRUCache } from 'lru-cache'

export interface CachedAnswer {
  readonly contentType: string
  readonly body: Buffer
  readonly preferenceApplied: string | null
  /** Rows in the answer (for the rows-served metric). */
  readonly rows: number
  /** Its nextLink's sealed state, and where its token sits in the body: sent again, the answer gets its load's own mark. */
  readonly next: { readonly sealed: string; readonly at: number; readonly length: number } | null
}

export interface ResponseCache {
  get(key: string): CachedAnswer | undefined
  set(key: string, answer: CachedAnswer): void
  /** The largest answer kept (an eighth of the cache): a larger one is not even gathered while it streams. */
  readonly maxEntryBytes: number
  /**
   * A kept answer with its nextLink's token replaced by `token`, in a buffer
   * reused from earlier answers (a fresh one per answer costs its page faults
   * and its share of garbage collection); `done` gives it back once the answer
   * is sent.
   */
  again(answer: CachedAnswer & { readonly next: NonNullable<CachedAnswer['next']> }, token: string): { readonly body: Buffer; readonly done: () => void }
}

/** Buffers are reused by size class: a multiple of 4 kB. */
const SIZE_CLASS = 4096

/** Output buffers kept for reuse, by size class, within a bound of bytes. */
class SpareBuffers {
  private readonly spare = new Map<number, Buffer[]>()
  private bytes = 0
  constructor(private readonly maxBytes: number) {}

  take(size: number): Buffer {
    const cls = Math.ceil(size / SIZE_CLASS) * SIZE_CLASS
    const found = this.spare.get(cls)?.pop()
    if (found === undefined) return Buffer.allocUnsafeSlow(cls)
    this.bytes -= cls
    return found
  }

  give(buffer: Buffer): void {
    if (this.bytes + buffer.length > this.maxBytes) return
    const list = this.spare.get(buffer.length) ?? []
    list.push(buffer)
    this.spare.set(buffer.length, list)
    this.bytes += buffer.length
  }
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
  const spare = new SpareBuffers(maxEntryBytes)
  return {
    get: (key) => cache.get(key),
    set: (key, answer) => { if (answer.body.length <= maxEntryBytes) cache.set(key, answer) },
    maxEntryBytes,
    again(answer, token) {
      const { body, next } = answer
      const size = body.length - next.length + Buffer.byteLength(token)
      const whole = spare.take(size)
      body.copy(whole, 0, 0, next.at)
      const end = next.at + whole.write(token, next.at, 'utf8')
      body.copy(whole, end, next.at + next.length)
      let given = false
      return {
        body: whole.subarray(0, size),
        done: () => {
          if (given) return
          given = true
          spare.give(whole)
        }
      }
    }
  }
}
