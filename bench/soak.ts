// `npm run soak`: the bridge under sustained load on loopback, bounded in time
// (issue 6, "Load"). The Insights simulator and the bridge run as child
// processes (the bridge through its real entry point, dist/src/server.js), so
// the bridge's resident memory is its own; autocannon drives 100 connections
// for a 20 s warm-up then 60 s by default, half of the requests repeating a
// few URLs (served from the page cache) and half varying `days` and `$skip`
// (upstream calls). RSS is sampled every second; the check is its growth over
// the second half of the load, when V8 has sized its heap and the page cache
// is full, so that only steady growth (a leak) counts. Then a slow
// request is left in flight while the bridge gets SIGTERM: it must finish.
// Between the two, a heavy mix (issue 16): clients looping over queries the
// bridge sorts, filters, groups or joins over the whole history, half of them
// leaving mid-answer, while /healthz is timed; its p99 is compared with its
// p99 at idle, measured just before in the same run.
// Exits non-zero on any non-2xx answer, connection error or timeout of the
// load, on a 5xx of the mix other than 503 with Retry-After, on RSS growth
// beyond the bound or RSS above --rss-max-mb, on /healthz slower than 3× idle,
// or on an unclean shutdown. Figures: docs/reliability.md.
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import autocannon from 'autocannon'

export const SOAK_USAGE = `npm run soak [-- options]

  --duration-s=N      seconds of load (default 60; env SOAK_DURATION_S)
  --connections=N     concurrent connections (default 100; env SOAK_CONNECTIONS)
  --warmup-s=N        seconds of the same load first, while V8 sizes its heap and the page cache fills (default 20)
  --tasks=N           tasks in the simulator (default 20000)
  --rss-bound-mb=N    largest RSS growth allowed over the second half of the load (default 48)
  --heavy-s=N         seconds of the heavy mix (default 30)
  --heavy-clients=N   clients of the heavy mix, half of them leaving mid-answer (default 12)
  --rss-max-mb=N      largest RSS allowed during the heavy mix (default 512)
  --bridge-node-args="…"  Node options for the bridge process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" or "--trace-gc"
`

interface SoakOptions {
  readonly durationS: number
  readonly warmupS: number
  readonly connections: number
  readonly tasks: number
  readonly rssBoundMb: number
  readonly heavyS: number
  readonly heavyClients: number
  readonly rssMaxMb: number
  readonly bridgeNodeArgs: readonly string[]
}

function readOptions(argv: readonly string[], env: NodeJS.ProcessEnv): SoakOptions {
  const flag = (name: string): string | undefined => {
    const arg = argv.find((a) => a.startsWith(`--${name}=`))
    return arg === undefined ? undefined : arg.slice(name.length + 3)
  }
  const int = (name: string, envName: string | null, fallback: number): number => {
    const raw = flag(name) ?? (envName === null ? undefined : env[envName])
    if (raw === undefined || raw === '') return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${raw}`)
    return n
  }
  return {
    durationS: int('duration-s', 'SOAK_DURATION_S', 60),
    warmupS: int('warmup-s', null, 20),
    connections: int('connections', 'SOAK_CONNECTIONS', 100),
    tasks: int('tasks', null, 20_000),
    rssBoundMb: int('rss-bound-mb', null, 48),
    heavyS: int('heavy-s', null, 30),
    heavyClients: int('heavy-clients', null, 12),
    rssMaxMb: int('rss-max-mb', null, 512),
    bridgeNodeArgs: (flag('bridge-node-args') ?? '').split(/\s+/).filter((a) => a !== '')
  }
}

/** The bridge's settings under soak: the page cache bounded low enough to fill and evict during the run; the rate limit out of the way of one client at full speed. */
const BRIDGE_ENV = { LOG_LEVEL: 'warn', CACHE_MAX_MB: '32', CACHE_TTL_S: '60', RATE_LIMIT_PER_MIN: '1000000', BRIDGE_SECRET: 'soak-secret-0123456789abcdef-0123456789' }

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** Resident set size of a process, in bytes (Linux /proc, else ps). */
function rssOf(pid: number): number {
  const status = `/proc/${pid}/status`
  if (existsSync(status)) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'))
    if (m !== null) return Number(m[1]) * 1024
  }
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) * 1024
}

/** Log lines a child wrote to stdout, by level, and the last few: read as they come, for a pipe nobody reads blocks its writer once full. */
interface ChildLog { readonly levels: Record<string, number>, readonly last: string[] }

function startChild(args: string[], env: Record<string, string>, name: string): { child: ChildProcess, log: ChildLog } {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d.toString()}`))
  const log: ChildLog = { levels: {}, last: [] }
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const level = /"level":(\d+)/.exec(line)?.[1] ?? 'other'
    log.levels[level] = (log.levels[level] ?? 0) + 1
    log.last.push(line.slice(0, 300))
    if (log.last.length > 5) log.last.shift()
  })
  return { child, log }
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if ((await fetch(url)).ok) return
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** V8 heap in use, from the bridge's /metrics (prom-client default metrics), or null where it has none. */
async function heapUsedOf(origin: string): Promise<number | null> {
  try {
    const text = await (await fetch(`${origin}/metrics`)).text()
    const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)$/m.exec(text)
    return m === null ? null : Number(m[1])
  } catch {
    return null
  }
}

const randomInt = (n: number): number => Math.floor(Math.random() * n)

/** Half the requests repeat a few URLs (page cache hits), half vary the upstream window or page (misses). */
export function soakPath(): string {
  const CACHED = [
    '/odata/Tasks?$top=100',
    "/odata/Tasks?$filter=state%20eq%20'FINISHED'&$top=50",
    '/odata/Tasks?$orderby=dateCreation%20desc&$top=20&$select=id,state,dateCreation',
    '/odata/Automations',
    '/odata/Runners',
    '/odata/$metadata',
    '/odata/'
  ]
  if (Math.random() < 0.5) return CACHED[randomInt(CACHED.length)] as string
  const days = 1 + randomInt(180)
  switch (randomInt(3)) {
    case 0: return `/odata/Tasks?days=${days}&$top=20&$skip=${randomInt(50) * 20}`
    case 1: return `/odata/Automations?days=${days}`
    default: return `/odata/Runners?days=${days}`
  }
}

/** Queries the bridge answers by holding a whole window in memory, or by reading far: the heavy mix. */
export const HEAVY_QUERIES: readonly string[] = [
  '/odata/Tasks?days=3650&$orderby=totalItems%20desc,id&$top=5',
  "/odata/Tasks?days=3650&$filter=contains(activityLabel,'no-such-automation')",
  '/odata/Tasks?days=3650&$apply=groupby((state),aggregate($count%20as%20n))',
  '/odata/Automations?days=3650&$expand=Tasks($select=id)',
  '/odata/Tasks?days=3650&$select=id,state,machineId&$orderby=machineId'
]

const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number
}

/**
 * Times /healthz one request after another for `ms` (one every 20 ms), from a
 * worker thread: the heavy mix's clients parse large answers on this thread's
 * event loop, which would add their own delays to the bridge's.
 */
function timeHealth(origin: string, ms: number): Promise<number[]> {
  const probe = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { origin, ms } = workerData
    const times = []
    const once = async () => {
      const abort = new AbortController()
      const timer = setTimeout(() => abort.abort(), 10000)
      try {
        const res = await fetch(origin + '/healthz', { signal: abort.signal })
        await res.arrayBuffer()
        return true
      } catch {
        return false
      } finally {
        clearTimeout(timer)
      }
    }
    ;(async () => {
      const until = Date.now() + ms
      while (Date.now() < until) {
        const t0 = performance.now()
        times.push(await once() ? performance.now() - t0 : 10000)
        await new Promise((r) => setTimeout(r, 20))
      }
      parentPort.postMessage(times)
    })()`
  return new Promise((resolve, reject) => {
    const worker = new Worker(probe, { eval: true, workerData: { origin, ms } })
    worker.once('message', (times: number[]) => { resolve(times); void worker.terminate() })
    worker.once('error', reject)
  })
}

interface HeavyRun {
  readonly statuses: Record<string, number>
  /** Answers that break the rule: a 5xx other than 503 with Retry-After. */
  readonly wrong: string[]
  readonly left: number
  readonly healthIdle: number[]
  readonly healthBusy: number[]
  readonly rssMax: number
  /** The bridge's own event-loop delay over the mix (prom-client's monitor, reset by each scrape), in ms. */
  readonly loopLag: { p99: number, max: number } | null
}

/** The bridge's event-loop delay since the last scrape of /metrics, in ms (prom-client resets its monitor at each). */
async function loopLagOf(origin: string): Promise<{ p99: number, max: number } | null> {
  try {
    const text = await (await fetch(`${origin}/metrics`)).text()
    const value = (name: string): number | null => {
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(text)
      return m === null ? null : Number(m[1]) * 1000
    }
    const p99 = value('nodejs_eventloop_lag_p99_seconds')
    const max = value('nodejs_eventloop_lag_max_seconds')
    return p99 === null || max === null ? null : { p99, max }
  } catch {
    return null
  }
}

/**
 * A GET and its whole body, given up after `ms`: the request is aborted, and
 * the promise fails even if the abort is not heard (a hang must fail the
 * soak, not stall it).
 */
async function answerWithin(url: string, ms: number): Promise<{ res: Response, body: string }> {
  const abort = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { abort.abort(); setTimeout(() => reject(new Error('no answer')), 1000) }, ms)
  })
  try {
    return await Promise.race([late, (async () => {
      const res = await fetch(url, { signal: abort.signal })
      return { res, body: await res.text() }
    })()])
  } finally {
    clearTimeout(timer)
  }
}

/** How long a client of the heavy mix that stays waits for its answer. */
const HEAVY_ANSWER_MS = 60_000

/** The heavy mix: `clients` loops over HEAVY_QUERIES for `seconds`, odd clients leaving each answer after a random 0–2 s. */
async function heavyMix(origin: string, pid: number, clients: number, seconds: number): Promise<HeavyRun> {
  const healthIdle = await timeHealth(origin, 5000)
  await loopLagOf(origin)
  const statuses: Record<string, number> = {}
  const wrong: string[] = []
  let left = 0
  let rssMax = rssOf(pid)
  const sampler = setInterval(() => { rssMax = Math.max(rssMax, rssOf(pid)) }, 250)
  const started = Date.now()
  const until = started + seconds * 1000
  const busy = timeHealth(origin, seconds * 1000)
  const client = async (i: number): Promise<void> => {
    for (let n = i; Date.now() < until; n++) {
      const path = HEAVY_QUERIES[n % HEAVY_QUERIES.length] as string
      const leaving = i % 2 === 1 ? randomInt(2000) : null
      const sentAt = Date.now()
      try {
        // A client staying for its answer waits up to a minute: past that the bridge has lost the request.
        const { res, body } = await answerWithin(`${origin}${path}`, leaving ?? HEAVY_ANSWER_MS)
        statuses[res.status] = (statuses[res.status] ?? 0) + 1
        if (res.status >= 500 && !(res.status === 503 && res.headers.get('retry-after') !== null) && wrong.length < 10) wrong.push(`${res.status} ${path}: ${body.slice(0, 200)}`)
        if (res.status === 503) await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)))
      } catch {
        if (leaving !== null) left++
        else if (wrong.length < 10) wrong.push(`no answer within ${HEAVY_ANSWER_MS / 1000} s: ${path} (sent ${((sentAt - started) / 1000).toFixed(1)} s into the mix)`)
      }
    }
  }
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)))
  const healthBusy = await busy
  clearInterval(sampler)
  return { statuses, wrong, left, healthIdle, healthBusy, rssMax, loopLag: await loopLagOf(origin) }
}

interface LoadRun {
  readonly result: autocannon.Result
  readonly failures: string[]
}

async function load(origin: string, connections: number, durationS: number): Promise<LoadRun> {
  const failures: string[] = []
  const result = await autocannon({
    url: origin,
    connections,
    duration: durationS,
    timeout: 10,
    headers: { accept: 'application/json;odata.metadata=minimal', 'accept-encoding': 'gzip, deflate', 'odata-maxversion': '4.0' },
    requests: [{
      method: 'GET',
      setupRequest: (request) => ({ ...request, path: soakPath() }),
      onResponse: (status, body) => { if ((status < 200 || status > 299) && failures.length < 10) failures.push(`${status} ${body.slice(0, 200)}`) }
    }]
  })
  return { result, failures }
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1)

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log(SOAK_USAGE)
    return 0
  }
  const options = readOptions(process.argv.slice(2), process.env)
  const [simPort, bridgePort] = [await freePort(), await freePort()]
  // Paths relative to this file, compiled to dist/bench/: the entry points are in dist/src/.
  const entry = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
  const { child: sim } = startChild([entry('../src/simulator/cli.js'), '--port', String(simPort), '--tasks', String(options.tasks), '--seed', '7'], {}, 'simulator')
  const simUrl = `http://127.0.0.1:${simPort}`
  const { child: bridge, log: bridgeLog } = startChild([...options.bridgeNodeArgs, entry('../src/server.js')], {
    ...BRIDGE_ENV, PORT: String(bridgePort), HOST: '127.0.0.1', BOTCITY_URL: simUrl, BOTCITY_LOGIN: 'demo', BOTCITY_KEY: 'demo', ALLOW_ANONYMOUS: 'true'
  }, 'bridge')
  const origin = `http://127.0.0.1:${bridgePort}`
  let bridgeExit: Promise<number | null> = new Promise((resolve) => bridge.once('exit', (code) => resolve(code)))
  const stopAll = (): void => { for (const c of [bridge, sim]) if (c.exitCode === null) c.kill('SIGKILL') }
  // Bounded in time whatever happens: warm-up, load, start and shutdown margins.
  const watchdog = setTimeout(() => { console.error('soak: over its time bound, stopping'); stopAll(); process.exit(3) }, (options.warmupS + options.durationS + options.heavyS + 120) * 1000)
  watchdog.unref()
  try {
    await waitFor(`${simUrl}/__sim/stats`, 15_000)
    await waitFor(`${origin}/healthz`, 15_000)
    const pid = bridge.pid as number
    const warmS = options.warmupS
    console.log(`soak: ${options.connections} connections, ${warmS} s warm-up, then ${options.durationS} s; simulator ${options.tasks} tasks; bridge ${JSON.stringify(BRIDGE_ENV)}`)
    const rssBoot = rssOf(pid)
    const warm = await load(origin, options.connections, warmS)
    const rssStart = rssOf(pid)
    const heapStart = await heapUsedOf(origin)

    const samples: number[] = []
    const sampler = setInterval(() => { samples.push(rssOf(pid)) }, 1000)
    const run = await load(origin, options.connections, options.durationS)
    clearInterval(sampler)
    const rssEnd = rssOf(pid)
    const heapEnd = await heapUsedOf(origin)
    const rssMax = Math.max(rssEnd, ...samples)
    const rssMid = samples[Math.floor(samples.length / 2)] ?? rssEnd

    console.log(`soak: heavy mix, ${options.heavyClients} clients for ${options.heavyS} s (half leave mid-answer) after 5 s of /healthz at idle`)
    const heavy = await heavyMix(origin, pid, options.heavyClients, options.heavyS)
    const idleP99 = percentile(heavy.healthIdle, 0.99)
    const busyP99 = percentile(heavy.healthBusy, 0.99)
    const healthOk = busyP99 <= 3 * idleP99
    const heavyOk = heavy.wrong.length === 0 && heavy.rssMax <= options.rssMaxMb * 1024 * 1024 && healthOk
    const gateAfter = (await (await fetch(`${origin}/metrics`)).text()).split('\n').filter((l) => l.startsWith('botcity_odata_heavy_requests')).join(', ')

    // Graceful shutdown: a slow request (a local sort over the whole history) in flight when SIGTERM arrives.
    const slow = fetch(`${origin}/odata/Tasks?days=3650&$orderby=totalItems%20desc,id&$top=5`).then(async (r) => ({ status: r.status, body: await r.text() }))
    await new Promise((r) => setTimeout(r, 150))
    const killedAt = Date.now()
    bridge.kill('SIGTERM')
    const inFlight = await slow.catch((err: unknown) => ({ status: 0, body: String(err) }))
    const code = await bridgeExit
    bridgeExit = Promise.resolve(code)
    const shutdownMs = Date.now() - killedAt

    const r = run.result
    const bad = r.non2xx + r.errors + r.timeouts + warm.result.non2xx + warm.result.errors + warm.result.timeouts
    // A leak grows RSS at a steady rate; V8 sizing its heap and the cache filling are done by mid-run.
    const growth = rssEnd - rssMid
    const shutdownOk = inFlight.status === 200 && /"value":\[/.test(inFlight.body) && code === 0
    console.log([
      `requests: ${r.requests.total} in ${r.duration} s (${Math.round(r.requests.average)}/s), warm-up ${warm.result.requests.total}`,
      `statuses: ${JSON.stringify(Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([s, v]) => [s, v.count ?? 0])))}`,
      `errors: non-2xx ${r.non2xx}, connection errors ${r.errors}, timeouts ${r.timeouts} (warm-up: ${warm.result.non2xx}, ${warm.result.errors}, ${warm.result.timeouts})`,
      `latency ms: p50 ${r.latency.p50}, p90 ${r.latency.p90}, p99 ${r.latency.p99}, max ${r.latency.max}`,
      `bridge RSS MiB: boot ${mb(rssBoot)}, after warm-up ${mb(rssStart)}, mid-run ${mb(rssMid)}, end ${mb(rssEnd)}, max ${mb(rssMax)}; growth over the second half ${mb(growth)} (bound ${options.rssBoundMb}), over the whole load ${mb(rssEnd - rssStart)}`,
      `bridge RSS MiB every 5 s: ${samples.filter((_, i) => i % 5 === 4).map((v) => Math.round(v / 1024 / 1024)).join(' ')}`,
      `bridge V8 heap used MiB (/metrics): after warm-up ${heapStart === null ? 'n/a' : mb(heapStart)}, end ${heapEnd === null ? 'n/a' : mb(heapEnd)}`,
      `heavy mix: statuses ${JSON.stringify(heavy.statuses)}, ${heavy.left} left mid-answer; 5xx other than 503 with Retry-After: ${heavy.wrong.length}`,
      `heavy mix: bridge RSS max ${mb(heavy.rssMax)} MiB (bound ${options.rssMaxMb}); the gate once its clients were done: ${gateAfter}`,
      `heavy mix: /healthz ms p50 ${percentile(heavy.healthBusy, 0.5).toFixed(1)}, p99 ${busyP99.toFixed(1)}, max ${Math.max(...heavy.healthBusy).toFixed(1)} (${heavy.healthBusy.length} samples); at idle p50 ${percentile(heavy.healthIdle, 0.5).toFixed(1)}, p99 ${idleP99.toFixed(1)}: ${(busyP99 / idleP99).toFixed(1)}× (target ≤ 3×)`,
      `heavy mix: the bridge's event-loop delay ${heavy.loopLag === null ? 'n/a' : `p99 ${heavy.loopLag.p99.toFixed(1)} ms, max ${heavy.loopLag.max.toFixed(1)} ms`}`,
      `shutdown: in-flight request ${inFlight.status}, exit code ${String(code)}, ${shutdownMs} ms after SIGTERM`,
      `bridge log lines by level (pino: 30 info, 40 warn, 50 error): ${JSON.stringify(bridgeLog.levels)}`
    ].join('\n'))
    for (const line of bridgeLog.last) console.log(`  bridge log: ${line}`)
    for (const f of [...warm.failures, ...run.failures, ...heavy.wrong]) console.log(`  failed: ${f}`)
    const ok = bad === 0 && growth <= options.rssBoundMb * 1024 * 1024 && shutdownOk && heavyOk
    console.log(ok ? 'soak: PASS' : 'soak: FAIL')
    return ok ? 0 : 1
  } finally {
    stopAll()
    clearTimeout(watchdog)
  }
}

process.exitCode = await main()
