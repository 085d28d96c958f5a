import t from 'tap'
import { UPSTREAM_PATHS } from '../../src/upstream/wire.js'
import type { SpringPage, WireTask } from '../../src/upstream/wire.js'
import { START_MS, createdMs, getJson, login, manualClock, simulator } from './fixtures/simulator.js'

type TaskPage = SpringPage<WireTask>

t.test('new tasks appear at the head as the clock advances, shifting every page', async (t) => {
  const clock = manualClock()
  const sim = await simulator(t, { now: clock.now, tasks: 300, growthPerS: 2 })
  const headers = await login(sim)
  const before = (await getJson<TaskPage>(sim, UPSTREAM_PATHS.tasks, headers)).body
  clock.advance(5_000)
  const after = (await getJson<TaskPage>(sim, UPSTREAM_PATHS.tasks, headers)).body
  t.equal(after.totalElements, before.totalElements + 10, '2 per second for 5 seconds')
  const ids = (tasks: readonly WireTask[]): number[] => tasks.map((task) => task.id)
  t.same(ids(after.content.slice(10)), ids(before.content.slice(0, 10)), 'the old head moved down by 10')
  const fresh = after.content.slice(0, 10)
  t.ok(fresh.every((task) => (task.state === 'START' && task.machineId === null) || (task.state === 'RUNNING' && task.machineId !== null)), 'new tasks are queued or just started')
  t.ok(fresh.every((task) => createdMs(task) > START_MS && createdMs(task) <= START_MS + 5_000))
  t.same(fresh.map((task) => createdMs(task) - START_MS), [5000, 4500, 4000, 3500, 3000, 2500, 2000, 1500, 1000, 500])
  t.ok(fresh.every((task, i) => task.id > (after.content[i + 1] as WireTask).id), 'ids keep increasing')
  t.same(sim.tasks().slice(0, 20), after.content, 'the oracle sees the same head')
  const page1 = (await getJson<TaskPage>(sim, `${UPSTREAM_PATHS.tasks}?page=1`, headers)).body
  t.same(ids(page1.content.slice(0, 10)), ids(before.content.slice(10, 20)), 'the next page shifts too')
})

t.test('growth is deterministic however the clock is sampled', async (t) => {
  const c1 = manualClock()
  const c2 = manualClock()
  const a = await simulator(t, { now: c1.now, tasks: 50, growthPerS: 10 })
  const b = await simulator(t, { now: c2.now, tasks: 50, growthPerS: 10 })
  for (let i = 0; i < 10; i++) {
    c1.advance(1_000)
    a.tasks()
  }
  c2.advance(10_000)
  t.same(a.tasks(), b.tasks())
  t.equal(a.tasks().length, 150)
  t.same(a.automations(1), b.automations(1), 'aggregates include the new tasks')
  t.equal(a.automations(1).reduce((sum, x) => sum + x.taskCount, 0), a.tasks().filter((x) => createdMs(x) >= START_MS + 10_000 - 86_400_000).length)
})

t.test('a clock moved back hides tasks created after it', async (t) => {
  const clock = manualClock()
  const sim = await simulator(t, { now: clock.now, tasks: 20, growthPerS: 1 })
  clock.advance(10_000)
  t.equal(sim.tasks().length, 30)
  clock.set(START_MS + 4_000)
  t.equal(sim.tasks().length, 24)
})
