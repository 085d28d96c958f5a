// Prometheus metrics (prom-client) at GET /metrics, on a registry of this app's
// own so that several apps in one process never share counters. Every label
// takes its values from a small fixed set (entity set names, HTTP status codes,
// upstream route names, error catalogue codes): never a URL, key or credential.
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { ENTITY_SETS } from '../model/index.js'
import type { UpstreamCallEvent } from '../upstream/observability.js'
import type { PageCacheStats } from '../upstream/page-cache.js'
import type { LedgerStats } from '../upstream/task-ledger.js'
import type { HeavyGateState } from '../execute/heavy-gate.js'
import type { TaskOrderFinding } from '../upstream/task-order.js'
import { feedPath } from './feed-path.js'
import type { ClientKind, LoadOutcome } from '../monitor/state.js'

const PREFIX = 'botcity_odata_'
/** Seconds: a cached page answers in milliseconds, a local sort over a long window in tens of seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
/** actual ÷ estimate: exact at 1; a range's upper bound is at most 2× its lower, so a good range lands in 0.5–1. */
/** Seconds a load takes: a preview in seconds, a scheduled refresh of a large workspace in tens of minutes. */
const LOAD_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200]
const RATIO_BUCKETS = [0.25, 0.5, 0.75, 0.99, 1, 1.01, 1.25, 1.5, 2, 4]
const SET_NAMES: ReadonlySet<string> = new Set(ENTITY_SETS.map((s) => s.name))

export interface BridgeMetrics {
  readonly registry: Registry
  /** One answered HTTP request. */
  readonly httpResponse: (entitySet: string, status: number, seconds: number) => void
  /** For createInsightsClient's `onCall`. */
  readonly upstreamCall: (event: UpstreamCallEvent) => void
  /** For the Feed's `onRows`: rows written in one response. */
  readonly rowsServed: (set: string, rows: number) => void
  /** For the Feed's `onEstimate`: a request's actual ÷ estimated upstream page reads (null: the estimate was unknown). */
  readonly estimateRatio: (ratio: number | null) => void
  /** The order the tasks route was found to list in (each request that reads Tasks). */
  readonly taskOrder: (finding: TaskOrderFinding) => void
  /** A page of tasks contradicted that order (the request failed with a 502; the order is probed again). */
  readonly taskOrderContradicted: () => void
  /** Reads the heavy gate's state at each scrape; returns the gate unchanged. */
  watchHeavyGate<G extends { state(): HeavyGateState }>(gate: G): G
  /** Reads the cache's figures at each scrape; returns the cache unchanged. */
  watchPageCache<C extends { stats(): PageCacheStats }>(cache: C): C
  /** Reads the task ledgers' figures at each scrape. */
  watchLedgers(ledgers: { stats(): LedgerStats }): void
  /** A load ended (monitor/loads.ts): its entity set, outcome, client kind and duration. */
  readonly loadEnded: (load: { readonly set: string; readonly outcome: LoadOutcome; readonly client: ClientKind; readonly durationMs: number }) => void
  /** Reads the loads in flight at each scrape. */
  watchLoads(inFlight: () => number): void
  /** A request shed by back-pressure, by what was over its limit. */
  readonly shed: (cause: 'event_loop' | 'heap') => void
}

/** What a request read: an entity set, $metadata, the service document, or anything else. */
export function entitySetLabel(request: Pick<FastifyRequest, 'url' | 'routeOptions'>): string {
  const route = request.routeOptions.url
  const path = feedPath(request.url)
  if ((route !== '/odata' && route !== '/odata/*') || path === null) return 'other'
  const first = path.split('/')[1] ?? ''
  let segment = first
  try { segment = decodeURIComponent(first) } catch { /* the feed answers 400; the label stays bounded */ }
  if (segment === '') return 'service'
  if (segment === '$metadata') return 'metadata'
  const name = /^([A-Za-z_][A-Za-z0-9_]*)(?:\(|$)/.exec(segment)?.[1]
  return name !== undefined && SET_NAMES.has(name) ? name : 'other'
}

export function createMetrics(): BridgeMetrics {
  const registry = new Registry()
  const registers = [registry]
  collectDefaultMetrics({ register: registry })
  let cacheStats = (): PageCacheStats => ({ hits: 0, misses: 0, evictions: 0, bytes: 0, entries: 0 })

  const requests = new Counter({ name: `${PREFIX}http_requests_total`, help: 'HTTP requests answered, by entity set (Tasks, Automations, Runners, metadata, service, other) and status code.', labelNames: ['entity_set', 'status'] as const, registers })
  const latency = new Histogram({ name: `${PREFIX}http_request_duration_seconds`, help: 'Time to answer an HTTP request, by entity set.', labelNames: ['entity_set'] as const, buckets: BUCKETS, registers })
  const rows = new Counter({ name: `${PREFIX}rows_served_total`, help: 'Entity rows written in responses, by entity set.', labelNames: ['entity_set'] as const, registers })
  const calls = new Counter({ name: `${PREFIX}upstream_calls_total`, help: 'Calls to BotCity Insights, by route and outcome (ok, aborted, or an error code); retries and a re-login belong to the same call.', labelNames: ['route', 'outcome'] as const, registers })
  const callLatency = new Histogram({ name: `${PREFIX}upstream_call_duration_seconds`, help: 'Time of one upstream call, retries included, by route.', labelNames: ['route'] as const, buckets: BUCKETS, registers })
  const retries = new Counter({ name: `${PREFIX}upstream_retries_total`, help: 'Upstream retries (429, 5xx, network errors), by route.', labelNames: ['route'] as const, registers })
  const logins = new Counter({ name: `${PREFIX}upstream_logins_total`, help: 'Upstream logins (token cache misses and re-logins), by outcome.', labelNames: ['outcome'] as const, registers })
  const throttled = new Counter({ name: `${PREFIX}upstream_throttled_total`, help: 'Answers 429 (Too Many Requests) from BotCity Insights, by route: each one, whether the call was retried or failed.', labelNames: ['route'] as const, registers })
  const loads = new Counter({ name: `${PREFIX}loads_total`, help: 'Loads ended (a first request and the nextLinks that followed it), by entity set, outcome (finished, abandoned, failed, canceled) and client (power-query: Power BI or Excel; curl; browser; other).', labelNames: ['entity_set', 'outcome', 'client'] as const, registers })
  const loadSeconds = new Histogram({ name: `${PREFIX}load_duration_seconds`, help: 'Time from a load\'s first request to its last answer, by entity set and outcome.', labelNames: ['entity_set', 'outcome'] as const, buckets: LOAD_BUCKETS, registers })
  // The children of each label set, looked up once (a flood of loads ends one per request).
  const loadSeries = new Map<string, { count: { inc(): void }; seconds: { observe(v: number): void } }>()
  let loadsInFlight = (): number => 0
  new Gauge({ name: `${PREFIX}loads_in_flight`, help: 'Loads of this replica being answered or waiting for their next request (LOAD_ABANDON_S).', registers, collect() { this.set(loadsInFlight()) } })
  const shed = new Counter({ name: `${PREFIX}requests_shed_total`, help: 'Requests answered 503 by back-pressure, by cause (event_loop: PRESSURE_MAX_EVENT_LOOP_DELAY_MS; heap: PRESSURE_MAX_HEAP_PERCENT).', labelNames: ['cause'] as const, registers })
  for (const cause of ['event_loop', 'heap']) shed.inc({ cause }, 0)
  const relogins = new Counter({ name: `${PREFIX}upstream_relogins_total`, help: 'Data calls that met a 401 with a cached token and logged in again, by route.', labelNames: ['route'] as const, registers })

  // The page cache keeps its own figures; each scrape copies them in.
  const counterOf = (field: 'hits' | 'misses' | 'evictions', help: string): Counter =>
    new Counter({ name: `${PREFIX}page_cache_${field}_total`, help, registers, collect() { this.reset(); this.inc(cacheStats()[field]) } })
  counterOf('hits', 'Upstream pages served from the page cache.')
  counterOf('misses', 'Upstream pages the page cache did not hold (an upstream call followed).')
  counterOf('evictions', 'Pages evicted from the page cache to stay within CACHE_MAX_MB.')
  new Gauge({ name: `${PREFIX}page_cache_bytes`, help: 'Approximate bytes held by the page cache.', registers, collect() { this.set(cacheStats().bytes) } })
  new Gauge({ name: `${PREFIX}page_cache_entries`, help: 'Pages held by the page cache.', registers, collect() { this.set(cacheStats().entries) } })
  // The task ledgers keep their own figures too (upstream/task-ledger.ts).
  let ledgerStats = (): LedgerStats => ({ tasks: 0, bytes: 0, served: 0, noted: 0, resets: 0, finalChanged: 0 })
  new Gauge({ name: `${PREFIX}task_ledger_tasks`, help: 'Tasks held by the task ledger (LEDGER_MAX_MB).', registers, collect() { this.set(ledgerStats().tasks) } })
  new Gauge({ name: `${PREFIX}task_ledger_bytes`, help: 'Approximate bytes held by the task ledger.', registers, collect() { this.set(ledgerStats().bytes) } })
  const ledgerCounter = (field: 'served' | 'noted' | 'resets' | 'finalChanged', name: string, help: string): Counter =>
    new Counter({ name: `${PREFIX}task_ledger_${name}_total`, help, registers, collect() { this.reset(); this.inc(ledgerStats()[field]) } })
  ledgerCounter('served', 'pages_served', 'Pages of tasks served from the task ledger instead of the upstream.')
  ledgerCounter('noted', 'pages_noted', 'Pages of tasks read from the upstream (or the page cache) into the task ledger.')
  ledgerCounter('resets', 'resets', 'Times a page disagreed with the task ledger, which then emptied (the bridge read again).')
  ledgerCounter('finalChanged', 'final_changed', 'Finished or canceled tasks found changed when their page was read again (LEDGER_VERIFY_H).')
  for (const name of SET_NAMES) rows.inc({ entity_set: name }, 0)
  const ratio = new Histogram({ name: `${PREFIX}plan_estimate_ratio`, help: 'Per data request, upstream page reads made ÷ the plan\'s estimate (its upper bound for a range; docs/explain.md): 1 is exact, below 1 fewer reads than feared.', buckets: RATIO_BUCKETS, registers })
  let heavyState = (): HeavyGateState => ({ running: 0, queued: 0, refused: 0 })
  new Gauge({ name: `${PREFIX}heavy_requests`, help: 'Requests that sort, filter or join a whole window of tasks in the bridge, running or waiting for a place (HEAVY_MAX_CONCURRENT, HEAVY_QUEUE).', labelNames: ['state'] as const, registers, collect() { const s = heavyState(); this.set({ state: 'running' }, s.running); this.set({ state: 'queued' }, s.queued) } })
  new Counter({ name: `${PREFIX}heavy_requests_refused_total`, help: 'Such requests answered 503 with Retry-After: the queue was full, or they waited HEAVY_QUEUE_WAIT_S.', registers, collect() { this.reset(); this.inc(heavyState().refused) } })
  const order = new Gauge({ name: `${PREFIX}upstream_task_order`, help: 'The order BotCity lists tasks in, as last found (1 on that order): newest-first (sorted="true" when the route honours sort=dateCreation,desc and the bridge asks for it), oldest-first or unknown (the bridge then reads the whole window for each Tasks query).', labelNames: ['order', 'sorted'] as const, registers })
  const contradictions = new Counter({ name: `${PREFIX}upstream_task_order_contradictions_total`, help: 'Pages of tasks that contradicted the order found: each failed its request with a 502 and makes the bridge find the order out again.', registers })
  const unknown = new Counter({ name: `${PREFIX}plan_estimates_unknown_total`, help: 'Data requests whose plan could not estimate its upstream reads before reading (a local sort or filter over a horizon).', registers })

  return {
    registry,
    httpResponse(entitySet, status, seconds) {
      requests.inc({ entity_set: entitySet, status: String(status) })
      latency.observe({ entity_set: entitySet }, seconds)
    },
    upstreamCall(event) {
      calls.inc({ route: event.route, outcome: event.outcome })
      callLatency.observe({ route: event.route }, event.ms / 1000)
      if (event.retries > 0) retries.inc({ route: event.route }, event.retries)
      if (event.relogin) relogins.inc({ route: event.route })
      if (event.throttled > 0) throttled.inc({ route: event.route }, event.throttled)
      if (event.route === 'login') logins.inc({ outcome: event.outcome })
    },
    estimateRatio(r) {
      if (r === null) unknown.inc()
      else ratio.observe(r)
    },
    taskOrder(finding) {
      order.reset()
      order.set({ order: finding.order, sorted: String(finding.sorted) }, 1)
    },
    taskOrderContradicted() {
      contradictions.inc()
    },
    rowsServed(set, count) {
      if (SET_NAMES.has(set) && count > 0) rows.inc({ entity_set: set }, count)
    },
    watchHeavyGate(gate) {
      heavyState = () => gate.state()
      return gate
    },
    watchPageCache(cache) {
      cacheStats = () => cache.stats()
      return cache
    },
    watchLedgers(ledgers) {
      ledgerStats = () => ledgers.stats()
    },
    loadEnded(load) {
      const set = SET_NAMES.has(load.set) ? load.set : 'other'
      const key = `${set} ${load.outcome} ${load.client}`
      let series = loadSeries.get(key)
      if (series === undefined) {
        series = { count: loads.labels({ entity_set: set, outcome: load.outcome, client: load.client }), seconds: loadSeconds.labels({ entity_set: set, outcome: load.outcome }) }
        loadSeries.set(key, series)
      }
      series.count.inc()
      series.seconds.observe(load.durationMs / 1000)
    },
    watchLoads(inFlight) {
      loadsInFlight = inFlight
    },
    shed(cause) {
      shed.inc({ cause })
    }
  }
}

export interface MetricsPluginOptions {
  readonly metrics: BridgeMetrics
}

export default fp<MetricsPluginOptions>(async function metrics(app, { metrics }) {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpResponse(entitySetLabel(request), reply.statusCode, reply.elapsedTime / 1000)
  })
  // Scrapes log at warn and above only: one line per scrape would drown the request log.
  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()))
  app.addHook('onClose', async () => { metrics.registry.clear() })
}, { name: 'metrics' })
