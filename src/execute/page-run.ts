// A run of upstream pages with fixed parameters within one request: each page
// read at most once (until forgotten, then read again past the cache), with the
// stamp of the read that produced it (a cached page keeps its original stamp).
import type { ReadStamp, Stamped } from '../upstream/page-cache.js'
import type { SpringPage } from '../upstream/wire.js'

interface RunEntry<T> {
  readonly promise: Promise<SpringPage<T>>
  stamp: ReadStamp | null
}

/** A run of upstream pages with fixed parameters, each read at most once (until forgotten). */
export class PageRun<T> {
  private readonly pages = new Map<number, RunEntry<T>>()
  private readonly stale = new Set<number>()
  constructor(private readonly fetchPage: (page: number, fresh: boolean) => Promise<Stamped<SpringPage<T>>>) {}

  get(page: number): Promise<SpringPage<T>> {
    let e = this.pages.get(page)
    if (e === undefined) {
      const entry: RunEntry<T> = {
        promise: this.fetchPage(page, this.stale.has(page)).then((s) => {
          entry.stamp = s.stamp
          return s.value
        }),
        stamp: null
      }
      // Pages read ahead may fail after the request has already failed on an
      // earlier one: that later rejection is expected, not unhandled.
      entry.promise.catch(() => undefined)
      this.pages.set(page, entry)
      e = entry
    }
    return e.promise
  }

  /** The read stamp of a page already read (after awaiting get()). */
  stamp(page: number): ReadStamp {
    const s = this.pages.get(page)?.stamp
    if (s === undefined || s === null) throw new Error(`page ${page} has not been read`)
    return s
  }

  /** Forget a page so the next get() reads it again from the upstream, not the cache. */
  forget(page: number): void {
    if (this.pages.delete(page)) this.stale.add(page)
  }

  forgetAll(): void {
    for (const page of this.pages.keys()) this.stale.add(page)
    this.pages.clear()
  }

  /** Pages from..to-1, started together (the client bounds concurrency). */
  range(from: number, to: number): Promise<SpringPage<T>>[] {
    const out: Promise<SpringPage<T>>[] = []
    for (let i = from; i < to; i++) out.push(this.get(i))
    return out
  }
}
