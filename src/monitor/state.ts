// What GET /monitor/state answers (JSON): the loads in flight and the recent
// ones, the upstream over the last hour, and the sizes of the caches — of
// this replica, or with REDIS_URL of every replica. The monitor page
// (monitor/page.ts) draws it; operators may read it with curl.
import type { Bounds } from '../plan/plan.js'

/** Who ran a load, from its User-Agent: Power BI and Excel send the same one (Power Query's Mashup engine). */
export type ClientKind = 'power-query' | 'curl' | 'browser' | 'other'

/** How a load ended: its last page answered; no next request came in time; its last answer was an error; its client left mid-answer. */
export type LoadOutcome = 'finished' | 'abandoned' | 'failed' | 'canceled'

/** What a load has cost so far. */
export interface LoadFigures {
  /** Rows answered. */
  readonly rows: number
  /** Pages answered (requests that completed). */
  readonly pages: number
  /** Upstream page reads; `calls` of them reached BotCity, `cached` came from the page cache and `ledger` from the task ledger. */
  readonly reads: number
  readonly calls: number
  readonly cached: number
  readonly ledger: number
}

export interface LoadView {
  /** The load's id (random; carried in its $skiptoken). */
  readonly id: string
  readonly set: string
  /** Path and query as the client sent them, without $skiptoken and secrets. */
  readonly query: string
  readonly client: ClientKind
  /** Keyed id of the workspace credential (never the credential). */
  readonly credential: string
  /** Epoch ms of its first request. */
  readonly started: number
  readonly figures: LoadFigures
}

export interface LiveLoad extends LoadView {
  /** reading: a request of it is being answered; waiting: its client has a nextLink to follow; retrying: its last answer was an error a client retries (408/429/503/504). */
  readonly state: 'reading' | 'waiting' | 'retrying'
  /** Epoch ms of its last change. */
  readonly updated: number
  /** Rows the whole load answers, as the plan estimates them (null: not known before reading, e.g. a filter the bridge applies). */
  readonly rowsEstimate: Bounds | null
  /** Upstream page reads the whole load makes, as the plans estimate them (null: unknown). */
  readonly readsEstimate: Bounds | null
  readonly elapsedMs: number
  /** Time left at the pace so far (null: no estimate). */
  readonly etaMs: number | null
}

export interface FinishedLoad extends LoadView {
  readonly ended: number
  readonly durationMs: number
  readonly outcome: LoadOutcome
  /** The error code of a failed load (docs/errors.md). */
  readonly error?: string
}

/** One minute of upstream calls (all routes, all replicas reporting). */
export interface UpstreamMinute {
  /** Epoch ms of the minute's start. */
  readonly t: number
  readonly calls: number
  /** Calls that failed (any outcome but ok or aborted). */
  readonly errors: number
  /** 429 answers from BotCity (retried or not). */
  readonly throttled: number
  readonly retries: number
  /** Latency percentiles of the minute's calls in ms (null: no call), from a fixed-bucket histogram. */
  readonly p50: number | null
  readonly p90: number | null
  readonly p99: number | null
}

export interface CacheSizes {
  readonly pageCache: { readonly bytes: number; readonly entries: number }
  readonly ledger: { readonly tasks: number; readonly bytes: number }
}

export interface MonitorState {
  /** Epoch ms, by the answering replica's clock. */
  readonly at: number
  /** Replicas whose figures are in this answer (1 without REDIS_URL). */
  readonly replicas: number
  /** all: every workspace's loads; own: the loads of the credential that asked (passthrough). */
  readonly scope: 'all' | 'own'
  readonly inFlight: readonly LiveLoad[]
  /** Newest first. */
  readonly recent: readonly FinishedLoad[]
  /** The last 60 minutes, oldest first, the current minute last. */
  readonly upstream: readonly UpstreamMinute[]
  /** Summed over the replicas reporting. */
  readonly caches: CacheSizes
}
