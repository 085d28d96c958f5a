import t from 'tap'
import { UPSTREAM_PATHS } from '../../src/upstream/wire.js'
import type { SpringPage, WireTask } from '../../src/upstream/wire.js'
import { DAY_MS, START_MS, createdMs, getJson, login, manualClock, simulator } from './fixtures/simulator.js'
import type { Headers } from './fixtures/simulator.js'
import type { Simulator } from '../../src/simulator/index.js'

type TaskPage = SpringPage<WireTask>

async function tasksPage(sim: Simulator, headers: Headers, query: string): Promise<TaskPage> {
  const { status, body } = await getJson<TaskPage>(sim, `${UPSTREAM_PATHS.tasks}?${query}`, headers)
  if (status !== 200) throw new Error(`tasks?${query} answered ${status}`)
  return body
}

async function allPages(sim: Simulator, headers: Headers, days: number): Promise<{ rows: WireTask[]; pages: TaskPage[] }> {
  const rows: WireTask[] = []
  const pages: TaskPage[] = []
  for (let page = 0; ; page++) {
    const body = await tasksPage(sim, headers, `page=${page}&days=${days}`)
    pages.push(body)
    rows.push(...body.content)
    if (body.last || body.empty) return { rows, pages }
  }
}

t.test('paging to the end returns the window exactly once, newest first', async (t) => {
  const clock = manualClock()
  const sim = await simulator(t, { now: clock.now, tasks: 1000, historyDays: 90 })
  const headers = await login(sim)
  const { rows, pages } = await allPages(sim, headers, 30)
  const expected = sim.tasks().filter((task) => createdMs(task) >= START_MS - 30 * DAY_MS)
  t.ok(expected.length > 200 && expected.length < 1000, `30 of 90 days hold a share of the tasks (${expected.length})`)
  t.same(rows, expected)
  t.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'no duplicates')
  const first = pages[0] as TaskPage
  t.match(first, {
    number: 0, size: 20, first: true, last: false, numberOfElements: 20, empty: false,
    totalElements: expected.length, totalPages: Math.ceil(expected.length / 20),
    pageable: { pageNumber: 0, pageSize: 20, offset: 0, paged: true, unpaged: false, sort: { sorted: false, empty: true, unsorted: true } },
    sort: { sorted: false, empty: true, unsorted: true }
  })
  const last = pages[pages.length - 1] as TaskPage
  t.equal(pages.length, first.totalPages)
  t.match(last, { last: true, first: false, numberOfElements: expected.length - 20 * (pages.length - 1), pageable: { offset: 20 * (pages.length - 1) } })
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1] as WireTask, rows[i] as WireTask]
    if (!(createdMs(a) >= createdMs(b) && a.id > b.id)) t.fail(`row ${i} is not newest first`)
  }
})

t.test('days defaults to 30 and filters on dateCreation relative to now', async (t) => {
  const clock = manualClock()
  const sim = await simulator(t, { now: clock.now, tasks: 600, historyDays: 60 })
  const headers = await login(sim)
  const all = sim.tasks()
  for (const days of [0, 1, 7, 30, 60, 365]) {
    const body = await tasksPage(sim, headers, `days=${days}`)
    t.equal(body.totalElements, all.filter((task) => createdMs(task) >= START_MS - days * DAY_MS).length, `days=${days}`)
  }
  t.equal((await tasksPage(sim, headers, '')).totalElements, (await tasksPage(sim, headers, 'days=30')).totalElements)
  t.equal((await tasksPage(sim, headers, 'days=60')).totalElements, all.length, 'the whole history fits in historyDays')
  clock.advance(10 * DAY_MS)
  const later = await tasksPage(sim, await login(sim), 'days=30')
  t.equal(later.totalElements, all.filter((task) => createdMs(task) >= START_MS - 20 * DAY_MS).length, 'the window moves with the clock')
})

t.test('a page beyond the end is empty and last', async (t) => {
  const sim = await simulator(t, { tasks: 50, historyDays: 10 })
  const headers = await login(sim)
  const body = await tasksPage(sim, headers, 'page=99&days=30')
  t.match(body, { content: [], number: 99, empty: true, last: true, first: false, numberOfElements: 0, totalElements: 50, totalPages: 3, pageable: { offset: 1980 } })
  const none = await tasksPage(sim, headers, 'page=0&days=0')
  t.match(none, { content: [], totalElements: 0, totalPages: 0, first: true, last: true, empty: true })
})

t.test('size is ignored unless honorSize, then capped at 2000', async (t) => {
  const ignoring = await simulator(t, { tasks: 3000, historyDays: 10, pageSize: 25 })
  const h1 = await login(ignoring)
  t.match(await tasksPage(ignoring, h1, 'size=100'), { size: 25, numberOfElements: 25, pageable: { pageSize: 25 } })

  const honouring = await simulator(t, { tasks: 3000, historyDays: 10, honorSize: true })
  const h2 = await login(honouring)
  t.match(await tasksPage(honouring, h2, 'size=100&page=1'), { size: 100, numberOfElements: 100, pageable: { pageSize: 100, offset: 100 } })
  t.match(await tasksPage(honouring, h2, 'size=5000'), { size: 2000, numberOfElements: 2000, totalPages: 2 })
  for (const bad of ['0', '-3', 'abc', '']) {
    t.equal((await tasksPage(honouring, h2, `size=${bad}`)).size, 20, `size=${bad} falls back to the default`)
  }
  const rows = honouring.tasks()
  t.same((await tasksPage(honouring, h2, 'size=7&page=2')).content, rows.slice(14, 21))
})

t.test('bad page or days are a 400 with a message', async (t) => {
  const sim = await simulator(t, { tasks: 10 })
  const headers = await login(sim)
  const cases: Array<[string, RegExp]> = [
    ['page=-1', /Page index must not be less than zero/],
    ['page=abc', /Failed to convert value of type 'java.lang.String' to required type 'int'; For input string: "abc"/],
    ['page=1.5', /For input string: "1.5"/],
    ['page=99999999999', /required type 'int'/],
    ['days=-2', /'days' must not be less than zero/],
    ['days=x', /For input string: "x"/]
  ]
  for (const [query, message] of cases) {
    const response = await getJson(sim, `${UPSTREAM_PATHS.tasks}?${query}`, headers)
    t.match(response, { status: 400, body: { status: 400, error: 'Bad Request', message, path: UPSTREAM_PATHS.tasks } }, query)
  }
  t.equal((await tasksPage(sim, headers, 'page=1&page=-5')).number, 1, 'the first of repeated values wins')
})

const FIELDS = 'id,state,finishStatus,activityLabel,repositoryLabel,machineId,dateLastModified,dateCreation,dateStartRunning,processedItems,failedItems,totalItems'

t.test('tasks look like the documented ones', async (t) => {
  const sim = await simulator(t, { now: manualClock().now, tasks: 3000 })
  const tasks = sim.tasks()
  const automations = new Set(sim.automations(3650).map((a) => a.label))
  const runners = new Set(sim.runners(3650).map((r) => r.id))
  const states = new Map<string, number>()
  const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/
  for (const task of tasks) {
    states.set(task.state, (states.get(task.state) ?? 0) + 1)
    if (Object.keys(task).join() !== FIELDS) t.fail(`fields ${Object.keys(task).join()}`)
    if (!iso.test(task.dateCreation)) t.fail(`dateCreation ${task.dateCreation}`)
    if (!automations.has(task.activityLabel)) t.fail(`unknown automation ${task.activityLabel}`)
    if ((task.finishStatus !== null) !== (task.state === 'FINISHED')) t.fail(`finishStatus ${String(task.finishStatus)} on ${task.state}`)
    if (task.state === 'START' && (task.machineId !== null || task.dateStartRunning !== null || task.dateLastModified !== null)) t.fail('START with machine data')
    if (task.state === 'FINISHED' || task.state === 'RUNNING') {
      if (task.machineId === null || !runners.has(task.machineId)) t.fail(`machine ${String(task.machineId)}`)
      if (task.dateStartRunning === null || !iso.test(task.dateStartRunning)) t.fail('no dateStartRunning')
      if (Date.parse(task.dateStartRunning ?? '') < createdMs(task)) t.fail('started before created')
    }
    if (task.totalItems !== null && task.processedItems !== null && task.failedItems !== null &&
      task.state === 'FINISHED' && task.processedItems + task.failedItems !== task.totalItems) t.fail('items do not add up')
    if (task.finishStatus === 'SUCCESS' && task.failedItems !== null && task.failedItems > 0) t.fail('SUCCESS with failed items')
  }
  const finished = states.get('FINISHED') ?? 0
  t.ok(finished > tasks.length * 0.85, `most tasks FINISHED (${finished})`)
  t.ok((states.get('CANCELED') ?? 0) > 0, 'some CANCELED')
  t.ok((states.get('START') ?? 0) + (states.get('RUNNING') ?? 0) > 0, 'some START or RUNNING')
  const head = tasks.slice(0, 3)
  t.ok(head.some((task) => task.state === 'START' || task.state === 'RUNNING'), 'some of the newest are still queued or running')
  const DAY = 86_400_000
  const oldUnfinished = tasks.filter((task) => createdMs(task) < START_MS - DAY && task.state !== 'FINISHED' && task.state !== 'CANCELED')
  t.ok(oldUnfinished.every((task) => task.state === 'RUNNING'), 'a task older than a day is RUNNING (stuck) or has ended')
  t.ok(oldUnfinished.length <= tasks.length * 0.01, `few are stuck (${oldUnfinished.length})`)
  t.ok(tasks.some((task) => task.totalItems === null), 'some item counts are null')
  t.ok(tasks.some((task) => task.finishStatus === 'FAILED') && tasks.some((task) => task.finishStatus === 'PARTIALLY_COMPLETED'), 'all finish statuses')
  const lastId = tasks[tasks.length - 1]?.id ?? 0
  t.ok(lastId >= 17_000_000 && lastId < 17_100_000, `ids start around 17,000,000 (${lastId})`)
  const weekday = tasks.filter((task) => [1, 2, 3, 4, 5].includes(new Date(task.dateCreation).getUTCDay())).length
  t.ok(weekday / tasks.length > 0.8, `most tasks on weekdays (${weekday})`)
})

t.test('data is deterministic from the seed and the start clock', async (t) => {
  const clock = manualClock()
  const a = await simulator(t, { now: clock.now, seed: 7 })
  const b = await simulator(t, { now: clock.now, seed: 7 })
  const c = await simulator(t, { now: clock.now, seed: 8 })
  t.same(a.tasks(), b.tasks())
  t.same(a.automations(30), b.automations(30))
  t.same(a.runners(30), b.runners(30))
  t.notSame(a.tasks().map((x) => x.id), c.tasks().map((x) => x.id))
  t.notSame(a.automations(30).map((x) => x.label), c.automations(30).map((x) => x.label))
})

t.test('--examples: the task and automation of BotCity\'s documentation, a day old, in the main workspace only', async (t) => {
  const clock = manualClock()
  const sim = await simulator(t, { now: clock.now, tasks: 5000, seed: 1, examples: true, workspaces: [{ login: 'other', key: 'k' }] })
  const example = sim.tasks().find((task) => task.id === 17296058)
  t.ok(example !== undefined, 'task 17296058 exists')
  t.equal(example?.activityLabel, 'supplierHomologation')
  const age = START_MS - createdMs(example as WireTask)
  t.ok(age >= DAY_MS && age < 3 * DAY_MS, `a day or two old (${Math.round(age / 3_600_000)} h): inside the default horizon for weeks`)
  t.ok(sim.automations(30).some((a) => a.label === 'supplierHomologation' && a.taskCount > 0), 'the automation exists and ran')
  t.ok(sim.runners(30).some((r) => r.id === 'vm01'), 'runner vm01 exists')
  const ids = sim.tasks().map((task) => task.id)
  t.ok(ids.every((id, i) => i === 0 || id < (ids[i - 1] as number)), 'ids still grow with creation')
  t.notOk(sim.tasks('other').some((task) => task.id === 17296058), 'other workspaces keep their own ids')
  const plain = await simulator(t, { now: clock.now, tasks: 5000, seed: 1 })
  t.same(sim.tasks().map((task) => createdMs(task)), plain.tasks().map((task) => createdMs(task)), 'the same history otherwise')
})

t.test('--order oldest-first lists the same window in insertion order: new tasks at the end, expired ones gone from the front', async (t) => {
  const clock = manualClock()
  const newest = await simulator(t, { now: clock.now, tasks: 600, historyDays: 60, growthPerS: 0.01 })
  const oldest = await simulator(t, { now: clock.now, tasks: 600, historyDays: 60, growthPerS: 0.01, taskOrder: 'oldest-first' })
  const [hn, ho] = [await login(newest), await login(oldest)]
  const before = await allPages(oldest, ho, 30)
  t.same(before.rows.map((r) => r.id), (await allPages(newest, hn, 30)).rows.map((r) => r.id).reverse(), 'the same tasks, reversed')
  t.ok(before.rows.every((r, i) => i === 0 || createdMs(r) >= createdMs(before.rows[i - 1] as WireTask)), 'oldest first')
  clock.advance(3 * DAY_MS)
  const after = await allPages(oldest, await login(oldest), 30)
  const kept = before.rows.filter((r) => createdMs(r) >= START_MS + 3 * DAY_MS - 30 * DAY_MS)
  t.ok(kept.length < before.rows.length, `${before.rows.length - kept.length} tasks left the window`)
  t.same(after.rows.slice(0, kept.length).map((r) => r.id), kept.map((r) => r.id), 'the front lost the expired tasks, the rest kept their order')
  t.ok(after.rows.length > kept.length, `${after.rows.length - kept.length} new tasks appended at the end`)
})

t.test('--honor-task-sort: sort=dateCreation|id[,asc|desc] chooses the order whatever --order says, and the page says it is sorted', async (t) => {
  const plain = await simulator(t, { tasks: 300, taskOrder: 'oldest-first' })
  const honouring = await simulator(t, { tasks: 300, taskOrder: 'oldest-first', honorTaskSort: true })
  const [hp, hh] = [await login(plain), await login(honouring)]
  const ascending = (page: TaskPage): boolean => page.content.every((r, i) => i === 0 || createdMs(r) >= createdMs(page.content[i - 1] as WireTask))
  const descending = (page: TaskPage): boolean => page.content.every((r, i) => i === 0 || createdMs(r) <= createdMs(page.content[i - 1] as WireTask))
  const ignored = await tasksPage(plain, hp, 'days=365&sort=dateCreation,desc')
  t.ok(ascending(ignored), 'off by default: sort is ignored, the route lists oldest first')
  t.equal(ignored.sort.sorted, false)
  const desc = await tasksPage(honouring, hh, 'days=365&sort=dateCreation,desc')
  t.ok(descending(desc) && !ascending(desc), 'sort=dateCreation,desc: newest first')
  t.equal(desc.sort.sorted, true)
  t.ok(ascending(await tasksPage(honouring, hh, 'days=365&sort=id')), 'sort=id: ascending')
  t.ok(ascending(await tasksPage(honouring, hh, 'days=365')), 'no sort: the --order')
  const { status } = await getJson(honouring, `${UPSTREAM_PATHS.tasks}?sort=state,desc`, hh)
  t.equal(status, 400, 'an unknown sort property is refused, as Spring does')
})

t.test('--order by-id lists the same window by ascending id, ids not in creation order; new tasks may list before older ones', async (t) => {
  const clock = manualClock()
  const newest = await simulator(t, { now: clock.now, tasks: 600, historyDays: 60, growthPerS: 0.01 })
  const byId = await simulator(t, { now: clock.now, tasks: 600, historyDays: 60, growthPerS: 0.01, taskOrder: 'by-id' })
  const [hn, hb] = [await login(newest), await login(byId)]
  const listed = await allPages(byId, hb, 30)
  const created = (await allPages(newest, hn, 30)).rows
  t.same(listed.rows.map((r) => r.dateCreation).sort(), created.map((r) => r.dateCreation).sort(), 'the same tasks (their creation dates)')
  t.ok(listed.rows.every((r, i) => i === 0 || r.id > (listed.rows[i - 1] as WireTask).id), 'ascending id')
  const inversions = listed.rows.filter((r, i) => i > 0 && createdMs(r) < createdMs(listed.rows[i - 1] as WireTask)).length
  t.ok(inversions > listed.rows.length / 10, `ids are not in creation order (${inversions} tasks listed after a newer one)`)
  t.same(sim2ids(byId), [...new Set(sim2ids(byId))], 'ids are unique')
  clock.advance(3 * DAY_MS)
  const after = (await allPages(byId, await login(byId), 30)).rows
  const added = after.filter((r) => createdMs(r) > START_MS)
  t.ok(added.length > 0, `${added.length} new tasks`)
  t.ok(after.some((r, i) => createdMs(r) > START_MS && createdMs(r) > createdMs(after[i + 1] ?? r)), 'a new task lists before an older one')
  t.ok(after.every((r, i) => i === 0 || r.id > (after[i - 1] as WireTask).id), 'still ascending id, the window partial')

  const honouring = await simulator(t, { tasks: 300, taskOrder: 'by-id', honorTaskSort: true })
  const hh = await login(honouring)
  const desc = await tasksPage(honouring, hh, 'days=365&sort=dateCreation,desc')
  t.ok(desc.content.every((r, i) => i === 0 || createdMs(r) <= createdMs(desc.content[i - 1] as WireTask)), 'sort=dateCreation,desc: newest first')
  t.same(desc.content.map((r) => r.id), honouring.tasks().slice(0, 20).map((r) => r.id), 'the newest tasks')
  const idDesc = await tasksPage(honouring, hh, 'days=365&sort=id,desc')
  t.ok(idDesc.content.every((r, i) => i === 0 || r.id < (idDesc.content[i - 1] as WireTask).id), 'sort=id,desc: descending id')

  const examples = await simulator(t, { tasks: 5000, seed: 1, examples: true, taskOrder: 'by-id' })
  t.ok(examples.tasks().some((task) => task.id === 17296058 && task.activityLabel === 'supplierHomologation'), '--examples holds task 17296058 in this order too')

  function sim2ids(sim: Simulator): number[] {
    return sim.tasks().map((r) => r.id)
  }
})
