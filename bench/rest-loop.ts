// ② The hand-written alternative: what BotCity's own Power BI example does —
// log in, then GET /api/v1/insights/tasks?page=N&days=D one page after
// another until the last. At 100 ms a call the whole set takes minutes, so
// by default each run reads the first `loopPages` pages and the time per page
// is extrapolated to all pages (the loop is strictly sequential, so its time
// is linear in pages); --loop-pages=all reads everything.
import type { Simulator } from '../src/simulator/index.js'
import type { SpringPage, WireTask } from '../src/upstream/wire.js'
import { UPSTREAM_PATHS } from '../src/upstream/wire.js'
import type { BenchOptions } from './options.js'
import { roundsFloor } from './refresh.js'
import type { RefreshFigures } from './refresh.js'
import type { ResultRow } from './result.js'
import { fixed, seconds, summarize } from './stats.js'
import type { Summary } from './stats.js'

export interface LoopFigures {
  /** Time for the whole set (measured, or login + pages × time per page). */
  readonly times: Summary
  readonly perPageMs: Summary
  readonly pagesRead: number
  readonly totalPages: number
  readonly extrapolated: boolean
}

export async function runLoop(sim: Simulator, days: number, maxPages: number): Promise<{ loginMs: number; pagesMs: number; pages: number; rows: number; last: boolean }> {
  const t0 = performance.now()
  const login = await fetch(`${sim.url}${UPSTREAM_PATHS.login}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: sim.options.login, key: sim.options.key })
  })
  if (login.status !== 200) throw new Error(`login answered ${login.status}`)
  const { accessToken, organizationLabel } = await login.json() as { accessToken: string; organizationLabel?: string }
  const headers = { token: accessToken, organization: organizationLabel ?? sim.options.login, accept: 'application/json' }
  const t1 = performance.now()
  let rows = 0
  let pages = 0
  let last = false
  while (!last && pages < maxPages) {
    const res = await fetch(`${sim.url}${UPSTREAM_PATHS.tasks}?page=${pages}&days=${days}`, { headers })
    if (res.status !== 200) throw new Error(`tasks page ${pages} answered ${res.status}`)
    const page = await res.json() as SpringPage<WireTask>
    rows += page.content.length
    pages++
    last = page.last || page.content.length === 0
  }
  return { loginMs: t1 - t0, pagesMs: performance.now() - t1, pages, rows, last }
}

export async function measureLoop(options: BenchOptions, sim: Simulator, log: (line: string) => void): Promise<LoopFigures> {
  const expected = sim.tasks().length
  const totalPages = Math.ceil(expected / sim.options.pageSize)
  const limit = options.loopPages === 'all' ? Infinity : Math.min(options.loopPages, totalPages)
  const times: number[] = []
  const perPage: number[] = []
  let pagesRead = 0
  let extrapolated = false
  for (let run = 1; run <= options.loopRuns; run++) {
    const r = await runLoop(sim, options.days, limit)
    const per = r.pagesMs / r.pages
    const whole = r.last ? r.loginMs + r.pagesMs : r.loginMs + per * totalPages
    if (r.last && r.rows !== expected) throw new Error(`the REST loop read ${r.rows} tasks, not ${expected}`)
    extrapolated ||= !r.last
    times.push(whole)
    perPage.push(per)
    pagesRead = r.pages
    log(`  REST loop run ${run}/${options.loopRuns}: ${r.pages} pages in ${seconds(r.pagesMs, 2)} (${fixed(per, 1)} ms/page) → ${r.last ? '' : 'extrapolated '}${seconds(whole)} for ${totalPages} pages`)
  }
  return { times: summarize(times), perPageMs: summarize(perPage), pagesRead, totalPages, extrapolated }
}

export function loopRows(refresh: RefreshFigures | null, loop: LoopFigures): ResultRow[] {
  if (refresh === null) {
    return [{ id: '2', what: 'Speedup vs sequential REST loop', value: 'n/a', spread: '', runs: 0, target: '≥ 6×', met: null, detail: `needs measurement 1; loop ${seconds(loop.times.median)}` }]
  }
  const speedup = loop.times.median / refresh.times.median
  const low = loop.times.min / refresh.times.max
  const high = loop.times.max / refresh.times.min
  const met = speedup >= 6
  return [{
    id: '2',
    what: 'Speedup vs sequential REST loop',
    value: `${fixed(speedup, 1)}×`,
    spread: refresh.times.runs <= 1 && loop.times.runs <= 1 ? '(1 run)' : `${fixed(low, 1)}–${fixed(high, 1)}×`,
    runs: Math.min(loop.times.runs, refresh.times.runs),
    target: '≥ 6×',
    met,
    detail: `loop ${seconds(loop.times.median)} (${loop.extrapolated ? `${loop.pagesRead} of ${loop.totalPages} pages read per run at ${fixed(loop.perPageMs.median, 1)} ms/page, extrapolated` : 'all pages read'}) vs bridge ${seconds(refresh.times.median)}; with the loop's measured cost per call instead of the bare latency, the ideal is ${seconds(refresh.upstreamPages * loop.perPageMs.median / refresh.concurrency)} and the bridge's time ÷ that ideal ${fixed(refresh.times.median / (refresh.upstreamPages * loop.perPageMs.median / refresh.concurrency))}`,
    ...(met ? {} : { why: loopWhy(refresh, loop) })
  }]
}

function loopWhy(refresh: RefreshFigures, loop: LoopFigures): string {
  // The loop pays latency + its own overhead per page; the bridge at best latency × pages ÷ concurrency.
  const perCall = loop.perPageMs.median / refresh.latencyMs
  const bound = refresh.concurrency * perCall / refresh.ratio.median
  return `With UPSTREAM_CONCURRENCY=${refresh.concurrency} the speedup is at most ${refresh.concurrency} × (the loop's ${fixed(loop.perPageMs.median, 1)} ms per page ÷ ${refresh.latencyMs} ms latency) ÷ (bridge time ÷ ideal) = ${fixed(bound, 2)}× here; ≥ 6× needs time ÷ ideal ≤ ${fixed(refresh.concurrency * perCall / 6, 2)}, below the ${fixed(roundsFloor(refresh).floor)} that paging in rounds alone costs (measurement 1), or a higher UPSTREAM_CONCURRENCY.`
}
