// The change totalElements cannot show: between two reads of one batch, as many
// new tasks arrive at the head of the upstream order as old ones leave the
// tail of its rolling window. The bridge asks for a window two days longer
// than the longest horizon, so tasks leave it only in a workspace with ten
// years of history — as here. A page read after that change is shifted by the new
// tasks; a later page of the same batch read before it is not, so trusting
// both (the totals agree) would skip rows between them. The proxy holds page 1
// of the first batch back while the other pages are answered, the simulator's
// clock then moves by exactly such a balanced change, and page 1 is let go:
// the load must still return every task of the set exactly once.
import t from 'tap'
import { startRecordingBridge } from '../fixtures/recording-bridge.js'
import { DAY, expectedTasks } from '../fixtures/oracle.js'
import { TASK_WINDOW_DAYS } from '../../src/plan/planner.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const GROWTH_PER_S = 1 / 3600 // one new task an hour, about as many as leave the tail
const WINDOW_DAYS = TASK_WINDOW_DAYS // every Tasks read
const SIM = { tasks: 60_000, historyDays: 3650, seed: 11, growthPerS: GROWTH_PER_S }
/** An hour after the history's oldest tasks began to leave the window's tail. */
const T0 = NOW + (WINDOW_DAYS - 3650) * DAY + 3_600_000
let simNow = NOW
let release: () => void = () => undefined
const released = new Promise<void>((resolve) => { release = resolve })
let held = false

const bridge = await startRecordingBridge({
  sim: { ...SIM, now: () => simNow },
  now: () => NOW,
  env: { UPSTREAM_PAGE_SIZE: '20', CACHE_TTL_S: '0', PAGE_SIZE: '1000', UPSTREAM_CONCURRENCY: '8' },
  beforeForward: async (r) => {
    if (held || !r.path.endsWith('/tasks') || r.params.get('page') !== '1') return
    held = true
    await released
  }
})
t.teardown(() => bridge.close())
simNow = T0

/**
 * The set of a load whose snapshot is at `at` (the simulator's clock). The
 * bridge takes BotCity's time from whole-second Date headers, so no task may
 * lie within a second of the horizon's start for the answer to be one set.
 */
function setAt(at: number): number[] {
  const all = bridge.sim.tasks(undefined, at)
  const start = at - 30 * DAY
  const near = all.filter((w) => Math.abs(Date.parse(w.dateCreation) - start) < 1000)
  if (near.length > 0) throw new Error(`a task lies within a second of the horizon's start at ${new Date(at).toISOString()}: change the seed`)
  return expectedTasks(all, at, 30).map((r) => r.id as number)
}

const expected = setAt(T0)
const created = bridge.sim.tasks().map((w) => Date.parse(w.dateCreation)).sort((a, b) => a - b)
const windowStart = T0 - WINDOW_DAYS * DAY
/** Tasks leaving the window when the clock moves by `dt`. */
const expired = (dt: number): number => created.filter((c) => c >= windowStart && c < windowStart + dt).length
/** Tasks the simulator creates at the head when the clock moves by `dt`. */
const arrived = (dt: number): number => Math.floor((dt / 1000) * GROWTH_PER_S + 1e-9)

/** A clock step (< 1 day, so the window still covers the set) with as many arrivals as expiries, at least one, clear of the boundaries by a second. */
function balancedStep(): number {
  for (let dt = 1000; dt < DAY; dt += 1000) {
    const n = arrived(dt)
    if (n >= 1 && n === expired(dt) && arrived(dt - 1000) === expired(dt - 1000) && arrived(dt + 1000) === n && expired(dt + 1000) === n) return dt
  }
  throw new Error('no balanced clock step in a day: change the seed')
}

t.test('a balanced change between two reads of one batch: every task exactly once', async (t) => {
  const dt = balancedStep()
  const load = (async () => {
    const ids: number[] = []
    let next: string | undefined = `${bridge.feed}Tasks?$select=id`
    while (next !== undefined) {
      const res = await fetch(next)
      const text = await res.text()
      t.equal(res.status, 200, res.status === 200 ? 'a page' : text)
      const page = JSON.parse(text) as { value: { id: number }[]; '@odata.nextLink'?: string }
      ids.push(...page.value.map((r) => r.id))
      next = page['@odata.nextLink']
    }
    return ids
  })()
  // Pages 2–8 of the first batch are answered in the old state...
  while (bridge.upstream.filter((r) => r.path.endsWith('/tasks') && Number(r.params.get('page')) >= 2 && r.answered === true).length < 7) await new Promise((r) => setTimeout(r, 5))
  // ...then the upstream changes without changing its total, and page 1 is answered.
  const totalBefore = await totalOfWindow()
  simNow = T0 + dt
  t.equal(await totalOfWindow(), totalBefore, `the clock moved ${dt / 1000} s: ${arrived(dt)} new task(s), ${expired(dt)} expired, the same totalElements`)
  release()
  const ids = await load
  t.equal(new Set(ids).size, ids.length, 'no task twice')
  t.same(ids, expected, `all ${expected.length} tasks of the set, in upstream order`)
  const reads = bridge.upstream.filter((r) => r.path.endsWith('/tasks') && r.params.get('page') === '2').length
  t.ok(reads >= 2, `page 2, answered before the change, was read again (${reads} reads)`)
})

async function totalOfWindow(): Promise<number> {
  const sim = bridge.sim
  const login = await fetch(`${sim.url}/api/v2/workspace/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: sim.options.login, key: sim.options.key }) })
  const { accessToken } = await login.json() as { accessToken: string }
  const res = await fetch(`${sim.url}/api/v1/insights/tasks?page=0&days=${WINDOW_DAYS}`, { headers: { token: accessToken, organization: sim.options.login } })
  return (await res.json() as { totalElements: number }).totalElements
}

t.test('a page cached before such a change is read again, not trusted', async (t) => {
  let clock = NOW
  const cached = await startRecordingBridge({
    sim: { ...SIM, now: () => clock },
    now: () => NOW,
    env: { UPSTREAM_PAGE_SIZE: '20', CACHE_TTL_S: '3600', PAGE_SIZE: '1000' }
  })
  t.teardown(() => cached.close())
  clock = T0
  // A $skip window caches pages 5–10 in the old state...
  t.equal((await fetch(`${cached.feed}Tasks?$skip=100&$top=120&$select=id`)).status, 200)
  // ...the upstream changes without changing its total...
  const dt = balancedStep()
  clock = T0 + dt
  // ...and a full load starts: its first page is read fresh, in the new state.
  cached.upstream.length = 0
  const ids: number[] = []
  let next: string | undefined = `${cached.feed}Tasks?$select=id`
  while (next !== undefined) {
    const page = await (await fetch(next)).json() as { value: { id: number }[]; '@odata.nextLink'?: string }
    ids.push(...page.value.map((r) => r.id))
    next = page['@odata.nextLink']
  }
  // The load started after the change: its set is the one at T0 + dt.
  const after = setAt(T0 + dt)
  t.same(ids, after, `all ${after.length} tasks of the set exactly once`)
  const rereads = cached.upstream.filter((r) => r.path.endsWith('/tasks') && Number(r.params.get('page')) >= 5 && Number(r.params.get('page')) <= 10).length
  t.equal(rereads, 6, 'pages 5–10, cached before the change, were read again')
})
