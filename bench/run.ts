// `npm run bench`: the performance figures of issue 5, measured in one run
// against the embedded simulator and printed as one table of ratios (see
// docs/performance.md for the method and the latest results).
//   npm run bench                 full suite, rewrites docs/performance.md
//   npm run bench -- --quick      smoke check in under a minute
//   npm run bench -- --help       run counts and sizes
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../src/config.js'
import { startSimulator } from '../src/simulator/index.js'
import type { Simulator } from '../src/simulator/index.js'
import { filterRows, measureFilter } from './filter-throughput.js'
import { describeMachine, loadAverage, machineLines } from './machine.js'
import { measureOrderby, orderbyRows } from './local-orderby.js'
import { parseOptions, USAGE, UsageError } from './options.js'
import type { BenchOptions } from './options.js'
import { measureRefresh, refreshRows } from './refresh.js'
import type { RefreshFigures } from './refresh.js'
import { corpusLines, textTable, resultsMarkdown, writeDoc } from './report.js'
import { loopRows, measureLoop } from './rest-loop.js'
import type { ResultRow } from './result.js'
import { callsRows, measureCalls } from './upstream-calls.js'
import { measureOrders, orderRows } from './task-orders.js'
import type { CorpusFigures } from './upstream-calls.js'
import { measureWarm, warmRows } from './warm-cache.js'
import { measureStreaming, streamingRows } from './streaming.js'
import { incrementalRows, measureIncremental } from './incremental.js'

const DOC = fileURLToPath(new URL('../../docs/performance.md', import.meta.url))
const TEMPLATE = '# Performance\n\nFigures of `npm run bench` (issue 5).\n\n{{RESULTS}}\n'

const progress = (line: string): void => { process.stderr.write(`${line}\n`) }

function failed(id: string, what: string, error: unknown): ResultRow {
  const message = error instanceof Error ? error.message : String(error)
  progress(`  measurement ${id} failed: ${error instanceof Error ? error.stack ?? message : message}`)
  return { id, what, value: 'error', spread: '', runs: 0, target: '', met: null, detail: `failed: ${message.split('\n')[0] ?? ''}` }
}

async function withSimulator<T>(options: Parameters<typeof startSimulator>[0], use: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ port: 0, ...options })
  try {
    return await use(sim)
  } finally {
    await sim.close()
  }
}

async function main(options: BenchOptions): Promise<number> {
  const started = performance.now()
  const machine = describeMachine()
  const config = loadConfig({ ...options.bridgeEnv, BOTCITY_URL: 'http://127.0.0.1:1', BOTCITY_LOGIN: 'x', BOTCITY_KEY: 'x', ALLOW_ANONYMOUS: 'true' })
  const configText = `PAGE_SIZE=${config.pageSize}, UPSTREAM_CONCURRENCY=${config.upstreamConcurrency}, CACHE_TTL_S=${config.cacheTtlS}, CACHE_MAX_MB=${config.cacheMaxBytes / 1024 / 1024}, MAX_LOCAL_ROWS=${config.maxLocalRows}, LOG_LEVEL=${options.bridgeEnv.LOG_LEVEL ?? 'warn'} (other variables at their defaults)`
  progress(`npm run bench${options.quick ? ' --quick' : ''}: ${machineLines(machine).slice(0, 4).join('; ')}`)
  progress(`bridge: ${configText}`)
  const rows: ResultRow[] = []
  let errors = 0
  const attempt = async (id: string, what: string, fn: () => Promise<ResultRow[]>): Promise<void> => {
    try {
      rows.push(...await fn())
    } catch (error) {
      errors++
      rows.push(failed(id, what, error))
    }
  }

  let refresh: RefreshFigures | null = null
  let corpus: CorpusFigures | null = null
  if (options.only.has(1) || options.only.has(2)) {
    progress(`[1,2] simulator: ${options.tasks} tasks over ${options.historyDays} days, ${options.latencyMs} ms per call`)
    await withSimulator({ tasks: options.tasks, historyDays: options.historyDays, latencyMs: options.latencyMs }, async (sim) => {
      if (options.only.has(1)) {
        await attempt('1', 'Full refresh: time ÷ ideal', async () => {
          refresh = await measureRefresh(options, sim, progress)
          return refreshRows(options, sim, refresh)
        })
      }
      if (options.only.has(2)) {
        await attempt('2', 'Speedup vs sequential REST loop', async () => loopRows(refresh, await measureLoop(options, sim, progress)))
      }
    })
  }
  if (options.only.has(3)) {
    const now = Math.floor(Date.now() / 1000) * 1000
    progress(`[3] simulator: ${options.corpusTasks} tasks over 120 days, frozen clock`)
    await withSimulator({ tasks: options.corpusTasks, historyDays: 120, now: () => now }, async (sim) => {
      await attempt('3', 'Upstream calls ÷ minimum', async () => {
        corpus = await measureCalls(options, sim, now, progress)
        return callsRows(corpus)
      })
      const newest = corpus as CorpusFigures | null
      if (newest !== null) await attempt('3d', 'Upstream calls by Tasks order', async () => orderRows(await measureOrders(options, now, newest, progress)))
    })
  }
  if (options.only.has(4) || options.only.has(5) || options.only.has(6) || options.only.has(7)) {
    progress(`[4,5,6,7] simulator: ${options.tasks} tasks over ${options.historyDays} days, ${options.orderbyLatencyMs} ms per call`)
    await withSimulator({ tasks: options.tasks, historyDays: options.historyDays, latencyMs: options.orderbyLatencyMs }, async (sim) => {
      if (options.only.has(4)) await attempt('4', 'Warm page: bridge ÷ plain req/s', async () => warmRows(await measureWarm(options, sim, progress)))
      if (options.only.has(5)) await attempt('5', 'Local $orderby: peak RSS', async () => orderbyRows(await measureOrderby(options, sim, progress)))
      if (options.only.has(6)) await attempt('6', '$filter throughput', async () => filterRows(measureFilter(options, sim.tasks(), progress)))
      if (options.only.has(7)) await attempt('7', 'Streamed page: first byte ÷ whole', async () => streamingRows(await measureStreaming(options, sim, progress)))
    })
  }

  if (options.only.has(8)) {
    progress(`[8] simulator: ${options.tasks} tasks over 365 days, 1,000 new an hour, ${options.latencyMs} ms per call, a clock that moves (and jumps an hour)`)
    await attempt('8', 'Incremental refresh', async () => incrementalRows(await measureIncremental(options, progress)))
  }

  const wallS = (performance.now() - started) / 1000
  const endLoad = loadAverage()
  rows.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }))
  console.log('')
  console.log(machineLines(machine, endLoad).join('\n'))
  console.log(`Bridge: ${configText}`)
  console.log(`Suite wall time: ${wallS.toFixed(0)} s${options.quick ? ' (--quick: smoke sizes, not the figures of record)' : ''}`)
  console.log('')
  console.log(textTable(rows))
  const corpusTable = corpusLines(corpus)
  if (corpusTable.length > 0) console.log(['', ...corpusTable].join('\n'))
  if (options.writeDocs) {
    const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`
    writeDoc(DOC, resultsMarkdown({ rows, machine, endLoad, command, date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), wallS, config: configText, corpus }), TEMPLATE)
    console.log(`\nWrote ${DOC}`)
  }
  return errors === 0 ? 0 : 1
}

try {
  if (process.argv.includes('--help')) console.log(USAGE)
  else process.exitCode = await main(parseOptions(process.argv.slice(2), process.env))
} catch (error) {
  if (error instanceof UsageError) {
    console.error(error.message)
    process.exitCode = 2
  } else {
    throw error
  }
}
