// The monitor with REDIS_URL: every replica's loads, one load answered by two
// replicas ends once (the replica that answered its earlier pages does not
// call it abandoned), a load abandoned on one replica is recorded by it, and
// what Redis holds of loads is sealed.
import t from 'tap'
import type { MonitorState } from '../../src/monitor/state.js'
import { startSimulator } from '../../src/simulator/index.js'
import { closeNow, listenBridge } from '../fixtures/bridge.js'
import type { ListeningBridge } from '../fixtures/bridge.js'
import { dumpRedis, startRedis } from '../fixtures/redis-server.js'
import { REPLICA_SECRET } from '../fixtures/replicas.js'

const ALL = 'days=3650&$select=id,state'
const redis = await startRedis()
t.teardown(() => redis.close())
const sim = await startSimulator({ port: 0, tasks: 950 })
t.teardown(() => sim.close())
const env = { REDIS_URL: redis.url, BRIDGE_SECRET: REPLICA_SECRET, PAGE_SIZE: '100' }
// A gives up on a load after a second; B waits ten minutes.
const a: ListeningBridge = await listenBridge(sim, { ...env, LOAD_ABANDON_S: '1' })
const b: ListeningBridge = await listenBridge(sim, { ...env, LOAD_ABANDON_S: '600' })
t.teardown(async () => {
  await closeNow(a.app)
  await closeNow(b.app)
})

const lines = (logs: readonly string[]): { msg: string; load: { id: string; outcome: string; pages: number; rows: number } }[] =>
  logs.map((l) => JSON.parse(l) as { msg?: string; load?: { id: string; outcome: string; pages: number; rows: number } })
    .filter((l): l is { msg: string; load: { id: string; outcome: string; pages: number; rows: number } } => l.msg?.startsWith('load ') === true && l.load !== undefined)

async function until<T>(what: string, get: () => Promise<T> | T, test: (v: T) => boolean): Promise<T> {
  const end = Date.now() + 60_000
  for (;;) {
    const v = await get()
    if (test(v)) return v
    if (Date.now() > end) throw new Error(`waited a minute for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function follow(url: string, pages = Infinity): Promise<{ rows: number; pages: number; next: string | null }> {
  let next: string | null = url
  let rows = 0
  let n = 0
  while (next !== null && n < pages) {
    const body = await (await fetch(next)).json() as { value: unknown[]; '@odata.nextLink'?: string }
    rows += body.value.length
    n++
    next = body['@odata.nextLink'] ?? null
  }
  return { rows, pages: n, next }
}

const state = async (r: ListeningBridge): Promise<MonitorState> => await (await fetch(`${r.origin}/monitor/state`)).json() as MonitorState
const inFlightHere = async (r: ListeningBridge): Promise<number> => Number(/^botcity_odata_loads_in_flight (\d+)$/m.exec(await (await fetch(`${r.origin}/metrics`)).text())?.[1])

t.test('a load moved from A to B ends once, on B; A does not call it abandoned', async (t) => {
  const first = await follow(`${a.feed}Tasks?${ALL}`, 3)
  const rest = await follow((first.next as string).replace(a.origin, b.origin))
  const [line] = await until('B ends the load', () => lines(b.logs), (l) => l.length === 1)
  t.match(line, { msg: 'load finished', load: { rows: 950, pages: 3 + rest.pages } })
  // A's wait for the next page runs out a second later; it learns from Redis that B took the load.
  await until('A lets the load go', () => inFlightHere(a), (n) => n === 0)
  t.same(lines(a.logs), [], 'no line on A')
})

t.test('every replica\'s loads, on any replica', async (t) => {
  const onB = await follow(`${b.feed}Tasks?${ALL}`, 2)
  t.ok(onB.next !== null)
  const seen = await until('A shows the load waiting on B', () => state(a), (s) => s.inFlight.some((l) => l.figures.pages === 2 && l.state === 'waiting'))
  t.equal(seen.replicas, 2, 'both replicas report')
  t.ok(seen.recent.some((l) => l.outcome === 'finished' && l.figures.rows === 950), 'the load B finished, in A\'s recent loads')
  t.ok(seen.upstream.reduce((n, m) => n + m.calls, 0) > 0, 'the upstream minutes of both')
})

t.test('a load abandoned on A is recorded by A', async (t) => {
  const before = lines(a.logs).length
  await follow(`${a.feed}Tasks?${ALL}`, 2)
  const abandoned = await until('A abandons it', () => lines(a.logs).slice(before), (l) => l.length === 1)
  t.match(abandoned[0], { msg: 'load abandoned', load: { pages: 2, rows: 200 } })
  const s = await until('B lists it', () => state(b), (s) => s.recent.some((l) => l.id === abandoned[0]?.load.id))
  t.equal(s.recent.find((l) => l.id === abandoned[0]?.load.id)?.outcome, 'abandoned')
})

t.test('what Redis holds of loads is sealed', async (t) => {
  const entries = (await dumpRedis(redis.client)).filter((e) => e.key.includes(':monitor:'))
  t.ok(new Set(entries.map((e) => e.key)).size >= 4, `${entries.length} monitor values`)
  for (const e of entries) t.notMatch(e.value.toString('latin1'), /days=3650|Tasks|power-query|"rows"/, `${e.key} is sealed`)
})
