// The monitor's state (state.ts): this replica's loads and upstream minutes,
// with REDIS_URL merged with every other replica's reports (share.ts).
import { randomBytes } from 'node:crypto'
import type { LoadBook } from './loads.js'
import type { MonitorShare, ReplicaReport } from './share.js'
import type { CacheSizes, FinishedLoad, LiveLoad, MonitorState } from './state.js'
import { lastHour } from './upstream-minutes.js'
import type { UpstreamMinutes } from './upstream-minutes.js'

export interface MonitorOptions {
  readonly now: () => number
  readonly book: LoadBook
  readonly minutes: UpstreamMinutes
  readonly caches: () => CacheSizes
  readonly share?: MonitorShare | null
  /** How often this replica reports to the others (default 2 s). */
  readonly reportMs?: number
}

/** Of two sightings of one load on two replicas, the later: more pages, then the one answering, then the newer. */
function later(a: LiveLoad, b: LiveLoad): LiveLoad {
  if (a.figures.pages !== b.figures.pages) return a.figures.pages > b.figures.pages ? a : b
  if ((a.state === 'reading') !== (b.state === 'reading')) return a.state === 'reading' ? a : b
  return a.updated >= b.updated ? a : b
}

/** Loads in flight one replica shows at most (the monitor is for people: a page of them). */
const REPORTED_LOADS = 500

/** How soon after a load changes this replica reports to the others (at most this often). */
const REPORT_SOON_MS = 200

export class Monitor {
  readonly replica = randomBytes(6).toString('hex')
  private readonly timer: NodeJS.Timeout | null = null
  private soon: NodeJS.Timeout | null = null

  constructor(private readonly options: MonitorOptions) {
    const { share } = options
    if (share != null) {
      this.timer = setInterval(() => { void share.publish(this.report()) }, options.reportMs ?? 2_000)
      this.timer.unref()
    }
  }

  /** A load started, answered a page or ended: the other replicas hear of it within REPORT_SOON_MS. */
  changed(): void {
    const { share } = this.options
    if (share == null || this.soon !== null) return
    this.soon = setTimeout(() => {
      this.soon = null
      void share.publish(this.report())
    }, REPORT_SOON_MS)
    this.soon.unref()
  }

  /** What this replica reports: its loads in flight (the REPORTED_LOADS changed last), upstream minutes and cache sizes. */
  report(): ReplicaReport {
    const live = this.options.book.liveLoads()
    const shown = live.length <= REPORTED_LOADS ? live : live.sort((a, b) => b.updated - a.updated).slice(0, REPORTED_LOADS)
    return { replica: this.replica, at: this.options.now(), live: shown, minutes: this.options.minutes.counts(), caches: this.options.caches() }
  }

  /** The state to show; `credential`: only that credential's loads (passthrough), null: all. */
  async state(credential: string | null): Promise<MonitorState> {
    const { share, book, now } = this.options
    const own = this.report()
    const others = share == null ? [] : ((await share.reports(own.at)) ?? []).filter((r) => r.replica !== this.replica)
    const reports = [own, ...others]
    const recent = share == null ? book.recent() : (await share.recent()) ?? book.recent()
    const ended = new Set(recent.map((l) => l.id))
    const live = new Map<string, LiveLoad>()
    for (const l of reports.flatMap((r) => r.live)) {
      if (ended.has(l.id) && l.state !== 'reading') continue
      const seen = live.get(l.id)
      live.set(l.id, seen === undefined ? l : later(seen, l))
    }
    const mine = <T extends { credential: string }>(l: T): boolean => credential === null || l.credential === credential
    const sum = (pick: (c: CacheSizes) => { [k: string]: number }): Record<string, number> => {
      const total: Record<string, number> = {}
      for (const r of reports) for (const [k, v] of Object.entries(pick(r.caches))) total[k] = (total[k] ?? 0) + v
      return total
    }
    return {
      at: own.at,
      replicas: reports.length,
      scope: credential === null ? 'all' : 'own',
      inFlight: [...live.values()].filter(mine).sort((a, b) => a.started - b.started),
      recent: (recent as readonly FinishedLoad[]).filter(mine),
      upstream: lastHour(now(), ...reports.map((r) => r.minutes)),
      caches: { pageCache: sum((c) => c.pageCache) as CacheSizes['pageCache'], ledger: sum((c) => c.ledger) as CacheSizes['ledger'] }
    }
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer)
    if (this.soon !== null) clearTimeout(this.soon)
  }
}
