// ③d What the Tasks queries of measurement 3's corpus cost when BotCity lists
// tasks in another order than newest first (src/upstream/task-order.ts): the
// same data, listed oldest first (read back from the end of the list), by id
// with ids not in creation order (read whole, every request), and by id but
// honouring sort=dateCreation,desc (which the bridge then sends). Each query
// is read to its end on a cold bridge told the order; the probe that finds it
// out costs its calls once per process, shown apart.
import type { BenchOptions } from './options.js'
import type { ResultRow } from './result.js'
import { fixed } from './stats.js'
import { buildCorpus, measureLoad } from './upstream-calls.js'
import type { CorpusFigures } from './upstream-calls.js'
import { startSimulator } from '../src/simulator/index.js'
import type { Simulator, SimulatorOptions } from '../src/simulator/index.js'
import { startServerProcess } from './processes.js'

export interface OrderFigures {
  readonly variant: string
  /** UPSTREAM_TASK_ORDER the bridge was told. */
  readonly told: string
  readonly calls: number
  /** The same queries' calls against the newest-first simulator (measurement 3). */
  readonly newest: number
  /** Calls the probe costs, once per process. */
  readonly probe: number
  readonly queries: number
}

const VARIANTS: ReadonlyArray<{ readonly variant: string; readonly told: string; readonly sim: Partial<SimulatorOptions> }> = [
  { variant: 'oldest first', told: 'oldest-first', sim: { taskOrder: 'oldest-first' } },
  { variant: 'by id (no order by date)', told: 'unordered', sim: { taskOrder: 'by-id' } },
  { variant: 'by id, sort honoured', told: 'sorted', sim: { taskOrder: 'by-id', honorTaskSort: true } }
]

async function calls(sim: Simulator, use: () => Promise<unknown>): Promise<number> {
  sim.resetStats()
  await use()
  return sim.stats().tasks
}

/** Calls a first Tasks request costs more on a bridge that finds the order than on one told it. */
async function probeCost(sim: Simulator, now: number, told: string): Promise<number> {
  const cost = async (setting: string): Promise<number> => {
    const bridge = await startServerProcess({ kind: 'bridge', env: { UPSTREAM_PAGE_SIZE: '20', UPSTREAM_TASK_ORDER: setting }, upstreamUrl: sim.url, login: sim.options.login, key: sim.options.key, now })
    try {
      return await calls(sim, async () => (await fetch(`${bridge.url}/odata/Tasks/$count`)).text())
    } finally {
      await bridge.close()
    }
  }
  return await cost('auto') - await cost(told)
}

export async function measureOrders(options: BenchOptions, now: number, newest: CorpusFigures, log: (line: string) => void): Promise<OrderFigures[]> {
  const out: OrderFigures[] = []
  for (const v of VARIANTS) {
    const sim = await startSimulator({ port: 0, tasks: options.corpusTasks, historyDays: 120, now: () => now, ...v.sim })
    try {
      const told = { ...options, bridgeEnv: { ...options.bridgeEnv, UPSTREAM_TASK_ORDER: v.told } }
      const corpus = buildCorpus(sim, now, options.days).filter((q) => q.path.startsWith('Tasks'))
      let total = 0
      let before = 0
      for (const q of corpus) {
        const { cold } = await measureLoad(told, sim, now, q)
        total += cold
        before += newest.results.find((r) => r.path === q.path)?.cold ?? 0
      }
      const probe = await probeCost(sim, now, v.told)
      log(`  ${v.variant}: ${total} calls for ${corpus.length} Tasks queries (newest first: ${before}); finding the order costs ${probe} calls once`)
      out.push({ variant: v.variant, told: v.told, calls: total, newest: before, probe, queries: corpus.length })
    } finally {
      await sim.close()
    }
  }
  return out
}

export function orderRows(figures: readonly OrderFigures[]): ResultRow[] {
  if (figures.length === 0) return []
  return [{
    id: '3d',
    what: `Upstream calls by Tasks order ÷ newest first (${figures[0]?.queries ?? 0} Tasks queries)`,
    value: figures.map((f) => fixed(f.calls / Math.max(1, f.newest))).join(' / '),
    spread: 'deterministic',
    runs: 1,
    target: '',
    met: null,
    detail: `the Tasks queries of measurement 3 on cold bridges told the order: ${figures.map((f) => `${f.variant} ${f.calls} calls (newest first ${f.newest}; finding the order ${f.probe} calls, once)`).join('; ')}`
  }]
}
