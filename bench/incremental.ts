// ⑧ Incremental refresh (the task ledger, docs/performance.md): a whole
// Tasks load on a living upstream — a clock that moves, 1,000 new tasks an
// hour, tasks that progress — with per-call latency. Cold on a fresh bridge;
// repeated at once (within CACHE_TTL_S); then one simulated hour later (the
// clocks of the simulator and of the bridge process both jump an hour). Each
// load is checked against the simulator's own record: every task once, none
// missing, each as it stood during the load (or at most CACHE_TTL_S before).
import { loadConfig } from '../src/config.js'
import { startSimulator } from '../src/simulator/index.js'
import type { Simulator } from '../src/simulator/index.js'
import type { WireTask } from '../src/upstream/wire.js'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { TaskLedger } from '../src/upstream/task-ledger.js'
import { springPage } from '../src/upstream/wire.js'
import type { SpringPage } from '../src/upstream/wire.js'
import { POWER_QUERY_HEADERS, readFeed } from './http.js'
import type { BenchOptions } from './options.js'
import { startServerProcess } from './processes.js'
import type { ResultRow } from './result.js'
import { fixed, kilo, seconds } from './stats.js'
import { runLoop } from './rest-loop.js'

const HOUR = 3_600_000
/** Long enough for a cold load of 100,000 tasks to end within it. */
const TTL_S = 600
const NEW_PER_HOUR = 1000

interface Load {
  readonly calls: number
  readonly ms: number
  readonly rows: number
  /** Tasks created while it ran. */
  readonly growth: number
  readonly failures: readonly string[]
  readonly notFinal: ReadonlySet<number>
}

export interface IncrementalFigures {
  readonly tasks: number
  readonly pageSize: number
  readonly latencyMs: number
  readonly concurrency: number
  readonly coldPages: number
  readonly cold: Load
  readonly warm: Load
  readonly hour: Load
  readonly arrived: number
  readonly notFinalPages: number
  readonly ledgerBytes: number
  /** One upstream call's time, measured one after another. */
  readonly perCallMs: number
  /** Calls of the one-time probes, made before the cold load. */
  readonly probes: number
  readonly memory: { readonly heapBytes: number; readonly estimate: number; readonly tasks: number }
}

/** The heap a ledger of these tasks takes, as parsed from the wire (each its own object), measured between full collections. */
function ledgerMemory(tasks: readonly WireTask[]): { heapBytes: number; estimate: number; tasks: number } {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const P = 1000
  const texts: string[] = []
  for (let k = 0; k * P < tasks.length; k++) texts.push(JSON.stringify(tasks.slice(k * P, (k + 1) * P)))
  gc()
  const before = process.memoryUsage().heapUsed
  const pages: SpringPage<WireTask>[] = []
  for (let k = 0; k < texts.length; k++) {
    const content = JSON.parse(texts[k] as string) as WireTask[]
    pages.push(springPage(content, k, P, tasks.length))
  }
  const ledger = new TaskLedger({ ttlMs: 60_000, verifyMs: 86_400_000, maxBytes: 1e12, now: Date.now, upstreamNow: Date.now, windowDays: 3652 })
  let stamp = 0
  for (const page of pages) ledger.note(page, { started: ++stamp, ended: ++stamp }, 0)
  pages.length = 0
  gc()
  const heapBytes = process.memoryUsage().heapUsed - before
  const { bytes, tasks: held } = ledger.stats()
  return { heapBytes, estimate: bytes, tasks: held }
}

const FINAL = new Set(['FINISHED', 'CANCELED'])
const FIELDS = ['state', 'finishStatus', 'machineId', 'processedItems', 'failedItems', 'totalItems'] as const
const DATES = ['dateLastModified', 'dateStartRunning'] as const
const instant = (v: unknown): number | null => (typeof v === 'string' ? Date.parse(v) : null)

/** What is wrong with a load's rows, against the simulator's record of the window [lo, hi] it ran in. */
function failuresOf(sim: Simulator, rows: readonly Record<string, unknown>[], lo: number, hi: number, simStart: number): string[] {
  const out: string[] = []
  const ids = rows.map((r) => r.id as number)
  if (new Set(ids).size !== ids.length) out.push(`${ids.length - new Set(ids).size} task(s) twice`)
  const all = sim.tasks(undefined, hi)
  const first = all.findIndex((w) => w.id === ids[0])
  if (first < 0) return [...out, `the first row, task ${String(ids[0])}, is not one the upstream had`]
  const expected = all.slice(first)
  if (expected.length !== ids.length) out.push(`${ids.length} rows where the upstream listed ${expected.length} from the first row to its oldest task`)
  const created = (w: WireTask): number => Date.parse(w.dateCreation)
  if (all.slice(0, first).some((w) => created(w) <= lo)) out.push('a task that existed when the load started is missing at the head')
  const before = new Map(sim.tasks(undefined, Math.max(lo, simStart)).map((w) => [w.id, w]))
  for (let i = 0; i < Math.min(ids.length, expected.length) && out.length < 5; i++) {
    const w = expected[i] as WireTask
    const row = rows[i] as Record<string, unknown>
    if (w.id !== row.id) { out.push(`row ${i} is task ${String(row.id)}, the upstream has ${w.id} there`); continue }
    // As it stood at the end of the load, or at its start less CACHE_TTL_S, or in between (a task that progressed: not final yet then).
    const same = (x: WireTask | undefined): boolean => x !== undefined && FIELDS.every((f) => (row[f] ?? null) === (x[f] ?? null)) && DATES.every((f) => instant(row[f]) === instant(x[f]))
    const between = !FINAL.has(before.get(w.id)?.state ?? 'START') && (instant(row.dateLastModified) ?? 0) <= (instant(w.dateLastModified) ?? 0)
    if (!same(w) && !same(before.get(w.id)) && !between) out.push(`task ${w.id} shows ${JSON.stringify(row)}, the upstream had ${JSON.stringify(w)}`)
  }
  return out
}

async function ledgerBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  return Number(/^botcity_odata_task_ledger_bytes (\d+)/m.exec(text)?.[1] ?? NaN)
}

export async function measureIncremental(options: BenchOptions, log: (line: string) => void): Promise<IncrementalFigures> {
  let offset = 0
  const sim = await startSimulator({ port: 0, tasks: options.tasks, historyDays: 365, latencyMs: options.latencyMs, growthPerS: NEW_PER_HOUR / 3600, now: () => Date.now() + offset })
  const simStart = sim.now()
  const env = { ...options.bridgeEnv, CACHE_TTL_S: String(TTL_S) }
  const config = loadConfig({ ...env, BOTCITY_URL: sim.url, BOTCITY_LOGIN: 'x', BOTCITY_KEY: 'x', ALLOW_ANONYMOUS: 'true' })
  const bridge = await startServerProcess({ kind: 'bridge', env, upstreamUrl: sim.url, login: sim.options.login, key: sim.options.key, movingClock: true })
  try {
    // The one-time probes of the upstream (its page size, its order of tasks): a load of no rows makes them.
    sim.resetStats()
    const probe = await fetch(`${bridge.url}/odata/Tasks?$top=0`)
    if (probe.status !== 200) throw new Error(`${probe.status} from Tasks?$top=0: ${await probe.text()}`)
    const probes = sim.stats().tasks
    const load = async (what: string, headers: Record<string, string> = {}): Promise<Load> => {
      sim.resetStats()
      const listed = sim.tasks().length
      const lo = sim.now() - TTL_S * 1000
      const rows: Record<string, unknown>[] = []
      const t0 = performance.now()
      await readFeed(`${bridge.url}/odata/Tasks?days=3650`, (page) => { rows.push(...page.value) }, { ...POWER_QUERY_HEADERS, ...headers })
      const ms = performance.now() - t0
      const l: Load = {
        calls: sim.stats().tasks,
        ms,
        rows: rows.length,
        growth: sim.tasks().length - listed,
        failures: failuresOf(sim, rows, lo, sim.now(), simStart),
        notFinal: new Set(rows.filter((r) => !FINAL.has(String(r.state))).map((r) => r.id as number))
      }
      log(`  ${what}: ${rows.length} tasks in ${seconds(ms, 2)}, ${l.calls} upstream task calls, ${l.growth} created meanwhile${l.failures.length > 0 ? `; WRONG: ${l.failures.join('; ')}` : ''}`)
      return l
    }
    const P = sim.options.pageSize
    const coldPages = Math.ceil(sim.tasks().length / P)
    const cold = await load('cold load')
    const bytes = await ledgerBytes(bridge.url)
    // Another page size: the same load, not the answers kept for the first.
    const warm = await load('repeat at once', { prefer: 'odata.maxpagesize=999' })
    const before = sim.tasks().length
    offset += HOUR
    await bridge.advance(HOUR)
    const arrived = sim.tasks().length - before
    const pages = new Set<number>()
    sim.tasks().forEach((w, i) => { if (cold.notFinal.has(w.id) || warm.notFinal.has(w.id)) pages.add(Math.floor(i / P)) })
    const hour = await load(`an hour later, ${arrived} new tasks`)
    // What one call costs beyond its latency (HTTP, JSON, the simulator): 40 calls one after another.
    const loop = await runLoop(sim, 3650, 40)
    const perCallMs = loop.pagesMs / loop.pages
    return {
      perCallMs, tasks: options.tasks, pageSize: P, latencyMs: options.latencyMs, concurrency: config.upstreamConcurrency, probes, coldPages, cold, warm, hour, arrived, notFinalPages: pages.size, ledgerBytes: bytes, memory: ledgerMemory(sim.tasks()) }
  } finally {
    await bridge.close()
    await sim.close()
  }
}

export function incrementalRows(f: IncrementalFigures): ResultRow[] {
  const coldBound = f.coldPages + Math.ceil(f.cold.growth / f.pageSize) + 1
  const idealMs = f.coldPages * f.latencyMs / f.concurrency
  const hourBound = 1.1 * (Math.ceil((f.arrived + f.hour.growth) / f.pageSize) + f.notFinalPages + 2)
  const exact = [f.cold, f.warm, f.hour].every((l) => l.failures.length === 0)
  const setup = `${kilo(f.tasks)} tasks over 365 days, ${NEW_PER_HOUR.toLocaleString('en')} new an hour, ${f.latencyMs} ms per call, ${f.pageSize}-row pages, CACHE_TTL_S=${TTL_S}`
  return [
    {
      id: '8', what: 'Incremental: cold load calls ÷ pages', value: fixed(f.cold.calls / f.coldPages), spread: '', runs: 1,
      target: `≤ ${fixed(coldBound / f.coldPages)}`, met: f.cold.calls <= coldBound,
      detail: `${setup}: ${f.cold.calls} calls for ${f.coldPages} pages, ${f.cold.growth} tasks created during the load (target pages + ⌈growth ÷ ${f.pageSize}⌉ + 1 = ${coldBound}); the one-time probes of the upstream made ${f.probes} more before it`
    },
    {
      id: '8b', what: 'Incremental: cold load time ÷ ideal', value: fixed(f.cold.ms / idealMs, 3), spread: '', runs: 1,
      target: '≤ 1.050', met: f.cold.ms <= 1.05 * idealMs,
      detail: `${seconds(f.cold.ms)}; ideal ${seconds(idealMs)} = ${f.coldPages} pages × ${f.latencyMs} ms ÷ ${f.concurrency}; with a call's measured cost (${fixed(f.perCallMs, 1)} ms, 40 calls one after another) the ideal is ${seconds(f.coldPages * f.perCallMs / f.concurrency)} and the load ${fixed(f.cold.ms / (f.coldPages * f.perCallMs / f.concurrency))} × that`,
      ...(f.cold.ms <= 1.05 * idealMs ? {} : { why: `Each upstream call costs ${fixed(f.perCallMs - f.latencyMs, 1)} ms more than its latency (HTTP, JSON, the simulator), which the ideal leaves out; the rest is the paging floor of measurement 1: a bridge page is 50 upstream pages in rounds of UPSTREAM_CONCURRENCY, and the limiter drains a little at each of the ${Math.ceil(f.cold.rows / 1000)} page boundaries.` })
    },
    {
      id: '8c', what: 'Incremental: repeat within CACHE_TTL_S, calls', value: String(f.warm.calls), spread: '', runs: 1,
      target: '0', met: f.warm.calls === 0,
      detail: `${seconds(f.warm.ms, 2)} for ${f.warm.rows} tasks (${fixed(f.warm.ms / f.cold.ms, 3)} × the cold load)`
    },
    {
      id: '8d', what: 'Incremental: an hour later, calls ÷ bound', value: fixed(f.hour.calls / hourBound), spread: '', runs: 1,
      target: '≤ 1.00', met: f.hour.calls <= hourBound,
      detail: `${f.hour.calls} calls: ${f.arrived} new tasks (${Math.ceil(f.arrived / f.pageSize)} pages), ${f.notFinalPages} pages holding tasks not final at the previous load; bound 1.1 × (⌈new ÷ ${f.pageSize}⌉ + those pages + 2) = ${fixed(hourBound, 1)}; the whole list is ${Math.ceil((f.tasks + f.arrived) / f.pageSize)} pages`
    },
    {
      id: '8e', what: 'Incremental: an hour later, time ÷ cold', value: fixed(f.hour.ms / f.cold.ms, 3), spread: '', runs: 1,
      target: '≤ 0.10', met: f.hour.ms <= 0.1 * f.cold.ms,
      detail: `${seconds(f.hour.ms, 2)} against ${seconds(f.cold.ms)} cold`
    },
    {
      id: '8f', what: 'Incremental: every load exact', value: exact ? 'yes' : 'no', spread: '', runs: 3,
      target: 'yes', met: exact,
      detail: exact ? 'cold, repeat and an hour later: every task once, none missing, each as the upstream had it during its load (or at most CACHE_TTL_S before)' : [f.cold, f.warm, f.hour].flatMap((l) => l.failures).slice(0, 3).join('; ')
    },
    {
      id: '8g', what: 'Incremental: ledger heap per 100,000 tasks', value: `${fixed(f.memory.heapBytes / f.memory.tasks * 100_000 / 1024 / 1024, 1)} MB`, spread: '', runs: 1,
      target: '', met: null,
      detail: `a ledger of the simulator's ${f.memory.tasks} tasks, each parsed from JSON as from the wire, in the benchmark process: heap after less before, between full collections; its own estimate (what LEDGER_MAX_MB bounds) ${fixed(f.memory.estimate / f.memory.tasks * 100_000 / 1024 / 1024, 1)} MB per 100,000; in the bridge after the cold load, ${fixed(f.ledgerBytes / 1024 / 1024, 1)} MB estimated`
    }
  ]
}
