// Tasks live: each is shown as it stands at the simulator's clock, so between
// two reads recent tasks are taken by a runner, report items and end; the
// clock can run faster than real time and be set apart from it.
import t from 'tap'
import { UPSTREAM_PATHS } from '../../src/upstream/wire.js'
import type { SpringPage, WireTask } from '../../src/upstream/wire.js'
import { DAY_MS, START_MS, createdMs, getJson, login, manualClock, simulator } from './fixtures/simulator.js'

type TaskPage = SpringPage<WireTask>
const FINAL = new Set(['FINISHED', 'CANCELED'])
const ORDER: Record<string, number> = { START: 0, RUNNING: 1, FINISHED: 2, CANCELED: 2 }
const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso))

t.test('recent tasks progress between two reads, and only forward', async (t) => {
  const clock = manualClock()
  const sim = await simulator(t, { now: clock.now, tasks: 3000, growthPerS: 0.05 })
  const byId = (tasks: readonly WireTask[]): Map<number, WireTask> => new Map(tasks.map((task) => [task.id, task]))
  let previous = byId(sim.tasks())
  const changed = new Set<string>()
  let transitions = 0
  for (let step = 0; step < 48; step++) {
    clock.advance(30 * 60_000)
    const now = byId(sim.tasks())
    for (const [id, before] of previous) {
      const after = now.get(id) as WireTask
      if (JSON.stringify(after) === JSON.stringify(before)) continue
      if (FINAL.has(before.state)) t.fail(`task ${id} changed after it ended: ${before.state} → ${after.state}`)
      if ((ORDER[after.state] as number) < (ORDER[before.state] as number)) t.fail(`task ${id} went back: ${before.state} → ${after.state}`)
      if (after.state !== before.state) transitions++
      for (const key of Object.keys(before) as (keyof WireTask)[]) if (before[key] !== after[key]) changed.add(key)
      if ((after.processedItems ?? 0) < (before.processedItems ?? 0)) t.fail(`task ${id} lost processed items`)
      if ((ms(after.dateLastModified) ?? 0) < (ms(before.dateLastModified) ?? 0)) t.fail(`task ${id} dateLastModified went back`)
      if (after.dateCreation !== before.dateCreation || after.activityLabel !== before.activityLabel) t.fail(`task ${id} changed what never changes`)
    }
    previous = now
  }
  t.ok(transitions > 50, `states changed ${transitions} times over a simulated day`)
  t.same([...changed].sort(), ['dateLastModified', 'dateStartRunning', 'failedItems', 'finishStatus', 'machineId', 'processedItems', 'state', 'totalItems'].filter((k) => changed.has(k)).sort(), 'only the fields a run changes')
  for (const key of ['state', 'finishStatus', 'machineId', 'dateStartRunning', 'dateLastModified', 'processedItems']) t.ok(changed.has(key), `${key} changed`)
})

t.test('most runs take minutes, some take hours, a few stay RUNNING for days', async (t) => {
  const clock = manualClock()
  const sim = await simulator(t, { now: clock.now, tasks: 20_000, historyDays: 365, growthPerS: 0.001 })
  const ended = sim.tasks().filter((task) => task.state === 'FINISHED')
  const durations = ended.map((task) => (ms(task.dateLastModified) as number) - (ms(task.dateStartRunning) as number)).sort((a, b) => a - b)
  const median = durations[Math.floor(durations.length / 2)] as number
  t.ok(median < 3_600_000, `the median run takes minutes (${Math.round(median / 60_000)} min)`)
  t.ok(durations.filter((d) => d > 3_600_000).length > ended.length * 0.02, 'more than 2% took over an hour')
  t.ok(durations.some((d) => d > 2 * DAY_MS), 'some ran for days')
  let stuck = 0
  for (let step = 0; step < 28; step++) {
    clock.advance(DAY_MS / 2)
    stuck = Math.max(stuck, sim.tasks().filter((task) => task.state === 'RUNNING' && clock.now() - (ms(task.dateStartRunning) as number) > DAY_MS).length)
  }
  t.ok(stuck > 0, `over two weeks, up to ${stuck} task(s) at once RUNNING for more than a day`)
})

t.test('aggregates follow the tasks as they progress', async (t) => {
  const clock = manualClock()
  const sim = await simulator(t, { now: clock.now, tasks: 2000, historyDays: 30 })
  const sum = (rows: readonly { sumItemsProcessed: number }[]): number => rows.reduce((s, a) => s + a.sumItemsProcessed, 0)
  const processed = (tasks: readonly WireTask[]): number => tasks.reduce((s, task) => s + (task.processedItems ?? 0), 0)
  const before = sim.automations(30)
  t.equal(sum(before), processed(sim.tasks()), 'sumItemsProcessed is the sum over the tasks now')
  clock.advance(2 * 3_600_000)
  const after = sim.automations(30)
  t.equal(sum(after), processed(sim.tasks().filter((task) => createdMs(task) >= clock.now() - 30 * DAY_MS)), 'and two hours later')
  t.ok(sum(after) !== sum(before), 'the figures moved')
  const inWindow = sim.tasks().filter((task) => createdMs(task) >= clock.now() - 30 * DAY_MS)
  for (const runner of sim.runners(30)) {
    const own = inWindow.filter((task) => task.machineId === runner.id)
    t.same([runner.tasks, runner.items, runner.itemsErrorCount], [own.length, own.reduce((s, x) => s + (x.totalItems ?? 0), 0), own.reduce((s, x) => s + (x.failedItems ?? 0), 0)], `runner ${runner.id}: its tasks as they stand now`)
  }
})

t.test('the oracle shows any past instant', async (t) => {
  const clock = manualClock()
  const sim = await simulator(t, { now: clock.now, tasks: 500, growthPerS: 1 })
  const at0 = sim.tasks()
  clock.advance(3_600_000)
  t.equal(sim.tasks().length, at0.length + 3600)
  t.same(sim.tasks(undefined, START_MS), at0, 'the list as it stood an hour ago')
})

t.test('--time-scale runs the data clock faster; --clock-offset-s sets it apart', async (t) => {
  const clock = manualClock()
  const sim = await simulator(t, { now: clock.now, tasks: 100, growthPerS: 1, timeScale: 60, clockOffsetS: -300 })
  t.equal(sim.now(), START_MS - 300_000, 'five minutes behind')
  clock.advance(1000)
  t.equal(sim.now(), START_MS - 300_000 + 60_000, 'one real second is a simulated minute')
  const headers = await login(sim)
  const page = await getJson<TaskPage>(sim, `${UPSTREAM_PATHS.tasks}?days=1`, headers)
  t.equal(page.body.totalElements, sim.tasks().filter((task) => createdMs(task) >= sim.now() - DAY_MS).length)
  t.equal(sim.tasks().length, 100 + 60, 'growth follows the data clock')
  t.equal(Date.parse(page.headers.get('date') as string), Math.floor(sim.now() / 1000) * 1000, 'the Date header is the data clock')
  clock.advance(60_000)
  const again = await getJson<TaskPage>(sim, `${UPSTREAM_PATHS.tasks}?days=1`, headers)
  t.equal(again.status, 200, 'a token keeps the real clock: an hour of simulated time later it still works')
})
