// The task ledger (src/upstream/task-ledger.ts) on lists made here: how pages
// read in any order, from any moment, are placed; what it serves and when it
// refuses; how it empties when a page disagrees with it.
import t from 'tap'
import { TaskLedger } from '../../src/upstream/task-ledger.js'
import type { LedgerOptions } from '../../src/upstream/task-ledger.js'
import type { ReadStamp } from '../../src/upstream/page-cache.js'
import type { SpringPage, WireTask } from '../../src/upstream/wire.js'

const P = 5
const DAY = 86_400_000
const T0 = Date.parse('2026-06-01T00:00:00Z')

function task(id: number, state = 'FINISHED', ageDays = 0): WireTask {
  const at = new Date(T0 + id * 60_000 - ageDays * DAY).toISOString()
  return {
    id, state, finishStatus: state === 'FINISHED' ? 'SUCCESS' : null, activityLabel: 'a', repositoryLabel: null, machineId: null,
    dateLastModified: at, dateCreation: at, dateStartRunning: null, processedItems: null, failedItems: null, totalItems: null
  }
}

/** The upstream list newest first: ids n … 1 (id k created k minutes after T0). */
function list(n: number, state: (id: number) => string = () => 'FINISHED'): WireTask[] {
  const out: WireTask[] = []
  for (let id = n; id >= 1; id--) out.push(task(id, state(id)))
  return out
}

function pageOf(rows: readonly WireTask[], k: number): SpringPage<WireTask> {
  const content = rows.slice(k * P, (k + 1) * P)
  const totalPages = Math.ceil(rows.length / P)
  return {
    content, number: k, size: P, totalElements: rows.length, totalPages, first: k === 0, last: k >= totalPages - 1,
    numberOfElements: content.length, empty: content.length === 0,
    pageable: { pageNumber: k, pageSize: P, sort: { sorted: false, empty: true, unsorted: true }, offset: k * P, paged: true, unpaged: false },
    sort: { sorted: false, empty: true, unsorted: true }
  }
}

let tick = 0
/** A read stamp after every earlier one. */
const read = (): ReadStamp => ({ started: ++tick, ended: ++tick })

function setup(options: Partial<LedgerOptions> = {}): { ledger: TaskLedger; clock: { now: number } } {
  const clock = { now: T0 + 10 * DAY }
  const ledger = new TaskLedger({ ttlMs: 60_000, verifyMs: DAY, maxBytes: 1e9, now: () => clock.now, upstreamNow: () => clock.now, windowDays: 3652, ...options })
  return { ledger, clock }
}

const ids = (p: SpringPage<WireTask> | undefined): number[] => (p?.content ?? []).map((r) => r.id)

t.test('pages read in order from the head build the ledger; it serves them as read', async (t) => {
  const { ledger } = setup()
  const rows = list(23)
  const stamps: ReadStamp[] = []
  for (let k = 0; k < 5; k++) { stamps.push(read()); ledger.note(pageOf(rows, k), stamps[k] as ReadStamp, 0) }
  t.equal(ledger.stats().tasks, 23)
  for (let k = 0; k < 5; k++) {
    const served = ledger.page(k)
    t.same(ids(served?.value), ids(pageOf(rows, k)), `page ${k}`)
    t.equal(served?.value.totalElements, 23)
    t.same(served?.stamp, stamps[4], 'with the stamp of the latest read that placed it')
  }
  t.same(ids(ledger.page(5)?.value), [], 'past the end: empty, as the list is held to its end')
  t.equal(ledger.page(5)?.value.last, true)
})

t.test('a page that cannot be placed yet waits, and joins when the page before it arrives', async (t) => {
  const { ledger } = setup()
  const rows = list(20)
  ledger.note(pageOf(rows, 0), read(), 0)
  // Pages 1 and 2 read at once (as a batch is), page 2 answered first.
  const s1 = read()
  const s2 = { started: s1.started, ended: s1.ended + 1 }
  tick++
  ledger.note(pageOf(rows, 2), s2, 0)
  t.equal(ledger.stats().tasks, 5, 'page 2 waits: nothing places it')
  ledger.note(pageOf(rows, 1), s1, 0)
  t.equal(ledger.stats().tasks, 15, 'page 1 joined, and page 2 after it')
  const later = setup().ledger
  // Page 1 read, then a task arrives, then page 0 read: joined, page 1 would skip task 16.
  const early = read()
  later.note(pageOf(list(21), 0), read(), 0)
  later.note(pageOf(list(20), 1), early, 0)
  t.equal(later.stats().tasks, 5, 'a page below read at another total does not join: the tasks that arrived moved the list under it')
  t.equal(later.page(1), null)
  // The same total, but read wholly before the read that placed the ledger: as many tasks may have left the tail as arrived.
  const churn = setup().ledger
  const older = read()
  churn.note(pageOf(rows, 0), read(), 0)
  churn.note(pageOf(rows, 1), older, 0)
  t.equal(churn.stats().tasks, 5, 'a page below read wholly before, at the same total, does not join (test/e2e/hidden-churn.test.ts)')
  // Many tasks arrive after the ledger was placed: the page where its oldest task ended now holds new ones.
  const moved = setup().ledger
  moved.note(pageOf(list(10), 0), read(), 0)
  moved.note(pageOf(list(10), 1), read(), 0)
  moved.note(pageOf(list(40), 2), read(), 0)
  t.equal(moved.stats().tasks, 10, 'a page read after 30 tasks arrived, where the ledger ended, does not join below it')
  t.equal(moved.stats().resets, 0)
  const slow = setup().ledger
  slow.note(pageOf(rows, 0), { started: 1, ended: 2 }, 0)
  slow.note(pageOf(rows, 1), { started: 61_000_003, ended: 61_000_004 }, 0)
  t.equal(slow.stats().tasks, 5, 'nor one read more than CACHE_TTL_S after, at the same total: as many tasks may have left as arrived')
  t.same(ids(ledger.page(2)?.value), ids(pageOf(rows, 2)))
  t.equal(ledger.page(3), null, 'a page not read is not served')
})

t.test('a page of the empty ledger other than the first waits: the ledger starts at the head', async (t) => {
  const { ledger } = setup()
  ledger.note(pageOf(list(20), 1), read(), 0)
  t.equal(ledger.stats().tasks, 0)
})

t.test('tasks arriving between reads: pages placed by the ids they share, served as of the newest read', async (t) => {
  const { ledger } = setup()
  const before = list(20)
  ledger.note(pageOf(before, 0), read(), 0)
  ledger.note(pageOf(before, 1), read(), 0)
  // Three tasks arrive: every task moves three places down.
  const after = list(23)
  const s = read()
  ledger.note(pageOf(after, 2), s, 0)
  t.equal(ledger.stats().tasks, 12, 'page 2 read later overlaps what is held by three tasks: two new below')
  t.equal(ledger.page(0), null, 'the three new tasks are not held: page 0 is read')
  t.same(ids(ledger.page(1)?.value), ids(pageOf(after, 1)), 'page 1 as the upstream lists it now')
  t.equal(ledger.page(1)?.value.totalElements, 23)
  t.same(ledger.page(1)?.stamp, s)
  // The head read now holds the three: it joins above.
  ledger.note(pageOf(after, 0), read(), 0)
  t.same(ids(ledger.page(0)?.value), ids(pageOf(after, 0)))
  t.equal(ledger.stats().tasks, 15)
})

t.test('new tasks above the ledger: pages read before the one that places them join it, a page read after with another total does not', async (t) => {
  const { ledger } = setup()
  const old = list(10)
  ledger.note(pageOf(old, 0), read(), 0)
  ledger.note(pageOf(old, 1), read(), 0)
  const now = list(22)
  // Pages 0 and 1 are all new (12 new tasks): they wait; page 2 shares tasks and places the ledger.
  ledger.note(pageOf(now, 0), read(), 0)
  ledger.note(pageOf(now, 1), read(), 0)
  ledger.note(pageOf(now, 2), read(), 0)
  t.equal(ledger.stats().tasks, 22, 'all joined, from the bottom up')
  t.same(ids(ledger.page(0)?.value), ids(pageOf(now, 0)))

  const second = setup().ledger
  second.note(pageOf(old, 0), read(), 0)
  second.note(pageOf(old, 1), read(), 0)
  const placing = list(20)
  second.note(pageOf(placing, 2), read(), 0)
  // A page 1 read after the placing read, with one more task: the task at its end may be missing.
  second.note(pageOf(list(21), 1), read(), 0)
  t.equal(second.stats().tasks, 10, 'it does not join: its read may have missed a task between it and the ledger')
  t.equal(second.page(1), null)
})

t.test('a page whose tasks stand elsewhere than the ledger has them empties it', async (t) => {
  const { ledger } = setup()
  const rows = list(15)
  for (let k = 0; k < 3; k++) ledger.note(pageOf(rows, k), read(), 0)
  // Task 9 disappears from the middle while one arrives: the total hides it, the ids do not.
  const changed = list(16).filter((r) => r.id !== 9)
  ledger.note(pageOf(changed, 1), read(), 0)
  t.equal(ledger.stats().tasks, 0, 'emptied')
  t.equal(ledger.stats().resets, 1)
  t.equal(ledger.page(0), null, 'nothing served: the bridge reads again')
})

t.test('a page out of the newest-first order empties the ledger', async (t) => {
  const { ledger } = setup()
  const rows = list(10)
  ledger.note(pageOf(rows, 0), read(), 0)
  const swapped = pageOf(rows, 1)
  ledger.note({ ...swapped, content: [...swapped.content].reverse() }, read(), 0)
  t.equal(ledger.stats().tasks, 0)
})

t.test('what is served, and for how long', async (t) => {
  const { ledger, clock } = setup()
  // Task 7 is running; the others are final.
  const rows = list(15, (id) => (id === 7 ? 'RUNNING' : 'FINISHED'))
  for (let k = 0; k < 3; k++) ledger.note(pageOf(rows, k), read(), 0)
  clock.now += 59_000
  t.ok(ledger.page(1) !== null, 'within CACHE_TTL_S: every page')
  clock.now += 2000
  t.equal(ledger.page(0), null, 'past CACHE_TTL_S since the latest read placed it: the head may have moved, nothing is served')
  ledger.note(pageOf(rows, 0), read(), 0)
  t.ok(ledger.page(0) !== null, 'a new read of the head places it again')
  t.equal(ledger.page(1), null, 'the page of the running task read more than CACHE_TTL_S ago is read again')
  t.ok(ledger.page(2) !== null, 'final tasks stand')
  t.same(ledger.holds(1), false)
  t.same(ledger.holds(2), true)
})

t.test('a final task is read again between half and all of LEDGER_VERIFY_H after it was first read, by its date', async (t) => {
  const { ledger, clock } = setup({ ttlMs: 10 * DAY })
  const rows = list(200)
  for (let k = 0; k < 40; k++) ledger.note(pageOf(rows, k), read(), 0)
  clock.now += DAY / 2 - 1000
  let served = 0
  for (let k = 0; k < 40; k++) if (ledger.page(k) !== null) served++
  t.equal(served, 40, 'none before half the interval')
  clock.now += DAY / 2 + 2000
  served = 0
  for (let k = 0; k < 40; k++) if (ledger.page(k) !== null) served++
  t.equal(served, 0, 'all after the whole interval')
})

t.test('the oldest tasks leave the window: dropped when old enough, else the ledger empties', async (t) => {
  const windowDays = 30
  const { ledger, clock } = setup({ windowDays })
  // Ids 1–5 are 40 days old; the rest are new.
  const rows = list(15).map((r) => (r.id <= 5 ? task(r.id, 'FINISHED', 40) : r))
  for (let k = 0; k < 3; k++) ledger.note(pageOf(rows, k), read(), 0)
  clock.now = T0 + 1000
  const left = rows.slice(0, 10)
  ledger.note(pageOf(left, 1), read(), 0)
  t.equal(ledger.stats().tasks, 10, 'the five old tasks left the tail')
  t.equal(ledger.stats().resets, 0)
  t.same(ids(ledger.page(2)?.value), [], 'the list ends where the upstream says')
  // Now tasks of the last days go missing: not tasks leaving the window.
  ledger.note(pageOf(left.slice(0, 7), 1), read(), 0)
  t.equal(ledger.stats().resets, 1)
  t.equal(ledger.stats().tasks, 0)
})

t.test('the byte bound keeps the newest tasks; beyond them pages are read', async (t) => {
  const { ledger } = setup({ maxBytes: 20 * 500 })
  const rows = list(60)
  for (let k = 0; k < 12; k++) ledger.note(pageOf(rows, k), read(), 0)
  const held = ledger.stats().tasks
  t.ok(held > 0 && held < 60, `${held} of 60 held`)
  t.ok(ledger.stats().bytes <= 20 * 500)
  t.ok(ledger.page(0) !== null, 'the newest are served')
  t.equal(ledger.page(11), null, 'the oldest are read')
})

t.test('later(): a page the ledger may serve once the page holding its newest task is read', async (t) => {
  const { ledger, clock } = setup()
  const old = list(20)
  for (let k = 0; k < 4; k++) ledger.note(pageOf(old, k), read(), 0)
  t.equal(ledger.later(2), false, 'placed within CACHE_TTL_S: no need to wait')
  clock.now += 120_000
  const now = list(32)
  ledger.note(pageOf(now, 0), read(), 0)
  t.equal(ledger.later(1), false, 'page 1 holds new tasks (12 arrived): read it')
  t.equal(ledger.later(3), true, 'page 3 lies where the held tasks stand now: wait for the pages before it')
  ledger.note(pageOf(now, 1), read(), 0)
  ledger.note(pageOf(now, 2), read(), 0)
  t.equal(ledger.later(3), false)
  t.same(ids(ledger.page(3)?.value), ids(pageOf(now, 3)), 'served')
})

t.test('pages of new tasks read together join upward, each against the read that saw the task it meets', async (t) => {
  const { ledger } = setup()
  const old = list(10)
  ledger.note(pageOf(old, 0), read(), 0)
  ledger.note(pageOf(old, 1), read(), 0)
  // 40 tasks arrive; pages 6 and 7 (all new) are read in one batch with page 8...
  const batch = list(50)
  const base = (tick += 10)
  ledger.note(pageOf(batch, 6), { started: base, ended: base + 100 }, 0)
  ledger.note(pageOf(batch, 7), { started: base + 1, ended: base + 101 }, 0)
  t.equal(ledger.stats().tasks, 10, 'they wait: nothing places them yet')
  // ...whose read came after one more task arrived: it holds page 7's last task, and the ledger's newest.
  ledger.note(pageOf(list(51), 8), { started: base + 2, ended: base + 200 }, 0)
  t.equal(ledger.stats().tasks, 20, 'page 8 placed, page 7 by the task they share, page 6 against page 7\'s read (same moment, same total)')
  t.same(ids(ledger.page(7)?.value), ids(pageOf(list(51), 7)), 'served as the upstream lists it after the arrival')
  t.equal(ledger.page(6), null, 'page 6 now starts with task 21, which it does not hold')
})

t.test('a kept ledger is taken only when it was placed later, and holds together', async (t) => {
  const { ledger } = setup()
  const rows = list(10)
  ledger.note(pageOf(rows, 0), read(), 0)
  const snapshot = ledger.snapshot()
  t.ok(snapshot !== null)
  const other = setup().ledger
  t.equal(other.restore(snapshot as NonNullable<typeof snapshot>), true, 'an empty ledger takes it')
  t.same(ids(other.page(0)?.value), ids(pageOf(rows, 0)))
  t.equal(ledger.restore(snapshot as NonNullable<typeof snapshot>), false, 'not one placed by the same read')
  const twice = { ...(snapshot as NonNullable<typeof snapshot>), align: { ...(snapshot as NonNullable<typeof snapshot>).align, stamp: { started: 1e15, ended: 1e15 + 1 } } }
  t.equal(setup().ledger.restore({ ...twice, entries: [...twice.entries, twice.entries[0] as (typeof twice.entries)[number]] }), false, 'not one holding a task twice')
  t.equal(setup().ledger.restore({ ...twice, entries: [...twice.entries].reverse() }), false, 'not one out of the newest-first order')
})

t.test('hundreds of pages of new tasks, read before the page that places them, all join', async (t) => {
  const { ledger } = setup()
  const old = list(10)
  ledger.note(pageOf(old, 0), read(), 0)
  ledger.note(pageOf(old, 1), read(), 0)
  const now = list(1510)
  for (let k = 0; k < 300; k++) ledger.note(pageOf(now, k), read(), 0)
  t.equal(ledger.stats().tasks, 10, '300 pages of new tasks wait')
  ledger.note(pageOf(now, 300), read(), 0)
  t.equal(ledger.stats().tasks, 1510, 'all joined once the page holding the newest known task was read')
  t.same(ids(ledger.page(0)?.value), ids(pageOf(now, 0)))
  t.same(ids(ledger.page(301)?.value), ids(pageOf(now, 301)))
})
