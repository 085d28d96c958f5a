// Loads as things. A load is a first request and the nextLinks that follow
// it: Power BI's refresh of one table, Excel's, a curl loop. Its id and its
// running figures ride in its $skiptoken (beside the sealed state, under an
// HMAC: http/skiptoken.ts), so it is one load whichever replica answers each page. This replica keeps the
// loads it answered last while their next request is awaited; one that does
// not come within LOAD_ABANDON_S is recorded as abandoned (or as failed, when
// its last answer was an error its client retries). When a load ends, one log
// line says what it was and cost, /metrics counts it, and the monitor lists it.
import { randomChunk } from '../random.js'
import { totalActual } from '../execute/explain.js'
import type { Actual, ReadRecord } from '../execute/meter.js'
import type { LoadEstimate } from '../execute/run.js'
import type { Bounds } from '../plan/plan.js'
import type { ClientKind, FinishedLoad, LiveLoad, LoadFigures, LoadOutcome } from './state.js'

/** A load as its $skiptoken carries it (short: it travels in every nextLink, which Power Query keeps under 1,400 characters). */
export interface LoadMark {
  /** Its id. */
  readonly i: string
  /** Epoch ms of its first request. */
  readonly t: number
  /** Its figures after the page that sent this mark: rows, pages, reads, calls, cached, ledger. */
  readonly f: readonly [number, number, number, number, number, number]
}

const markOf = (id: string, started: number, f: LoadFigures): LoadMark => ({ i: id, t: started, f: [f.rows, f.pages, f.reads, f.calls, f.cached, f.ledger] })

/** How this replica learns what other replicas did with a load (monitor/share.ts; absent: one replica). */
export interface LoadSightings {
  /** Records that a load answered its `pages`-th page, or ended. */
  saw(id: string, pages: number, ended: boolean): void
  /** What was last recorded of a load (null: nothing, or the store did not answer). */
  lastSeen(id: string): Promise<{ readonly pages: number; readonly ended: boolean } | null>
}

export interface LoadBookOptions {
  readonly now: () => number
  /** LOAD_ABANDON_S in ms. */
  readonly abandonMs: number
  /** Where each ended load goes to be logged (loadLine gives its line). */
  readonly log: (load: FinishedLoad) => void
  /** Told each ended load (metrics, the shared list of recent loads). */
  readonly onEnded?: (load: FinishedLoad) => void
  readonly sightings?: LoadSightings
  /** Ended loads kept for the monitor (default 100). */
  readonly recentMax?: number
  /** Told when a load starts, answers a page or ends (the monitor reports to the other replicas soon after). */
  readonly onChange?: () => void
  /** Loads kept in flight at most (default 10,000): past it, the one awaiting its next request longest is recorded as abandoned. */
  readonly maxLive?: number
}

/** A load as its $skiptoken named it, and its figures then. */
export interface NamedLoad {
  readonly id: string
  readonly started: number
  readonly figures: LoadFigures
}

/** What a load's request told when it started. */
export interface LoadStart {
  /** The load its $skiptoken named (null: a first request, or a token without one). */
  readonly mark: NamedLoad | null
  readonly set: string
  /** The query as shown (shownQuery), worked out only if the load is shown or logged. */
  readonly query: () => string
  readonly client: ClientKind
  readonly credential: string
}

/** Statuses Power Query retries on its own (powerquery.md): a load answered one may still go on. */
const RETRIED = new Set([408, 429, 503, 504])
const NONE: LoadFigures = { rows: 0, pages: 0, reads: 0, calls: 0, cached: 0, ledger: 0 }
const MAX_QUERY_CHARS = 1000

export function newLoadId(): string {
  return randomChunk(9).toString('base64url')
}

/** The mark a decoded $skiptoken carries, or null (a first request; a token of an older bridge). */
export function loadMarkOf(state: unknown): NamedLoad | null {
  const l = (state as { L?: unknown } | null)?.L as { i?: unknown; t?: unknown; f?: unknown } | undefined
  if (typeof l !== 'object' || l === null || typeof l.i !== 'string' || typeof l.t !== 'number' || !Array.isArray(l.f)) return null
  const f = l.f as unknown[]
  const n = (i: number): number => { const v = f[i]; return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0 }
  return { id: l.i.slice(0, 32), started: l.t, figures: { rows: n(0), pages: n(1), reads: n(2), calls: n(3), cached: n(4), ledger: n(5) } }
}

/** Who is loading, from the User-Agent. Power BI and Excel send the same one (Power Query's Mashup engine). */
export function clientKind(userAgent: string | undefined): ClientKind {
  const ua = userAgent ?? ''
  if (/Microsoft\.Data\.Mashup|Microsoft\.Mashup/i.test(ua)) return 'power-query'
  if (/^curl\//i.test(ua)) return 'curl'
  if (/^Mozilla\//.test(ua)) return 'browser'
  return 'other'
}

/** The query as a person reads it: the path and query pairs (secrets already masked), decoded, cut to 1,000 characters. */
export function shownQuery(path: string, pairs: readonly string[]): string {
  const decode = (s: string): string => {
    try { return decodeURIComponent(s.replace(/\+/g, '%2B')) } catch { return s }
  }
  const text = decode(path) + (pairs.length === 0 ? '' : `?${pairs.map(decode).join('&')}`)
  return text.length > MAX_QUERY_CHARS ? `${text.slice(0, MAX_QUERY_CHARS - 1)}…` : text
}

interface Entry {
  readonly id: string
  readonly started: number
  readonly set: string
  /** The query as shown, once worked out. */
  shown: string | null
  readonly query: () => string
  readonly client: ClientKind
  readonly credential: string
  /** Figures before the request being answered (or after the last one). */
  figures: LoadFigures
  /** The reads of the request being answered: their `actual` grows while it runs. */
  reads: ReadRecord[]
  state: LiveLoad['state']
  updated: number
  /** When waiting or retrying: when it counts as abandoned (or failed). */
  deadline: number
  rowsEstimate: Bounds | null
  readsEstimate: Bounds | null
  error: string | null
  /** Requests of it being answered now (a client may retry one while it runs). */
  running: number
}

function shown(e: Entry): string {
  e.shown ??= e.query()
  return e.shown
}

/** A request's figures added to a load's. */
function added(f: LoadFigures, rows: number, a: Actual): LoadFigures {
  const cached = a.reads - a.calls - a.ledger
  return { rows: f.rows + rows, pages: f.pages + 1, reads: f.reads + a.reads, calls: f.calls + a.calls, cached: f.cached + cached, ledger: f.ledger + a.ledger }
}

/** One request of a load, from its start to its answer. */
export interface LoadTicket {
  readonly id: string
  /** For runRequest's onRead: the request's reads, live. */
  readonly onRead: (record: ReadRecord) => void
  /** The request answered `rows`; `more`: a nextLink follows, carrying the mark returned. */
  answered(rows: number, actual: Actual, more: boolean, estimate: LoadEstimate | null): LoadMark
  /** The request failed: `status` of its answer, `code` of its error; `left`: its client closed the connection. */
  failed(status: number, code: string, left: boolean): void
}

export class LoadBook {
  private readonly live = new Map<string, Entry>()
  private readonly ended: FinishedLoad[] = []
  private readonly timer: NodeJS.Timeout
  private sweeping = false

  constructor(private readonly options: LoadBookOptions) {
    this.timer = setInterval(() => { void this.sweep() }, Math.max(50, Math.min(5_000, Math.floor(options.abandonMs / 4))))
    this.timer.unref()
  }

  /** Loads being answered or awaiting their next request. */
  inFlight(): number {
    return this.live.size
  }

  begin(start: LoadStart): LoadTicket {
    const now = this.options.now()
    const mark = start.mark
    const known = mark === null ? undefined : this.live.get(mark.id)
    const entry: Entry = known ?? {
      id: mark?.id ?? newLoadId(),
      started: mark?.started ?? now,
      set: start.set,
      shown: null,
      query: start.query,
      client: start.client,
      credential: start.credential,
      figures: mark?.figures ?? NONE,
      reads: [],
      state: 'reading',
      updated: now,
      deadline: Infinity,
      rowsEstimate: null,
      readsEstimate: null,
      error: null,
      running: 0
    }
    // The token's figures are the load's, whichever replica answered its last page.
    if (mark !== null && mark.figures.pages >= entry.figures.pages) entry.figures = mark.figures
    entry.state = 'reading'
    entry.updated = now
    entry.deadline = Infinity
    entry.reads = []
    entry.error = null
    entry.running++
    if (known === undefined) this.makeRoom()
    // Held in the order of their last request: the first is the one that has waited longest.
    this.live.delete(entry.id)
    this.live.set(entry.id, entry)
    this.options.onChange?.()
    // What the load had answered before this page, as its token says: a page asked again (a retry) is not counted twice.
    const before = mark?.figures ?? NONE
    let done = false
    const finish = (): boolean => {
      if (done) return false
      done = true
      entry.running--
      return true
    }
    return {
      id: entry.id,
      onRead: (record) => { entry.reads.push(record) },
      answered: (rows, actual, more, estimate) => {
        const figures = added(before, rows, actual)
        if (!finish()) return markOf(entry.id, entry.started, figures)
        const at = this.options.now()
        entry.figures = figures
        entry.reads = []
        entry.updated = at
        if (estimate !== null) {
          entry.rowsEstimate = estimate.rows
          entry.readsEstimate = estimate.restReads === null ? null : { min: before.reads + Math.max(actual.reads, estimate.restReads.min), max: before.reads + Math.max(actual.reads, estimate.restReads.max) }
        }
        if (more) {
          entry.state = 'waiting'
          entry.deadline = at + this.options.abandonMs
          this.options.sightings?.saw(entry.id, figures.pages, false)
          this.options.onChange?.()
        } else {
          this.end(entry, 'finished', at)
        }
        return markOf(entry.id, entry.started, figures)
      },
      failed: (status, code, left) => {
        if (!finish() || entry.running > 0) return
        const at = this.options.now()
        entry.reads = []
        entry.updated = at
        entry.error = code
        // A client that may retry the same nextLink gets its load's time to do it.
        if (!left && RETRIED.has(status) && mark !== null) {
          entry.state = 'retrying'
          entry.deadline = at + this.options.abandonMs
          this.options.onChange?.()
        } else {
          this.end(entry, left ? 'canceled' : 'failed', at)
        }
      }
    }
  }

  /** The loads in flight on this replica, as the monitor shows them. */
  liveLoads(): LiveLoad[] {
    const now = this.options.now()
    return [...this.live.values()].map((e) => {
      const running = totalActual(e.reads)
      const figures: LoadFigures = e.state === 'reading'
        ? { ...e.figures, reads: e.figures.reads + running.reads, calls: e.figures.calls + running.calls, ledger: e.figures.ledger + running.ledger, cached: e.figures.cached + running.reads - running.calls - running.ledger }
        : e.figures
      const elapsedMs = Math.max(0, now - e.started)
      return {
        id: e.id, set: e.set, query: shown(e), client: e.client, credential: e.credential, started: e.started, figures,
        state: e.state, updated: e.updated, rowsEstimate: e.rowsEstimate, readsEstimate: e.readsEstimate,
        elapsedMs, etaMs: eta(figures, e.rowsEstimate, e.readsEstimate, elapsedMs)
      }
    })
  }

  /** Loads ended on this replica, newest first. */
  recent(): readonly FinishedLoad[] {
    return this.ended
  }

  /** Ends the loads whose next request did not come in time (unless another replica answered it). */
  async sweep(): Promise<void> {
    if (this.sweeping) return
    this.sweeping = true
    try {
      const now = this.options.now()
      for (const e of [...this.live.values()]) {
        if (e.running > 0 || e.deadline > now) continue
        const seen = await this.options.sightings?.lastSeen(e.id)
        if (this.live.get(e.id) !== e || e.running > 0 || e.deadline > now) continue
        if (seen != null && (seen.ended || seen.pages > e.figures.pages)) {
          this.live.delete(e.id)
          this.options.onChange?.()
        } else this.end(e, e.state === 'retrying' ? 'failed' : 'abandoned', now)
      }
    } finally {
      this.sweeping = false
    }
  }

  close(): void {
    clearInterval(this.timer)
  }

  /**
   * Bounds the loads held: a flood of first pages never followed (previews)
   * costs at most maxLive entries, and each new one ends the load whose last
   * request is the oldest (the first held), in constant time.
   */
  private makeRoom(): void {
    if (this.live.size < (this.options.maxLive ?? 10_000)) return
    for (const e of this.live.values()) {
      if (e.running > 0) continue
      this.end(e, e.state === 'retrying' ? 'failed' : 'abandoned', this.options.now())
      return
    }
  }

  private end(e: Entry, outcome: LoadOutcome, at: number): void {
    this.live.delete(e.id)
    // An abandoned load ended with its last answer; a failed or canceled one with its last request.
    const ended = outcome === 'abandoned' ? e.deadline - this.options.abandonMs : at
    const load: FinishedLoad = {
      id: e.id, set: e.set, client: e.client, credential: e.credential, started: e.started, figures: e.figures,
      // Worked out when shown or logged (JSON.stringify reads it), not for every load that ends.
      get query() { return shown(e) },
      ended, durationMs: Math.max(0, ended - e.started), outcome, ...(e.error === null || outcome === 'finished' || outcome === 'abandoned' ? {} : { error: e.error })
    }
    this.ended.unshift(load)
    if (this.ended.length > (this.options.recentMax ?? 100)) this.ended.pop()
    this.options.sightings?.saw(e.id, e.figures.pages, true)
    this.options.log(load)
    this.options.onEnded?.(load)
    this.options.onChange?.()
  }
}

/** The log line of an ended load, and its message (`load finished`, `load abandoned`…). */
export function loadLine(load: FinishedLoad): [Record<string, unknown>, string] {
  const f = load.figures
  return [{
    load: {
      id: load.id, set: load.set, query: load.query, client: load.client, credential: load.credential, outcome: load.outcome,
      ...(load.error === undefined ? {} : { error: load.error }),
      rows: f.rows, pages: f.pages, reads: f.reads, calls: f.calls, fromCache: f.cached, fromLedger: f.ledger, durationMs: load.durationMs
    }
  }, `load ${load.outcome}`]
}

/** Time left at the pace so far: by rows when their total is estimated, else by upstream reads. */
function eta(f: LoadFigures, rows: Bounds | null, reads: Bounds | null, elapsedMs: number): number | null {
  const left = (done: number, total: Bounds | null): number | null => {
    if (total === null || done <= 0) return null
    return Math.max(0, Math.round(elapsedMs * (total.max - done) / done))
  }
  return left(f.rows, rows) ?? left(f.reads, reads)
}
