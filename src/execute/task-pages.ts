// Pages of Tasks in newest-first order, whatever order of the two BotCity lists
// them in: the rules of task-scan.ts and tasks.ts read positions counted from
// the newest task. An upstream listing newest first is read as it is. One
// listing oldest first (a store's insertion order) is read back from the end:
// a load fixes how many tasks were listed when it started (`listed`); new
// tasks only come after those, so the position of each of them, counted back
// from there, holds for the whole load — no shift to account for, unlike
// newest first. Tasks leave the front of the list only after ten years; where
// some are close to it, positions would slide, so the view refuses to open and
// the bridge finds the order out again (task-order.ts then reads such an
// upstream whole).
import { bridgeError } from '../errors.js'
import { MS_PER_DAY } from '../odata/civil-date.js'
import type { ReadStamp, Stamped } from '../upstream/page-cache.js'
import { TASK_WINDOW_DAYS } from '../upstream/task-order.js'
import { springPage } from '../upstream/wire.js'
import type { SpringPage, WireTask } from '../upstream/wire.js'
import type { ExecContext } from './context.js'
import type { PageRun } from './page-run.js'
import { dateOf } from './task-scan.js'

/** Pages of tasks, newest first: page k holds positions [k·size, (k+1)·size) counted from the newest. */
export interface TaskPages {
  get(page: number): Promise<SpringPage<WireTask>>
  /** The read stamp of a page already read. */
  stamp(page: number): ReadStamp
  /** Forget a page so the next get() reads it again from the upstream, not the cache. */
  forget(page: number): void
  forgetAll(): void
  range(from: number, to: number): Promise<SpringPage<WireTask>>[]
  /** The upstream pages a page of this view is made of (to read them ahead). */
  upstreamPages(page: number): number[]
}

/** Pages the task ledger stands for (upstream/task-ledger.ts): a page, or null to read it. */
export interface LedgerSource {
  page(page: number): Promise<Stamped<SpringPage<WireTask>> | null>
  holds(page: number): boolean
  /** Whether it may serve the page once the pages before it are read. */
  later(page: number): boolean
}

/**
 * An upstream that lists newest first: its pages are the view's, each from
 * the task ledger when it stands for the page, else read. A page read from
 * the upstream in this request stays read (a page forgotten is read again
 * from the upstream, past the ledger and the cache).
 */
export function asListed(run: PageRun<WireTask>, ledger: LedgerSource | null = null): TaskPages {
  if (ledger !== null) return new LedgerListed(run, ledger)
  return {
    get: (page) => run.get(page),
    stamp: (page) => run.stamp(page),
    forget: (page) => run.forget(page),
    forgetAll: () => run.forgetAll(),
    range: (from, to) => run.range(from, to),
    upstreamPages: (page) => [page]
  }
}

class LedgerListed implements TaskPages {
  private readonly pages = new Map<number, Promise<SpringPage<WireTask>>>()
  private readonly stamps = new Map<number, ReadStamp>()
  /** Pages this request reads from the upstream. */
  private readonly read = new Set<number>()
  private ledgerOff = false

  constructor(private readonly run: PageRun<WireTask>, private readonly ledger: LedgerSource) {}

  get(page: number): Promise<SpringPage<WireTask>> {
    let p = this.pages.get(page)
    if (p === undefined) {
      p = this.fetch(page)
      p.catch(() => undefined)
      this.pages.set(page, p)
    }
    return p
  }

  private async fetch(page: number): Promise<SpringPage<WireTask>> {
    if (!this.ledgerOff && !this.read.has(page) && this.ledger.later(page)) {
      // The page holding the ledger's newest task may be the one asked before this
      // (which waits in turn for its own, while the ledger may serve it later).
      await this.pages.get(page - 1)?.catch(() => undefined)
    }
    if (!this.ledgerOff && !this.read.has(page)) {
      const served = await this.ledger.page(page)
      if (served !== null) {
        this.stamps.set(page, served.stamp)
        return served.value
      }
    }
    this.read.add(page)
    return this.run.get(page)
  }

  stamp(page: number): ReadStamp {
    return this.stamps.get(page) ?? this.run.stamp(page)
  }

  forget(page: number): void {
    this.pages.delete(page)
    this.stamps.delete(page)
    this.read.add(page)
    this.run.forget(page)
  }

  forgetAll(): void {
    this.pages.clear()
    this.stamps.clear()
    this.ledgerOff = true
    this.run.forgetAll()
  }

  range(from: number, to: number): Promise<SpringPage<WireTask>>[] {
    const out: Promise<SpringPage<WireTask>>[] = []
    for (let i = from; i < to; i++) out.push(this.get(i))
    return out
  }

  upstreamPages(page: number): number[] {
    return this.ledger.holds(page) ? [] : [page]
  }
}

/** Positions never move in a load of this view: every page is as good as any other read. */
const TIMELESS: ReadStamp = { started: 0, ended: 0 }


/** An upstream that lists oldest first, read back from the end of the list as it stood when the load started. */
export class ReversedPages implements TaskPages {
  private readonly pages = new Map<number, Promise<SpringPage<WireTask>>>()

  private constructor(private readonly run: PageRun<WireTask>, readonly listed: number, private readonly size: number, private readonly contradicted: () => void) {}

  /**
   * The view of a load: `listed` as its snapshot says, or, when it starts, as
   * the upstream lists now — its total, unless the page of its last task shows
   * fewer (an upstream counts and lists in two queries).
   */
  static async open(ctx: ExecContext, run: PageRun<WireTask>, listed: number | undefined): Promise<ReversedPages> {
    const size = ctx.plan.upstreamPageSize
    const contradicted = (): void => ctx.access.orderContradicted()
    if (listed !== undefined) return new ReversedPages(run, listed, size, contradicted)
    const first = await run.get(0)
    const ps = first.size > 0 ? first.size : size
    const oldest = first.content[0]
    if (oldest !== undefined && dateOf(oldest) < ctx.access.upstreamNow() - (TASK_WINDOW_DAYS - 1) * MS_PER_DAY) {
      // Tasks about to leave the front would slide every position: read such an upstream whole.
      contradicted()
      throw bridgeError('UPSTREAM_UNAVAILABLE', 'BotCity Insights lists tasks oldest first, and its oldest are about to leave its window, which moves every position the bridge pages by. The bridge will read its tasks whole from now on: retry the refresh.')
    }
    if (first.totalElements === 0) return new ReversedPages(run, 0, ps, contradicted)
    const lastPage = Math.floor((first.totalElements - 1) / ps)
    const last = lastPage === 0 ? first : await run.get(lastPage)
    return new ReversedPages(run, Math.min(first.totalElements, lastPage * ps + last.content.length), ps, contradicted)
  }

  get(page: number): Promise<SpringPage<WireTask>> {
    let p = this.pages.get(page)
    if (p === undefined) {
      p = this.read(page)
      p.catch(() => undefined)
      this.pages.set(page, p)
    }
    return p
  }

  /** Upstream positions [lo, hi) of a page of the view. */
  private span(page: number): { lo: number; hi: number } {
    const hi = Math.max(0, this.listed - page * this.size)
    return { lo: Math.max(0, hi - this.size), hi }
  }

  upstreamPages(page: number): number[] {
    const { lo, hi } = this.span(page)
    if (hi === 0) return []
    const out: number[] = []
    for (let u = Math.floor(lo / this.size); u <= Math.floor((hi - 1) / this.size); u++) out.push(u)
    return out
  }

  private async read(page: number): Promise<SpringPage<WireTask>> {
    const { lo, hi } = this.span(page)
    const upstream = this.upstreamPages(page)
    const got = await Promise.all(upstream.map((u) => this.run.get(u)))
    const rows = got.flatMap((p) => p.content)
    const offset = (upstream[0] ?? 0) * this.size
    const content: WireTask[] = []
    for (let pos = hi - 1; pos >= lo; pos--) {
      const task = rows[pos - offset]
      if (task === undefined || got.some((p) => p.size !== this.size)) {
        throw bridgeError('UPSTREAM_UNAVAILABLE', `BotCity Insights no longer lists task ${pos + 1} of the ${this.listed} it listed when this load started (oldest first): tasks left its list. Restart the refresh.`)
      }
      const newer = content[content.length - 1]
      if (newer !== undefined && dateOf(task) > dateOf(newer)) {
        this.contradicted()
        throw bridgeError('UPSTREAM_BAD_RESPONSE', `BotCity Insights listed task ${newer.id} (created ${newer.dateCreation}) after task ${task.id} (created ${task.dateCreation}) on pages ${upstream.join(' and ')} of /api/v1/insights/tasks: its tasks are not oldest first, the order the bridge found. The bridge stopped rather than answer with wrong or missing rows, and will find out the order again: retry the refresh.`)
      }
      content.push(task)
    }
    return springPage(content, page, this.size, this.listed)
  }

  stamp(): ReadStamp {
    return TIMELESS
  }

  forget(page: number): void {
    // Neighbours share upstream pages: they are read again too.
    for (const p of [page - 1, page, page + 1]) this.pages.delete(p)
    for (const u of this.upstreamPages(page)) this.run.forget(u)
  }

  forgetAll(): void {
    this.pages.clear()
    this.run.forgetAll()
  }

  range(from: number, to: number): Promise<SpringPage<WireTask>>[] {
    const out: Promise<SpringPage<WireTask>>[] = []
    for (let i = from; i < to; i++) out.push(this.get(i))
    return out
  }
}
