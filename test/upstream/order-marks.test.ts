// Marks of the Tasks order: a row's date and how many rows the upstream listed
// after it — unchanged by new tasks at the head, kept sorted and bounded.
import t from 'tap'
import { OrderMarks } from '../../src/upstream/order-marks.js'
import type { SpringPage, WireTask } from '../../src/upstream/wire.js'

const MINUTE = 60_000
const START = Date.parse('2026-01-01T00:00:00Z')

/** Page `number` of an order of `n` tasks, newest first, one a minute (task i created at START + i minutes). */
function page(n: number, number: number, size = 20): SpringPage<WireTask> {
  const content: WireTask[] = []
  for (let pos = number * size; pos < Math.min(n, (number + 1) * size); pos++) {
    const i = n - 1 - pos
    content.push({ id: i, dateCreation: new Date(START + i * MINUTE).toISOString() } as WireTask)
  }
  return { content, number, size, totalElements: n, totalPages: Math.ceil(n / size), last: (number + 1) * size >= n } as SpringPage<WireTask>
}

t.test('a page gives its first and last rows; new tasks at the head change nothing', async (t) => {
  const marks = new OrderMarks()
  marks.notePage(page(1000, 3))
  // Positions 60 and 79 of 1000: tasks 939 and 920, with 939 and 920 listed after them.
  t.same(marks.list(), [{ date: START + 920 * MINUTE, older: 920 }, { date: START + 939 * MINUTE, older: 939 }])
  // 37 tasks later the same rows are on other pages, with the same marks.
  marks.notePage(page(1037, 4))
  marks.notePage(page(1037, 5))
  const seen = marks.list()
  t.ok(seen.some((m) => m.date === START + 920 * MINUTE && m.older === 920))
  t.equal(new Set(seen.map((m) => `${m.date} ${m.older}`)).size, seen.length, 'no mark twice')
  t.ok(seen.every((m) => m.older === (m.date - START) / MINUTE), 'every mark: as many older tasks as minutes since the first')
})

t.test('a long read is thinned evenly, sorted, within bounds', async (t) => {
  const marks = new OrderMarks()
  const n = 40_000
  for (let p = 0; p < n / 20; p++) marks.notePage(page(n, p))
  const seen = marks.list()
  t.ok(seen.length <= 1024, `${seen.length} marks`)
  t.ok(seen.length > 400, 'still dense enough to place a date within a few pages')
  t.ok(seen.every((m, i) => i === 0 || (seen[i - 1] as { date: number }).date <= m.date), 'sorted by date')
  t.same(seen.at(-1), { date: START + (n - 1) * MINUTE, older: n - 1 }, 'the newest mark is kept')
  const gaps = seen.slice(1).map((m, i) => m.older - (seen[i] as { older: number }).older)
  t.ok(Math.max(...gaps) <= 2 * (n / seen.length), `gaps of at most ${Math.max(...gaps)} rows (${Math.round(n / seen.length)} on average)`)
})
