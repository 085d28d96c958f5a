// A refresh after a refresh reads no page past its set: the first load of a
// horizon finds where it ends by reading (batches sized from creation rates
// can end a page past it, at a lull just before the horizon's first day);
// the next load knows from the first's reads where that day falls in the
// upstream order (upstream/order-marks.ts) and stops there — also when the
// clock has moved between the loads, new tasks have arrived at the head, tasks
// have changed state and the horizon's first day has moved on.
import t from 'tap'
import { getJson, startBridge } from '../fixtures/bridge.js'
import { expectedTasks } from '../fixtures/oracle.js'
import { quietStats } from '../fixtures/upstream-stats.js'

// A moment whose 7-day horizon starts just after a lull in the simulator's seeded history (as measured by the benchmark).
const NOW = Date.parse('2026-12-05T23:26:43Z')
const bridge = await startBridge({ sim: { tasks: 8000, historyDays: 120, now: () => NOW }, now: () => NOW, env: { PAGE_SIZE: '1000', UPSTREAM_CONCURRENCY: '8' } })
t.teardown(() => bridge.close())

/** A load followed through its nextLinks: the upstream calls it cost and the page reads it explained. */
async function load(path: string, on = bridge): Promise<{ rows: number; calls: number; reads: number }> {
  const before = await quietStats(on.sim)
  let url: string | undefined = `${on.feed}${path}`
  let rows = 0
  let reads = 0
  while (url !== undefined) {
    const { body } = await getJson(url, { headers: { prefer: 'odata.include-annotations="bridge.explain"' } })
    rows += (body.value as unknown[]).length
    reads += (body['@bridge.explain'] as { actual: { reads: number } }).actual.reads
    url = body['@odata.nextLink'] as string | undefined
  }
  const after = await quietStats(on.sim)
  return { rows, calls: after.tasks - before.tasks, reads }
}

t.test('the second load of a horizon stops at its end', async (t) => {
  const set = expectedTasks(bridge.sim.tasks(), NOW, 7).length
  // Positions 0 … set-1, and the row after them that shows the set ended.
  const minimum = Math.floor(set / 20) + 1
  const first = await load('Tasks?days=7')
  t.equal(first.rows, set)
  t.ok(first.calls >= minimum, `first load: ${first.calls} calls, ${minimum} at least`)
  const second = await load('Tasks?days=7&$select=id')
  t.equal(second.rows, set)
  t.equal(second.reads, minimum, `second load: ${second.reads} page reads, the ${minimum} its set is on (the first read ${first.reads})`)
})

t.test('with a clock that moves and an upstream that grows between the loads', async (t) => {
  let now = NOW
  const living = await startBridge({ sim: { tasks: 8000, historyDays: 120, growthPerS: 0.05, now: () => now }, now: () => now, env: { PAGE_SIZE: '1000', UPSTREAM_CONCURRENCY: '8' } })
  t.teardown(() => living.close())
  const first = await load('Tasks?days=7', living)
  t.equal(first.rows, expectedTasks(living.sim.tasks(), now, 7).length)
  for (const minutes of [50, 20, 45]) {
    const grownFrom = living.sim.tasks().length
    now += minutes * 60_000
    const set = expectedTasks(living.sim.tasks(), now, 7).length
    t.ok(living.sim.tasks().length > grownFrom, `${living.sim.tasks().length - grownFrom} new tasks at the head after ${minutes} minutes`)
    const again = await load('Tasks?days=7&$select=id', living)
    t.equal(again.rows, set, `the set as it stands ${minutes} minutes later`)
    t.equal(again.reads, Math.floor(set / 20) + 1, `${again.reads} page reads for ${set} tasks: none past the set's end`)
  }
})
