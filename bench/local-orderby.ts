// ⑤ Local $orderby over the whole window (here every task of the simulator):
// the bridge reads all upstream pages, keeps the rows and sorts them. Each run
// is a fresh bridge process (cold caches) whose peak resident set size
// (getrusage maxRSS, read by the process itself) is taken after the answer;
// the time is the request's, at the simulator's latency for this measurement
// (0 by default, so it is the bridge's CPU time with the simulator's).
import type { Simulator } from '../src/simulator/index.js'
import { getFeedPage } from './http.js'
import type { BenchOptions } from './options.js'
import { startServerProcess } from './processes.js'
import type { ResultRow } from './result.js'
import { kilo, mb, seconds, spread, summarize } from './stats.js'
import type { Summary } from './stats.js'

export interface OrderbyFigures {
  readonly peakRss: Summary
  readonly baselineRss: Summary
  readonly times: Summary
  readonly tasks: number
  readonly calls: number
  readonly query: string
  readonly latencyMs: number
}

export async function measureOrderby(options: BenchOptions, sim: Simulator, log: (line: string) => void): Promise<OrderbyFigures> {
  const all = sim.tasks()
  const top = 100
  const query = `Tasks?days=${options.days}&$orderby=${encodeURIComponent('totalItems desc')}&$top=${top}`
  const expected = all.map((t) => t.totalItems ?? -1).sort((a, b) => b - a).slice(0, top)
  // The whole window read in one request: both bounds raised to it (MAX_LOCAL_ROWS rows, REQUEST_MAX_UPSTREAM_READS pages).
  const env = {
    ...options.bridgeEnv,
    MAX_LOCAL_ROWS: String(Math.max(all.length, Number(options.bridgeEnv.MAX_LOCAL_ROWS ?? 0))),
    REQUEST_MAX_UPSTREAM_READS: String(Math.max(Math.ceil(all.length / 20) + 10, Number(options.bridgeEnv.REQUEST_MAX_UPSTREAM_READS ?? 0)))
  }
  const peaks: number[] = []
  const baselines: number[] = []
  const times: number[] = []
  let calls = 0
  for (let run = 1; run <= options.orderbyRuns; run++) {
    const bridge = await startServerProcess({ kind: 'bridge', env, upstreamUrl: sim.url, login: sim.options.login, key: sim.options.key })
    try {
      const before = await bridge.usage()
      sim.resetStats()
      const t0 = performance.now()
      const page = await getFeedPage(`${bridge.url}/odata/${query}`)
      const ms = performance.now() - t0
      const after = await bridge.usage()
      calls = sim.stats().tasks
      const got = page.value.map((r) => (r.totalItems as number | null) ?? -1)
      if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error('the local $orderby returned other rows than the oracle')
      peaks.push(after.maxRss)
      baselines.push(before.maxRss)
      times.push(ms)
      log(`  local $orderby run ${run}/${options.orderbyRuns}: ${seconds(ms, 2)}, peak RSS ${mb(after.maxRss)} (at start ${mb(before.maxRss)}, after ${mb(after.rss)}), ${calls} upstream calls`)
    } finally {
      await bridge.close()
    }
  }
  return { peakRss: summarize(peaks), baselineRss: summarize(baselines), times: summarize(times), tasks: all.length, calls, query, latencyMs: sim.options.latencyMs }
}

export function orderbyRows(f: OrderbyFigures): ResultRow[] {
  const limit = 256 * 1024 * 1024
  const met = f.peakRss.median <= limit && f.peakRss.max <= limit
  return [{
    id: '5',
    what: `Local $orderby, ${kilo(f.tasks)} tasks: peak RSS`,
    value: mb(f.peakRss.median),
    spread: spread(f.peakRss, mb),
    runs: f.peakRss.runs,
    target: '≤ 256 MB',
    met,
    detail: `${decodeURIComponent(f.query)}, bridge in its own process, MAX_LOCAL_ROWS ≥ ${f.tasks}: ${mb(f.baselineRss.median)} at start; ${f.calls} upstream calls`,
    ...(met ? {} : { why: 'The local window keeps every row of the set (execute/tasks.ts localWindow pushes each kept row into an array and sorts it at the end) rather than a bounded top-N heap for $top, and the page cache (upstream/page-cache.ts) keeps the parsed upstream pages, bounded by CACHE_MAX_MB as estimated from their JSON length, not by the heap they occupy; and the task ledger (upstream/task-ledger.ts) keeps every task read, so that the next load reads only what changed: about 45 MB of heap for these 100,000 (8g), within LEDGER_MAX_MB (64 MB; 0 gives that memory back, at the cost of reading every page at every load).' })
  }, {
    id: '5b',
    what: `Local $orderby, ${kilo(f.tasks)} tasks: time`,
    value: seconds(f.times.median, 2),
    spread: spread(f.times, (v) => seconds(v, 2)),
    runs: f.times.runs,
    target: '',
    met: null,
    detail: `upstream latency ${f.latencyMs} ms; ${f.calls} upstream calls, ${Math.round(f.tasks / (f.times.median / 1000)).toLocaleString('en-US')} rows/s end to end`
  }]
}
