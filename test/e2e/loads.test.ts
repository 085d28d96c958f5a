// Loads as things, over real HTTP on the simulator: one log line per load when
// it ends (finished, abandoned, failed, canceled) with its figures, its id
// carried by its nextLinks (across replicas too), its progress on
// /monitor/state while it runs, and what /monitor/state shows to whom.
import t from 'tap'
import { closeNow, listenBridge, startBridge } from '../fixtures/bridge.js'
import type { BridgeFixture } from '../fixtures/bridge.js'
import { startSimulator } from '../../src/simulator/index.js'
import type { FinishedLoad, LiveLoad, MonitorState } from '../../src/monitor/state.js'

const POWER_QUERY = 'Microsoft.Data.Mashup (https://go.microsoft.com/fwlink/?LinkID=304225)'
const ALL = 'days=3650&$select=id,state'

interface LoadLine {
  readonly msg: string
  readonly load: {
    id: string; set: string; query: string; client: string; credential: string; outcome: string; error?: string
    rows: number; pages: number; reads: number; calls: number; fromCache: number; fromLedger: number; durationMs: number
  }
}

function loadLines(logs: readonly string[]): LoadLine[] {
  return logs.map((l) => JSON.parse(l) as Partial<LoadLine>).filter((l): l is LoadLine => typeof l.msg === 'string' && l.msg.startsWith('load ') && l.load !== undefined)
}

/** Waits (polling, no fixed sleep) until `test` holds; fails after `ms`. */
async function until<T>(what: string, get: () => T | Promise<T>, test: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await get()
    if (test(v)) return v
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

interface Page { readonly rows: number; readonly next: string | null; readonly status: number }

async function page(url: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Page> {
  const res = await fetch(url, { headers: { 'user-agent': POWER_QUERY, ...headers }, ...(signal === undefined ? {} : { signal }) })
  const body = await res.json() as { value?: unknown[]; '@odata.nextLink'?: string }
  return { rows: body.value?.length ?? 0, next: body['@odata.nextLink'] ?? null, status: res.status }
}

/** Follows nextLinks from `url` for at most `pages` pages; the rows read and the link not yet followed. */
async function follow(url: string, pages = Infinity, headers: Record<string, string> = {}): Promise<{ rows: number; pages: number; next: string | null }> {
  let next: string | null = url
  let rows = 0
  let n = 0
  while (next !== null && n < pages) {
    const p = await page(next, headers)
    if (p.status !== 200) throw new Error(`status ${p.status} for ${next}`)
    rows += p.rows
    n++
    next = p.next
  }
  return { rows, pages: n, next }
}

const state = async (b: { origin: string }, headers: Record<string, string> = {}): Promise<MonitorState> =>
  await (await fetch(`${b.origin}/monitor/state`, { headers })).json() as MonitorState

t.test('a load leaves one line when its last page is answered, with what it cost', async (t) => {
  // No cache: every read is an upstream call, so the line's calls are the simulator's count.
  const bridge = await startBridge({ sim: { tasks: 950 }, env: { PAGE_SIZE: '100', CACHE_TTL_S: '0' } })
  t.teardown(() => bridge.close())
  const before = bridge.sim.stats().tasks
  const got = await follow(`${bridge.feed}Tasks?${ALL}`)
  const calls = bridge.sim.stats().tasks - before
  const lines = await until('the load line', () => loadLines(bridge.logs), (l) => l.length > 0)
  t.equal(lines.length, 1, 'one line for the whole load')
  const { load, msg } = lines[0] as LoadLine
  t.equal(msg, 'load finished')
  t.match(load, { set: 'Tasks', query: `/odata/Tasks?${ALL}`, client: 'power-query', outcome: 'finished', rows: got.rows, pages: got.pages, calls, reads: calls, fromCache: 0, fromLedger: 0 })
  t.equal(got.rows, 950)
  t.equal(got.pages, 10)
  t.match(load.id, /^[\w-]{12}$/)
  t.match(load.credential, /^[0-9a-f]{16}$/, 'the keyed credential id, never the credential')
  t.ok(load.durationMs >= 0)
  const text = await (await fetch(`${bridge.origin}/metrics`)).text()
  t.match(text, /^botcity_odata_loads_total\{entity_set="Tasks",outcome="finished",client="power-query"\} 1$/m, 'counted in /metrics')
  t.match(text, /^botcity_odata_load_duration_seconds_count\{entity_set="Tasks",outcome="finished"\} 1$/m)
  t.match(text, /^botcity_odata_loads_in_flight 0$/m)
})

t.test('a repeat load says how many reads the cache and the task ledger served', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 950 }, env: { PAGE_SIZE: '100' } })
  t.teardown(() => bridge.close())
  await follow(`${bridge.feed}Tasks?${ALL}`)
  await follow(`${bridge.feed}Tasks?${ALL}`, Infinity, { 'user-agent': 'curl/8.5.0' })
  const lines = await until('two load lines', () => loadLines(bridge.logs), (l) => l.length === 2)
  const [first, second] = lines.map((l) => l.load)
  t.not(first?.id, second?.id, 'two loads, two ids')
  t.equal(second?.client, 'curl')
  t.equal(second?.rows, 950)
  t.equal(second?.reads, (second?.calls ?? 0) + (second?.fromCache ?? 0) + (second?.fromLedger ?? 0), 'every read is a call, from the cache or from the ledger')
  t.ok((second?.fromCache ?? 0) + (second?.fromLedger ?? 0) > 0, `the repeat was served from memory (${second?.fromCache} cached, ${second?.fromLedger} from the ledger)`)
  t.ok((second?.calls ?? 0) < (first?.calls ?? 0), 'with fewer calls')
})

t.test('a load whose next request does not come is abandoned; followed later, it goes on under its id', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 950 }, env: { PAGE_SIZE: '100', LOAD_ABANDON_S: '1' } })
  t.teardown(() => bridge.close())
  const part = await follow(`${bridge.feed}Tasks?${ALL}`, 2)
  const live = await state(bridge)
  t.equal(live.inFlight.length, 1, 'in flight while its next request is awaited')
  t.match(live.inFlight[0], { state: 'waiting', figures: { rows: 200, pages: 2 } })
  const [abandoned] = await until('the abandoned line', () => loadLines(bridge.logs), (l) => l.length > 0)
  t.match(abandoned, { msg: 'load abandoned', load: { outcome: 'abandoned', rows: 200, pages: 2 } })
  t.notOk('error' in (abandoned as LoadLine).load, 'no error: its client just stopped')
  t.same((await state(bridge)).inFlight, [], 'no longer in flight')
  t.match((await state(bridge)).recent[0], { id: abandoned?.load.id, outcome: 'abandoned' })
  // The client comes back to the link it had: the same load, counted from where it was.
  const rest = await follow(part.next as string)
  const lines = await until('the finished line', () => loadLines(bridge.logs), (l) => l.length === 2)
  t.match(lines[1], { msg: 'load finished', load: { id: abandoned?.load.id, rows: 200 + rest.rows, pages: 2 + rest.pages } })
})

t.test('a load whose last answer was an error a client retries, and no retry came, failed', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 950 }, env: { PAGE_SIZE: '100', LOAD_ABANDON_S: '1', CACHE_TTL_S: '0', UPSTREAM_RETRIES: '0' } })
  t.teardown(() => bridge.close())
  const part = await follow(`${bridge.feed}Tasks?${ALL}`, 1)
  bridge.sim.inject({ kind: 'status', status: 503, route: 'tasks', count: 5 })
  const failed = await page(part.next as string)
  t.equal(failed.status, 503, 'the page failed with 503, which Power Query retries')
  t.equal((await state(bridge)).inFlight[0]?.state, 'retrying', 'the load awaits its retry')
  const [line] = await until('the failed line', () => loadLines(bridge.logs), (l) => l.length > 0)
  t.match(line, { msg: 'load failed', load: { outcome: 'failed', error: 'UPSTREAM_UNAVAILABLE', pages: 1, rows: 100 } })

  // An error no client retries ends its load at once.
  bridge.sim.clearFaults()
  const second = await follow(`${bridge.feed}Tasks?${ALL}`, 1)
  bridge.sim.inject({ kind: 'malformed', route: 'tasks', count: 1 })
  t.equal((await page(second.next as string)).status, 502)
  const lines = loadLines(bridge.logs)
  t.equal(lines.length, 2, 'logged when the answer went out')
  t.match(lines[1], { msg: 'load failed', load: { error: 'UPSTREAM_BAD_RESPONSE', pages: 1 } })
})

t.test('a client that leaves mid-answer cancels its load', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 950, latencyMs: 400 }, env: { PAGE_SIZE: '100', CACHE_TTL_S: '0' } })
  t.teardown(() => bridge.close())
  const abort = new AbortController()
  const pending = page(`${bridge.feed}Tasks?${ALL}`, {}, abort.signal).catch((e: unknown) => e)
  // While the bridge reads (each upstream call takes 400 ms), the load shows, reading.
  const reading = await until('the load in flight', () => state(bridge), (s) => s.inFlight.length === 1)
  t.equal(reading.inFlight[0]?.state, 'reading')
  abort.abort()
  await pending
  const [line] = await until('the canceled line', () => loadLines(bridge.logs), (l) => l.length > 0)
  t.match(line, { msg: 'load canceled', load: { outcome: 'canceled', pages: 0, rows: 0, error: 'BRIDGE_ERR_CLIENT_CLOSED' } })
})

t.test('while a request reads, the monitor shows its upstream reads growing; waiting, its rows against the estimate', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 950, latencyMs: 150 }, env: { PAGE_SIZE: '500', CACHE_TTL_S: '0', UPSTREAM_CONCURRENCY: '1' } })
  t.teardown(() => bridge.close())
  // A page of 500 rows takes 25 upstream calls, one at a time.
  const first = page(`${bridge.feed}Tasks?${ALL}`)
  const seen = await until('reads in flight', () => state(bridge), (s) => (s.inFlight[0]?.figures.reads ?? 0) >= 2)
  const live = seen.inFlight[0] as LiveLoad
  t.equal(live.state, 'reading')
  t.equal(live.figures.pages, 0, 'no page answered yet')
  t.equal(live.figures.calls, live.figures.reads, 'each read a call')
  const p = await first
  t.equal(p.rows, 500)
  const waiting = (await state(bridge)).inFlight[0] as LiveLoad
  t.match(waiting, { state: 'waiting', figures: { rows: 500, pages: 1, reads: 25, calls: 25 } })
  t.ok(waiting.rowsEstimate !== null && waiting.rowsEstimate.min <= 950 && 950 <= waiting.rowsEstimate.max, `the estimate (${JSON.stringify(waiting.rowsEstimate)}) holds the load's 950 rows`)
  t.ok(waiting.readsEstimate !== null && waiting.readsEstimate.min <= 48 && 48 <= waiting.readsEstimate.max, `the reads estimate (${JSON.stringify(waiting.readsEstimate)}) holds its 48 reads`)
  t.ok(waiting.etaMs !== null && waiting.etaMs >= 0, 'a time left')
  t.ok(waiting.elapsedMs >= 0)
  const upstream = (await state(bridge)).upstream
  t.equal(upstream.length, 60, 'an hour of minutes')
  t.ok(upstream.reduce((n, m) => n + m.calls, 0) >= 25, 'the calls counted by minute')
  t.ok((upstream.at(-1)?.p50 ?? 0) >= 100 || (upstream.at(-2)?.p50 ?? 0) >= 100, 'their latency (150 ms each) in the percentiles')
})

t.test('a cached first page starts a load of its own: its nextLink carries its own id', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 950 }, env: { PAGE_SIZE: '100' } })
  t.teardown(() => bridge.close())
  const url = `${bridge.feed}Tasks?${ALL}`
  const a = await page(url)
  const b = await page(url)
  t.not(a.next, b.next, 'two tokens')
  const answered = await state(bridge)
  t.equal(answered.inFlight.length, 2, 'two loads in flight')
  await follow(b.next as string)
  const [line] = await until('the second load ends', () => loadLines(bridge.logs), (l) => l.length > 0)
  const second = answered.inFlight.map((l) => l.id).filter((id) => id !== line?.load.id)
  t.equal(second.length, 1, 'the load that ended is one of the two')
  t.match(line?.load, { rows: 950, pages: 10 })
  t.equal((await state(bridge)).inFlight[0]?.id, second[0], 'the other one still awaits its next page')
})

t.test('a load answered by two replicas is one load', async (t) => {
  const sim = await startSimulator({ port: 0, tasks: 950 })
  const env = { PAGE_SIZE: '100', BRIDGE_SECRET: 'x'.repeat(40), LOAD_ABANDON_S: '600' }
  const a = await listenBridge(sim, env)
  const b = await listenBridge(sim, env)
  t.teardown(async () => {
    await closeNow(a.app)
    await closeNow(b.app)
    await sim.close()
  })
  const first = await follow(`${a.feed}Tasks?${ALL}`, 3)
  const rest = await follow((first.next as string).replace(a.origin, b.origin))
  const [line] = await until('B ends the load', () => loadLines(b.logs), (l) => l.length > 0)
  const onA = (await state(a)).inFlight[0]
  t.equal(line?.load.id, onA?.id, 'the id A gave it')
  t.match(line?.load, { rows: first.rows + rest.rows, pages: 3 + rest.pages, outcome: 'finished' }, 'with the pages A answered')
  t.equal(line?.load.rows, 950)
})

t.test('/monitor/state is behind the feed\'s authentication', async (t) => {
  t.test('service account: a bridge key sees every load', async (t) => {
    const bridge = await startBridge({ sim: { tasks: 300 }, env: { BRIDGE_API_KEYS: 'monitor-key-123456789', ALLOW_ANONYMOUS: 'false' } })
    t.teardown(() => bridge.close())
    for (const path of ['/monitor', '/monitor/state', '/monitor/assets/monitor.js']) {
      const res = await fetch(`${bridge.origin}${path}`)
      t.equal(res.status, 401, `${path} without a key`)
      t.match(res.headers.get('www-authenticate'), /^Basic realm=/, 'a browser asks for it')
    }
    const auth = { authorization: `Basic ${Buffer.from(':monitor-key-123456789').toString('base64')}` }
    await follow(`${bridge.feed}Tasks?$top=5&api_key=monitor-key-123456789&token=not-for-logs`, Infinity, auth)
    const s = await state(bridge, auth)
    t.equal(s.scope, 'all')
    t.equal(s.recent.length, 1)
    t.equal((s.recent[0] as FinishedLoad).query, '/odata/Tasks?$top=5&token=***', 'secrets masked, the API key dropped')
    t.notMatch(JSON.stringify(s) + bridge.logs.join(''), /monitor-key-123456789|not-for-logs/, 'no secret in the state or the logs')
    const html = await fetch(`${bridge.origin}/monitor`, { headers: auth })
    t.equal(html.status, 200)
    t.match(html.headers.get('content-type'), /^text\/html/)
    for (const asset of ['uPlot.iife.min.js', 'uPlot.min.css', 'monitor.js']) t.equal((await fetch(`${bridge.origin}/monitor/assets/${asset}`, { headers: auth })).status, 200, asset)
    t.equal((await fetch(`${bridge.origin}/monitor/assets/nope.js`, { headers: auth })).status, 404)
  })

  t.test('passthrough: a workspace sees its own loads only', async (t) => {
    const bridge = await startBridge({ passthrough: true, sim: { tasks: 300, workspaces: [{ login: 'acme', key: 'acme-key-0123456789' }] } })
    t.teardown(() => bridge.close())
    const basic = (login: string, key: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${login}:${key}`).toString('base64')}` })
    const main = basic(bridge.sim.options.login, bridge.sim.options.key)
    const acme = basic('acme', 'acme-key-0123456789')
    t.equal((await fetch(`${bridge.origin}/monitor/state`)).status, 401)
    await follow(`${bridge.feed}Tasks?$top=3`, Infinity, main)
    await follow(`${bridge.feed}Automations?$top=2`, Infinity, acme)
    const mine = await state(bridge, main)
    const theirs = await state(bridge, acme)
    t.equal(mine.scope, 'own')
    t.same(mine.recent.map((l) => l.set), ['Tasks'])
    t.same(theirs.recent.map((l) => l.set), ['Automations'])
    t.not(mine.recent[0]?.credential, theirs.recent[0]?.credential)
    t.notMatch(JSON.stringify(mine) + JSON.stringify(theirs), /acme-key-0123456789/)
    t.notMatch(JSON.stringify(mine), new RegExp(bridge.sim.options.key))
  })
})

t.test('entity requests are no loads; a refused query never starts one', async (t) => {
  const bridge: BridgeFixture = await startBridge({ sim: { tasks: 100 } })
  t.teardown(() => bridge.close())
  const one = await follow(`${bridge.feed}Tasks?$top=1&$select=id`)
  t.equal(one.rows, 1)
  const lines = await until('the $top=1 load', () => loadLines(bridge.logs), (l) => l.length === 1)
  const id = (await (await fetch(`${bridge.feed}Tasks?$top=1&$select=id`)).json() as { value: { id: number }[] }).value[0]?.id
  t.equal((await fetch(`${bridge.feed}Tasks(${id})`)).status, 200)
  t.equal((await fetch(`${bridge.feed}Tasks?$filter=nope eq 1`)).status, 400)
  await until('the second $top=1 load', () => loadLines(bridge.logs), (l) => l.length === 2)
  t.equal(loadLines(bridge.logs).length, 2, 'two collection loads; the entity and the refused query left none')
  t.equal(lines[0]?.load.rows, 1)
})

t.test('cached answers sent at once, compressed or not, each whole with a token of its own', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 950 }, env: { PAGE_SIZE: '500' } })
  t.teardown(() => bridge.close())
  const url = `${bridge.feed}Tasks?${ALL}`
  const first = await (await fetch(url)).json() as { value: { id: number }[] }
  const answers = await Promise.all(Array.from({ length: 24 }, async (_, i) => {
    const res = await fetch(url, { headers: { 'accept-encoding': i % 2 === 0 ? 'gzip' : 'identity' } })
    return { encoding: res.headers.get('content-encoding'), body: await res.json() as { value: { id: number }[]; '@odata.nextLink': string } }
  }))
  t.ok(answers.some((a) => a.encoding === 'gzip') && answers.some((a) => a.encoding === null), 'both kinds sent')
  t.equal(new Set(answers.map((a) => a.body['@odata.nextLink'])).size, 24, 'a nextLink each')
  for (const a of answers) t.same(a.body.value.map((r) => r.id), first.value.map((r) => r.id), 'the same rows, whole')
  const pages = await Promise.all(answers.map(async (a) => (await fetch(a.body['@odata.nextLink'])).status))
  t.same(new Set(pages), new Set([200]), 'every token opens')
  const lines = await until('the 24 followed loads end', () => loadLines(bridge.logs), (l) => l.length === 24)
  t.equal(new Set(lines.map((l) => l.load.id)).size, 24, 'as 24 loads')
})
