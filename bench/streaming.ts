// ⑦ Streaming of large pages: a 5,000-row Tasks page (full metadata, page cache
// warm, a new $skip each time so the finished-answer cache never answers) is
// streamed as it is written (src/http/send-chunks.ts). Figures, measured on the
// same responses: time to the first byte ÷ time to the whole answer, and how
// long a /healthz sent 2 ms after the page waits while the page is written
// (event-loop fairness). No target: issue 5 asks for streaming, not a figure.
import { get } from 'node:http'
import type { Simulator } from '../src/simulator/index.js'
import type { BenchOptions } from './options.js'
import { startServerProcess } from './processes.js'
import type { ResultRow } from './result.js'
import { fixed, sleep, spread, summarize } from './stats.js'
import type { Summary } from './stats.js'

export interface StreamingFigures {
  readonly ratio: Summary
  readonly firstByteMs: Summary
  readonly wholeMs: Summary
  readonly healthDuringMs: Summary
  readonly healthAloneMs: Summary
  readonly bytes: number
  readonly rows: number
}

const ROWS = 5000
const SAMPLES = 15

function timedGet(url: string): Promise<{ status: number; firstByteMs: number; wholeMs: number; bytes: number; chunked: boolean }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    let first = Number.NaN
    let bytes = 0
    get(url, (res) => {
      res.on('data', (c: Buffer) => {
        if (Number.isNaN(first)) first = performance.now() - t0
        bytes += c.length
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, firstByteMs: first, wholeMs: performance.now() - t0, bytes, chunked: res.headers['transfer-encoding'] === 'chunked' }))
      res.on('error', reject)
    }).on('error', reject)
  })
}

export async function measureStreaming(options: BenchOptions, sim: Simulator, log: (line: string) => void): Promise<StreamingFigures> {
  const env = { ...options.bridgeEnv, PAGE_SIZE: String(ROWS), MAX_PAGE_SIZE: String(Math.max(ROWS, Number(options.bridgeEnv.MAX_PAGE_SIZE ?? ROWS))), CACHE_TTL_S: '3600' }
  const bridge = await startServerProcess({ kind: 'bridge', env, upstreamUrl: sim.url, login: sim.options.login, key: sim.options.key })
  try {
    const page = (skip: number): string => `${bridge.url}/odata/Tasks?days=${options.days}&$skip=${skip}&$top=${ROWS}&$format=${encodeURIComponent('application/json;odata.metadata=full')}`
    const runs = Math.max(1, options.warmRuns)
    // Warm the page cache over every page the samples read, and the JIT.
    const warm = await timedGet(page(runs * SAMPLES + 1))
    if (warm.status !== 200) throw new Error(`the bridge answered ${warm.status}`)
    if (!warm.chunked) throw new Error('the 5,000-row page was not streamed (no chunked transfer)')
    const ratios: number[] = []
    const firsts: number[] = []
    const wholes: number[] = []
    const during: number[] = []
    const alone: number[] = []
    let bytes = 0
    for (let run = 0; run < runs; run++) {
      const r: number[] = []
      for (let i = 0; i < SAMPLES; i++) {
        alone.push((await timedGet(`${bridge.url}/healthz`)).wholeMs)
        const big = timedGet(page(run * SAMPLES + i + 1))
        await sleep(2)
        const health = await timedGet(`${bridge.url}/healthz`)
        const answer = await big
        if (answer.status !== 200) throw new Error(`the bridge answered ${answer.status}`)
        r.push(answer.firstByteMs / answer.wholeMs)
        firsts.push(answer.firstByteMs)
        wholes.push(answer.wholeMs)
        during.push(health.wholeMs)
        bytes = answer.bytes
      }
      ratios.push(summarize(r).median)
      log(`  run ${run + 1}: first byte ÷ whole answer ${fixed(summarize(r).median)}`)
    }
    return { ratio: summarize(ratios), firstByteMs: summarize(firsts), wholeMs: summarize(wholes), healthDuringMs: summarize(during), healthAloneMs: summarize(alone), bytes, rows: ROWS }
  } finally {
    await bridge.close()
  }
}

export function streamingRows(f: StreamingFigures): ResultRow[] {
  const ms = (v: number): string => `${v.toFixed(1)} ms`
  return [{
    id: '7',
    what: `Streamed ${f.rows}-row page: first byte ÷ whole`,
    value: fixed(f.ratio.median),
    spread: spread(f.ratio, fixed),
    runs: f.ratio.runs,
    target: '',
    met: null,
    detail: `Tasks, full metadata, page cache warm, a new $skip per request (no finished-answer cache): first byte after ${ms(f.firstByteMs.median)}, whole ${(f.bytes / 1024 / 1024).toFixed(1)} MiB answer after ${ms(f.wholeMs.median)} (medians of ${f.firstByteMs.runs}); a /healthz sent 2 ms after the page answered in ${ms(f.healthDuringMs.median)} (max ${ms(f.healthDuringMs.max)}), alone in ${ms(f.healthAloneMs.median)}`
  }]
}
