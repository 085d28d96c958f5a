// ① Full refresh through nextLink paging, Power Query style, against a
// simulator with per-call latency and 20-row pages: time ÷ the ideal
// (upstream pages × latency ÷ concurrency limit). Each run starts a fresh
// bridge process, so the page cache and the token cache are cold.
import { loadConfig } from '../src/config.js'
import type { Simulator } from '../src/simulator/index.js'
import { lastEncoding, readFeed } from './http.js'
import type { BenchOptions } from './options.js'
import { startServerProcess } from './processes.js'
import type { ResultRow } from './result.js'
import { fixed, kilo, seconds, spread, summarize } from './stats.js'
import type { Summary } from './stats.js'

export interface RefreshFigures {
  readonly times: Summary
  readonly ratio: Summary
  readonly idealMs: number
  readonly upstreamPages: number
  readonly concurrency: number
  readonly latencyMs: number
  readonly calls: number[]
  readonly bridgePages: number
  /** Content-Encoding the bridge answered with. */
  readonly encoding: string
}

export async function measureRefresh(options: BenchOptions, sim: Simulator, log: (line: string) => void): Promise<RefreshFigures> {
  const config = loadConfig({ ...options.bridgeEnv, BOTCITY_URL: sim.url, BOTCITY_LOGIN: 'x', BOTCITY_KEY: 'x', ALLOW_ANONYMOUS: 'true' })
  const expected = sim.tasks().length
  const upstreamPages = Math.ceil(expected / sim.options.pageSize)
  const idealMs = upstreamPages * sim.options.latencyMs / config.upstreamConcurrency
  const times: number[] = []
  const calls: number[] = []
  let bridgePages = 0
  for (let run = 1; run <= options.refreshRuns; run++) {
    const bridge = await startServerProcess({ kind: 'bridge', env: options.bridgeEnv, upstreamUrl: sim.url, login: sim.options.login, key: sim.options.key })
    try {
      sim.resetStats()
      const t0 = performance.now()
      const { rows, pages } = await readFeed(`${bridge.url}/odata/Tasks?days=${options.days}`)
      const ms = performance.now() - t0
      if (rows !== expected) throw new Error(`the refresh returned ${rows} tasks, not the ${expected} the simulator holds: check the horizon`)
      const stats = sim.stats()
      times.push(ms)
      calls.push(stats.tasks)
      bridgePages = pages
      log(`  refresh run ${run}/${options.refreshRuns}: ${seconds(ms, 2)} for ${rows} rows in ${pages} pages, ${stats.tasks} upstream task calls + ${stats.login} login (÷ ideal ${fixed(ms / idealMs, 3)})`)
    } finally {
      await bridge.close()
    }
  }
  return { times: summarize(times), ratio: summarize(times.map((t) => t / idealMs)), idealMs, upstreamPages, concurrency: config.upstreamConcurrency, latencyMs: sim.options.latencyMs, calls, bridgePages, encoding: lastEncoding }
}

/** Upstream pages behind one bridge page, the rounds of `concurrency` calls they take, and the time ÷ ideal that alone implies. */
export function roundsFloor(f: RefreshFigures): { perPage: number; rounds: number; floor: number } {
  const perPage = Math.max(1, Math.round(f.upstreamPages / Math.max(1, f.bridgePages)))
  const rounds = Math.ceil(perPage / f.concurrency)
  return { perPage, rounds, floor: rounds * f.concurrency / perPage }
}

export function refreshRows(options: BenchOptions, sim: Simulator, f: RefreshFigures): ResultRow[] {
  const met = f.ratio.median <= 1.10
  const extraCalls = Math.max(...f.calls) - f.upstreamPages
  const r = roundsFloor(f)
  return [{
    id: '1',
    what: `Full refresh, ${kilo(sim.tasks().length)} tasks: time ÷ ideal`,
    value: fixed(f.ratio.median),
    spread: spread(f.ratio, (v) => fixed(v)),
    runs: f.ratio.runs,
    target: '≤ 1.10',
    met,
    detail: `nextLink paging, Accept-Encoding: gzip, deflate (answered ${f.encoding}), ${sim.options.latencyMs} ms per upstream call, ${sim.options.pageSize}-row upstream pages: ${seconds(f.times.median)} (${spread(f.times, (v) => seconds(v))}); ideal ${seconds(f.idealMs)} = ${f.upstreamPages} pages × ${sim.options.latencyMs} ms ÷ ${f.concurrency}; ${f.bridgePages} bridge pages; upstream task calls ${[...new Set(f.calls)].join('/')}`,
    ...(met ? {} : {
      why: `A bridge page is ${r.perPage} upstream pages, and the read-ahead of the next page (execute/tasks.ts readAhead) starts only once all of the current page's reads have landed: ${r.perPage} calls over ${f.concurrency} slots take ${r.rounds} rounds, the last one ${r.perPage - (r.rounds - 1) * f.concurrency}/${f.concurrency} full, so the limiter drains at every page boundary and paging alone costs ${fixed(r.floor)}× the ideal. The rest is each upstream call costing more than the bare latency (HTTP, JSON, the simulator; see the loop's time per page in 2), which the ideal leaves out, and the first page, read after the login without read-ahead${extraCalls > 0 ? `; ${extraCalls} calls beyond the ${f.upstreamPages} pages were made` : ''}.`
    })
  }]
}
