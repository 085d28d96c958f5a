// The task ledger with REDIS_URL (issue 17): kept in Redis, sealed, so that a
// replica restarted (or started beside another) reads only what changed since
// the ledger was kept, and a running replica takes the newer ledger another
// kept. The clock moves and jumps an hour at a time; 1,000 tasks arrive an hour.
import t from 'tap'
import type { Test } from 'tap'
import { gunzipSync } from 'node:zlib'
import { bridgeKeys } from '../../src/keys.js'
import { deriveKey, sealedBox } from '../../src/upstream/sealed-box.js'
import { startSimulator } from '../../src/simulator/index.js'
import type { Simulator } from '../../src/simulator/index.js'
import { closeNow, listenBridge } from '../fixtures/bridge.js'
import type { ListeningBridge } from '../fixtures/bridge.js'
import { expectNone, loadAll, setFailures, staleRows } from '../fixtures/moving-oracle.js'
import { dumpRedis, startRedis } from '../fixtures/redis-server.js'
import { REPLICA_SECRET, settle } from '../fixtures/replicas.js'

const HOUR = 3_600_000
const P = 20
const TTL_S = 600
let offset = 0
const now = (): number => Date.now() + offset

const redis = await startRedis()
t.teardown(() => redis.close())
const sim: Simulator = await startSimulator({ port: 0, tasks: 3000, historyDays: 300, growthPerS: 1000 / 3600, seed: 23, now })
t.teardown(() => sim.close())

const replica = (): Promise<ListeningBridge> => listenBridge(sim, { REDIS_URL: redis.url, BRIDGE_SECRET: REPLICA_SECRET, CACHE_TTL_S: String(TTL_S), PAGE_SIZE: '1000' }, { now })

/**
 * The clocks jump an hour: Redis, on the real clock, would still hold the
 * pages kept for CACHE_TTL_S of it, which an hour would have expired. They
 * go; the ledgers (kept for 2 × LEDGER_VERIFY_H) stay.
 */
async function anHourLater(): Promise<number> {
  const before = sim.tasks().length
  offset += HOUR
  const pages = (await dumpRedis(redis.client)).filter((e) => e.key.includes(':page:')).map((e) => e.key)
  if (pages.length > 0) await redis.client.del(...pages)
  return sim.tasks().length - before
}

async function load(t: Test, bridge: ListeningBridge): Promise<{ rows: Record<string, unknown>[]; calls: number }> {
  const before = sim.stats().tasks
  const { rows, first, windows } = await loadAll(sim, TTL_S * 1000, `${bridge.feed}Tasks?days=3650`)
  const window = { lo: first.lo, hi: windows[windows.length - 1]?.hi ?? first.hi }
  expectNone(t, setFailures(sim, rows.map((r) => r.id as number), window, { days: 3650, clockFuzzMs: 5000 }), 'every task once, none missing')
  expectNone(t, staleRows(sim, rows, window), 'each as the upstream had it during the load, or at most CACHE_TTL_S before')
  return { rows, calls: sim.stats().tasks - before }
}

/** Pages that a load an hour after `previous` must read: the new tasks', and those holding tasks not final then. */
function bound(previous: readonly Record<string, unknown>[], arrived: number): number {
  const running = new Set(previous.filter((r) => r.state !== 'FINISHED' && r.state !== 'CANCELED').map((r) => r.id))
  const pages = new Set<number>()
  sim.tasks().forEach((w, i) => { if (running.has(w.id)) pages.add(Math.floor(i / P)) })
  return 1.1 * (Math.ceil(arrived / P) + pages.size + 2)
}

/** Waits (however long the machine takes) until a replica has kept a ledger placed after `since`. */
async function kept(since: number): Promise<void> {
  for (;;) {
    const at = (await dumpRedis(redis.client)).filter((e) => e.key.includes(':ledger-at:')).map((e) => Number(e.value.toString()))
    if (at.some((a) => a > since)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('a replica restarted reads only what changed since its ledger was kept', async (t) => {
  const first = await replica()
  const cold = await load(t, first)
  t.ok(cold.calls >= Math.ceil(sim.tasks().length / P) - 1, `cold: ${cold.calls} calls`)
  await closeNow(first.app)
  t.ok((await dumpRedis(redis.client)).some((e) => e.key.includes(':ledger:')), 'kept at shutdown')

  const arrived = await anHourLater()
  const restarted = await replica()
  t.teardown(() => closeNow(restarted.app))
  const again = await load(t, restarted)
  const most = bound(cold.rows, arrived)
  t.ok(again.calls <= most, `an hour later, on a restarted replica: ${again.calls} calls (at most ${most.toFixed(1)}; the list is ${Math.ceil(sim.tasks().length / P)} pages)`)
})

t.test('a running replica takes the newer ledger another kept', async (t) => {
  const a = await replica()
  const b = await replica()
  t.teardown(() => closeNow(b.app))
  await anHourLater()
  await load(t, b)
  // Four hours later replica a refreshes and keeps its ledger; an hour after that, b loads.
  // What b read ahead for a next request that never came is b's too: let it land first.
  await settle(sim)
  let sinceB = 0
  for (let h = 0; h < 4; h++) sinceB += await anHourLater()
  const since = (performance.timeOrigin + performance.now()) * 1000
  const onA = await load(t, a)
  // a keeps its ledger whole when it stops (it may have kept a part before, during a pause of its load).
  await settle(sim)
  await closeNow(a.app)
  await kept(since)
  const arrived = await anHourLater()
  sinceB += arrived
  const onB = await load(t, b)
  const most = bound(onA.rows, arrived)
  t.ok(onB.calls <= most, `replica b, five hours after its own load and one after a's: ${onB.calls} calls (at most ${most.toFixed(1)}: what changed since a's load)`)
  t.ok(onB.calls < sinceB / P, `fewer than the ${Math.ceil(sinceB / P)} pages of the tasks created since b's own load: it took a's ledger`)
})

t.test('what Redis holds of the ledger opens only with the workspace credential', async (t) => {
  const entries = (await dumpRedis(redis.client)).filter((e) => e.key.includes(':ledger:'))
  t.ok(entries.length > 0, `${entries.length} ledger(s) kept`)
  const credentialId = bridgeKeys(REPLICA_SECRET).credentialId({ login: sim.options.login, key: sim.options.key })
  t.ok(entries.every((e) => e.key.startsWith(`botcity-odata:ledger:${credentialId}:`)), 'under the keyed credential id')
  const task = sim.tasks()[100]
  for (const e of entries) {
    t.notOk(e.value.includes(Buffer.from(String(task?.id))), 'no task id in the clear')
    t.notOk(e.value.includes(Buffer.from(task?.activityLabel ?? '-')), 'no label in the clear')
  }
  const salt = bridgeKeys(REPLICA_SECRET).sealingSalt
  const aad = 'ledger tasks days=3652'
  const sealed = (entries[0] as { value: Buffer }).value
  const opened = sealedBox(deriveKey({ login: sim.options.login, key: sim.options.key }, 'ledger', salt)).openBytes(aad, sealed)
  t.match(opened === null ? '' : gunzipSync(opened).toString('utf8').slice(0, 40), /^\{"v":1,/, 'it opens with the workspace credential')
  t.equal(sealedBox(deriveKey({ login: 'someone-else', key: 'another-key-0001' }, 'ledger', salt)).openBytes(aad, sealed), null, 'and with no other')
  t.equal(sealedBox(deriveKey({ login: sim.options.login, key: sim.options.key }, 'page', salt)).openBytes(aad, sealed), null, 'nor as a page')
})
