// Run counts and sizes of `npm run bench`, from flags (`npm run bench -- --quick
// --runs=5`) or environment variables (BENCH_RUNS=5 npm run bench); a flag wins.
// Bridge settings (PAGE_SIZE, UPSTREAM_CONCURRENCY, CACHE_TTL_S, CACHE_MAX_MB,
// MAX_LOCAL_ROWS, REQUEST_MAX_UPSTREAM_READS, MAX_PAGE_SIZE, HORIZON_DAYS, LOG_LEVEL) are read from the
// environment and handed to the bridge under test.

export interface BenchOptions {
  readonly quick: boolean
  /** Measurements to run (1–8). */
  readonly only: ReadonlySet<number>
  /** Tasks in the simulator for the refresh (1, 2), local $orderby (5), filter rows source (6) and the incremental refresh (8). */
  readonly tasks: number
  /** Upstream latency per call for the refresh and the REST loop (1, 2). */
  readonly latencyMs: number
  /** Simulator history: tasks are spread over this many days; the feed is asked for `days` days. */
  readonly historyDays: number
  readonly days: number
  readonly refreshRuns: number
  /** Pages the hand-written loop reads per run (extrapolated to the whole set), or 'all'. */
  readonly loopPages: number | 'all'
  readonly loopRuns: number
  readonly corpusTasks: number
  readonly warmDurationS: number
  readonly warmConnections: number
  readonly warmRuns: number
  readonly orderbyRuns: number
  /** Upstream latency for the local $orderby measurement (5): its time is CPU time at 0. */
  readonly orderbyLatencyMs: number
  readonly filterRows: number
  readonly filterRuns: number
  /** Whether docs/performance.md is rewritten with the figures. */
  readonly writeDocs: boolean
  /** The bridge's environment (config variables passed through). */
  readonly bridgeEnv: Readonly<Record<string, string>>
}

const BRIDGE_VARIABLES = ['PAGE_SIZE', 'MAX_PAGE_SIZE', 'UPSTREAM_CONCURRENCY', 'CACHE_TTL_S', 'CACHE_MAX_MB', 'MAX_LOCAL_ROWS', 'REQUEST_MAX_UPSTREAM_READS', 'HORIZON_DAYS', 'LOG_LEVEL', 'UPSTREAM_TIMEOUT_MS', 'UPSTREAM_RETRIES']

export const USAGE = `npm run bench [-- options]

  --quick                 smoke check: small sizes, one or two runs (< 60 s); docs not written
  --only=1,3,6            run only these measurements
  --runs=N                runs of every measurement (default 3; filter throughput 7)
  --tasks=N               tasks for the refresh and local $orderby (default 100000)
  --latency-ms=N          upstream latency per call for the refresh (default 100)
  --loop-pages=N|all      pages the hand-written REST loop reads per run (default 100), then extrapolated
  --warm-duration-s=N     autocannon duration per run (default 5)
  --connections=N         autocannon connections (default 10)
  --filter-rows=N         rows for the $filter throughput (default 1000000)
  --write-docs / --no-write-docs   rewrite docs/performance.md (default: yes unless --quick or --only)

Environment: BENCH_RUNS, BENCH_TASKS, BENCH_LATENCY_MS, BENCH_LOOP_PAGES, BENCH_WARM_DURATION_S,
BENCH_CONNECTIONS, BENCH_FILTER_ROWS, BENCH_ONLY, BENCH_QUICK=1; and the bridge's own
${BRIDGE_VARIABLES.join(', ')}, passed to the bridge under test.`

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number, not ${JSON.stringify(text)}`)
  return n
}

export function parseOptions(argv: readonly string[], env: Record<string, string | undefined>): BenchOptions {
  const flags = new Map<string, string>()
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (m === null) throw new UsageError(`unknown argument ${arg}\n\n${USAGE}`)
    flags.set(m[1] as string, m[2] ?? 'true')
  }
  const known = new Set(['quick', 'only', 'runs', 'tasks', 'latency-ms', 'loop-pages', 'warm-duration-s', 'connections', 'filter-rows', 'write-docs', 'no-write-docs'])
  for (const name of flags.keys()) if (!known.has(name)) throw new UsageError(`unknown option --${name}\n\n${USAGE}`)
  const get = (flag: string, variable: string): string | undefined => flags.get(flag) ?? env[variable]
  const quick = flags.has('quick') || env.BENCH_QUICK === '1'
  const onlyText = get('only', 'BENCH_ONLY')
  const only = new Set(onlyText === undefined || onlyText === '' ? [1, 2, 3, 4, 5, 6, 7, 8] : onlyText.split(',').map((s) => positive('--only', s.trim(), 0)))
  for (const n of only) if (n < 1 || n > 8) throw new UsageError(`--only takes measurement numbers 1 to 8, not ${n}`)
  const runsText = get('runs', 'BENCH_RUNS')
  const runs = (fallback: number): number => Math.max(1, positive('--runs', runsText, fallback))
  const loopText = get('loop-pages', 'BENCH_LOOP_PAGES')
  const bridgeEnv: Record<string, string> = {}
  for (const name of BRIDGE_VARIABLES) {
    const v = env[name]
    if (v !== undefined && v !== '') bridgeEnv[name] = v
  }
  const writeDocs = flags.has('no-write-docs') ? false : flags.has('write-docs') ? true : !quick && onlyText === undefined
  return {
    quick,
    only,
    tasks: Math.max(1000, positive('--tasks', get('tasks', 'BENCH_TASKS'), quick ? 6000 : 100_000)),
    latencyMs: positive('--latency-ms', get('latency-ms', 'BENCH_LATENCY_MS'), 100),
    historyDays: 29,
    days: 30,
    refreshRuns: runs(quick ? 1 : 3),
    loopPages: loopText === 'all' ? 'all' : Math.max(1, positive('--loop-pages', loopText, quick ? 20 : 100)),
    loopRuns: runs(quick ? 1 : 3),
    corpusTasks: quick ? 8000 : 20_000,
    warmDurationS: Math.max(1, positive('--warm-duration-s', get('warm-duration-s', 'BENCH_WARM_DURATION_S'), quick ? 3 : 5)),
    warmConnections: Math.max(1, positive('--connections', get('connections', 'BENCH_CONNECTIONS'), 10)),
    warmRuns: runs(quick ? 1 : 3),
    orderbyRuns: runs(quick ? 1 : 3),
    orderbyLatencyMs: 0,
    filterRows: Math.max(1000, positive('--filter-rows', get('filter-rows', 'BENCH_FILTER_ROWS'), 1_000_000)),
    filterRuns: Math.max(3, runs(quick ? 3 : 7)),
    writeDocs,
    bridgeEnv
  }
}
