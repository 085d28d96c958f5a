// How the Tasks order is found (src/upstream/task-order.ts), against upstreams
// written here page by page: the answers a real one may give that the
// simulator does not (a sort refused with a 400, ties, one task).
import t from 'tap'
import { bridgeError } from '../../src/errors.js'
import { orderOf, probeTaskOrder } from '../../src/upstream/task-order.js'
import type { TaskOrderMemory, TaskOrderProbe } from '../../src/upstream/task-order.js'
import type { SpringPage, WireTask } from '../../src/upstream/wire.js'

const task = (id: number, ms: number): WireTask => ({ id, dateCreation: new Date(ms).toISOString() }) as WireTask

function page(content: WireTask[], number: number, total: number): SpringPage<WireTask> {
  const sort = { sorted: false, empty: true, unsorted: true }
  return { content, number, size: 20, totalElements: total, totalPages: Math.ceil(total / 20), first: number === 0, last: (number + 1) * 20 >= total, numberOfElements: content.length, empty: content.length === 0, pageable: { pageNumber: number, pageSize: 20, sort, offset: number * 20, paged: true, unpaged: false }, sort }
}

/** An upstream listing `tasks` as given, honouring sort=dateCreation,asc|desc or not, refusing it with a 400 or not. */
function upstream(tasks: WireTask[], how: 'ignores' | 'honours' | 'refuses'): { read: TaskOrderProbe; calls: string[] } {
  const calls: string[] = []
  const read: TaskOrderProbe = async (n, sort) => {
    calls.push(`${n}${sort === null ? '' : ` ${sort}`}`)
    if (sort !== null && how === 'refuses') throw bridgeError('UPSTREAM_ERROR', 'BotCity Insights answered with an error (400)')
    const rows = sort !== null && how === 'honours'
      ? [...tasks].sort((a, b) => (Date.parse(a.dateCreation) - Date.parse(b.dateCreation)) * (sort.endsWith('desc') ? -1 : 1))
      : tasks
    return page(rows.slice(n * 20, n * 20 + 20), n, rows.length)
  }
  return { read, calls }
}

const newest = Array.from({ length: 50 }, (_, i) => task(1000 - i, 1_700_000_000_000 - i * 60_000))

t.test('orderOf: equal milliseconds fit either order', async (t) => {
  t.equal(orderOf([task(1, 3), task(2, 3), task(3, 2), task(4, 2), task(5, 1)]), 'newest-first')
  t.equal(orderOf([task(1, 1), task(2, 2), task(3, 2)]), 'oldest-first')
  t.equal(orderOf([task(1, 1), task(2, 3), task(3, 2)]), 'unknown')
  t.equal(orderOf([task(1, 5), task(2, 5)]), null)
  t.equal(orderOf([]), null)
})

t.test('a route that honours sort: sorted, two calls', async (t) => {
  const u = upstream([...newest].reverse(), 'honours')
  t.same(await probeTaskOrder(u.read, 'a', new Map()), { order: 'newest-first', sorted: true, basis: 'probed' })
  t.same(u.calls, ['0 dateCreation,desc', '0 dateCreation,asc'])
})

t.test('a route that ignores sort: its own order from its first two pages', async (t) => {
  for (const [rows, order] of [[newest, 'newest-first'], [[...newest].reverse(), 'oldest-first'], [[...newest.slice(20), ...newest.slice(0, 20)], 'unknown']] as const) {
    const u = upstream([...rows], 'ignores')
    t.same(await probeTaskOrder(u.read, 'a', new Map()), { order, sorted: false, basis: 'probed' }, order)
    t.same(u.calls, ['0 dateCreation,desc', '0 dateCreation,asc', '1'])
  }
  // Each page newest first, but page 1 newer than page 0: only across pages does it show.
  const u = upstream([...newest.slice(20, 40), ...newest.slice(0, 20), ...newest.slice(40)], 'ignores')
  t.equal((await probeTaskOrder(u.read, 'a', new Map())).order, 'unknown', 'across pages')
})

t.test('a newest-first list growing between its two pages is still newest first', async (t) => {
  // Two new tasks arrive after page 0 is read: page 1 then starts with the last two rows of page 0.
  const tasks = [...newest]
  const calls: string[] = []
  const read: TaskOrderProbe = async (n, sort) => {
    calls.push(`${n}${sort === null ? '' : ` ${sort}`}`)
    if (n === 1) tasks.unshift(task(1002, 1_700_000_120_000), task(1001, 1_700_000_060_000))
    return page(tasks.slice(n * 20, n * 20 + 20), n, tasks.length)
  }
  t.same(await probeTaskOrder(read, 'a', new Map()), { order: 'newest-first', sorted: false, basis: 'probed' })
  t.same(calls, ['0 dateCreation,desc', '0 dateCreation,asc', '1'])
})

t.test('a route that refuses sort with a 400 does not honour it', async (t) => {
  const u = upstream([...newest].reverse(), 'refuses')
  t.same(await probeTaskOrder(u.read, 'a', new Map()), { order: 'oldest-first', sorted: false, basis: 'probed' })
  t.same(u.calls, ['0 dateCreation,desc', '0', '1'])
})

t.test('remembered per upstream; shared while in flight; not when the tasks show no order yet; not when it failed', async (t) => {
  const memory: TaskOrderMemory = new Map()
  const u = upstream(newest, 'ignores')
  const [a, b] = await Promise.all([probeTaskOrder(u.read, 'x', memory), probeTaskOrder(u.read, 'x', memory)])
  t.same(a, b)
  t.equal(u.calls.length, 3, 'one probe')
  await probeTaskOrder(u.read, 'x', memory)
  t.equal(u.calls.length, 3, 'remembered')
  const tied = upstream([task(1, 5), task(2, 5)], 'honours')
  t.equal((await probeTaskOrder(tied.read, 'y', memory)).order, 'newest-first', 'one millisecond fits any order')
  await new Promise((resolve) => setImmediate(resolve))
  t.notOk(memory.has('y'), 'asked again next time')
  const failing: TaskOrderProbe = async () => { throw bridgeError('UPSTREAM_UNAVAILABLE', 'down') }
  await t.rejects(probeTaskOrder(failing, 'z', memory))
  await new Promise((resolve) => setImmediate(resolve))
  t.notOk(memory.has('z'), 'a failure is not a finding')
})
