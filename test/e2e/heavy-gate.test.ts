// Requests that hold a whole window of tasks in the bridge are bounded
// (src/execute/heavy-gate.ts): HEAVY_MAX_CONCURRENT run, HEAVY_QUEUE wait at
// most HEAVY_QUEUE_WAIT_S, the rest get 503 with Retry-After; other requests
// pass by; a waiting request whose client leaves gives its place up. The
// upstream pages of the running one are held back by a proxy, so what is
// running or waiting is known, however fast the machine.
import t from 'tap'
import { startRecordingBridge } from '../fixtures/recording-bridge.js'
import type { RecordingBridge } from '../fixtures/recording-bridge.js'

const NOW = Date.UTC(2026, 9, 15, 12)
const SORTED = 'Tasks?$orderby=totalItems%20desc&$top=3&$select=id'

let holding = false
let release: () => void = () => undefined
let released = Promise.resolve()
/** From now on, task pages other than page 0 wait until let go. */
function hold(): void {
  holding = true
  released = new Promise((resolve) => { release = () => { holding = false; resolve() } })
}

async function heavy(bridge: RecordingBridge): Promise<{ running: number; queued: number; refused: number }> {
  const text = await (await fetch(`${bridge.origin}/metrics`)).text()
  const value = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? NaN)
  return {
    running: value(/^botcity_odata_heavy_requests\{state="running"\} (\d+)$/m),
    queued: value(/^botcity_odata_heavy_requests\{state="queued"\} (\d+)$/m),
    refused: value(/^botcity_odata_heavy_requests_refused_total (\d+)$/m)
  }
}

/** Waits until the gate holds this many (a minute at most: nothing here takes that long unless the gate is wrong). */
async function until(bridge: RecordingBridge, want: { running: number; queued: number }): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const s = await heavy(bridge)
    if (s.running === want.running && s.queued === want.queued) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`the gate never held ${want.running} running and ${want.queued} queued: ${JSON.stringify(await heavy(bridge))}`)
}

const bridge = await startRecordingBridge({
  sim: { tasks: 600, seed: 5, now: () => NOW },
  now: () => NOW,
  env: { HEAVY_MAX_CONCURRENT: '1', HEAVY_QUEUE: '1', HEAVY_QUEUE_WAIT_S: '1', CACHE_TTL_S: '0' },
  beforeForward: async (r) => {
    if (holding && r.path.endsWith('/tasks') && r.params.get('page') !== '0') await released
  }
})
t.teardown(() => bridge.close())

t.test('one runs, one waits, the next is refused with Retry-After; others pass by', async (t) => {
  hold()
  const first = fetch(`${bridge.feed}${SORTED}`)
  await until(bridge, { running: 1, queued: 0 })
  const second = fetch(`${bridge.feed}${SORTED}&days=29`)
  await until(bridge, { running: 1, queued: 1 })
  const third = await fetch(`${bridge.feed}${SORTED}&days=28`)
  t.equal(third.status, 503)
  t.equal(third.headers.get('retry-after'), '10')
  const error = ((await third.json()) as { error: { code: string; message: string } }).error
  t.equal(error.code, 'BRIDGE_ERR_UNAVAILABLE')
  t.match(error.message, /busy with queries it sorts, filters or joins over whole windows of tasks.*HEAVY_MAX_CONCURRENT, HEAVY_QUEUE.*Retry in 10 s/)
  const light = await fetch(`${bridge.feed}Tasks?$top=5&$select=id`)
  t.equal(light.status, 200, 'a read in the upstream order is not held by the gate')
  await light.text()
  release()
  t.equal((await first).status, 200)
  t.equal((await second).status, 200, 'the waiting one ran when the first ended')
  await until(bridge, { running: 0, queued: 0 })
  t.equal((await heavy(bridge)).refused, 1)
})

t.test('a request that waited HEAVY_QUEUE_WAIT_S is refused; one whose client left gives its place up', async (t) => {
  hold()
  const first = fetch(`${bridge.feed}${SORTED}&days=27`)
  await until(bridge, { running: 1, queued: 0 })
  const leaving = new AbortController()
  const gone = fetch(`${bridge.feed}${SORTED}&days=26`, { signal: leaving.signal }).catch(() => 'aborted')
  await until(bridge, { running: 1, queued: 1 })
  leaving.abort()
  t.equal(await gone, 'aborted')
  await until(bridge, { running: 1, queued: 0 })
  const waited = await fetch(`${bridge.feed}${SORTED}&days=25`)
  t.equal(waited.status, 503, 'waited a second, then refused')
  t.match(((await waited.json()) as { error: { message: string } }).error.message, /waited 1 s for one of the 1 running to end/)
  release()
  t.equal((await first).status, 200)
})

t.test('an $expand of Tasks and a grouping $apply are held by the gate too', async (t) => {
  for (const [i, q] of ['Automations?$expand=Tasks($select=id)', 'Tasks?$apply=groupby((state),aggregate($count%20as%20n))'].entries()) {
    hold()
    const blocker = fetch(`${bridge.feed}${SORTED}&days=${24 - i}`)
    await until(bridge, { running: 1, queued: 0 })
    const waiting = fetch(`${bridge.feed}${q}`)
    await until(bridge, { running: 1, queued: 1 })
    const refused = await fetch(`${bridge.feed}${q}&days=20`)
    t.equal(refused.status, 503, `${q}: the queue is full`)
    await refused.text()
    release()
    t.equal((await blocker).status, 200)
    t.equal((await waiting).status, 200, `${q}: answered once its turn came`)
  }
})
