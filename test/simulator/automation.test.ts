import t from 'tap'
import { UPSTREAM_PATHS } from '../../src/upstream/wire.js'
import type { SpringPage, WireAutomation } from '../../src/upstream/wire.js'
import { DAY_MS, START_MS, createdMs, getJson, login, manualClock, simulator } from './fixtures/simulator.js'
import type { Headers } from './fixtures/simulator.js'
import type { Simulator } from '../../src/simulator/index.js'

type Page = SpringPage<WireAutomation>

async function automationPage(sim: Simulator, headers: Headers, query: string): Promise<Page> {
  const { status, body } = await getJson<Page>(sim, `${UPSTREAM_PATHS.automation}?${query}`, headers)
  if (status !== 200) throw new Error(`automation?${query} answered ${status}`)
  return body
}

const FIELDS = ['label', 'date', 'repositoryLabel', 'taskCount', 'sumItems', 'sumItemsError'] as const

function inOrder(rows: readonly WireAutomation[], field: typeof FIELDS[number], descending: boolean): boolean {
  return rows.every((row, i) => {
    const prev = rows[i - 1]
    if (prev === undefined) return true
    const [a, b] = [prev[field] as string | number, row[field] as string | number]
    if (a === b) return prev.label < row.label
    return descending ? a > b : a < b
  })
}

t.test('all automations, label ascending by default, in the documented shape', async (t) => {
  const sim = await simulator(t, { now: manualClock().now, automations: 12 })
  const headers = await login(sim)
  const body = await automationPage(sim, headers, '')
  t.match(body, { number: 0, size: 20, totalElements: 12, totalPages: 1, first: true, last: true, numberOfElements: 12, empty: false })
  const labels = body.content.map((a) => a.label)
  t.same(labels, [...labels].sort())
  t.same(body.content, sim.automations(30))
  const a = body.content[0] as WireAutomation
  t.same(Object.keys(a), ['label', 'name', 'machineId', 'description', 'organizationLabel', 'repositoryLabel', 'date', 'taskCount',
    'sumItems', 'sumItemsError', 'sumItemsProcessed', 'uptimeRate', 'downtimeRate', 'successRate', 'roi', 'fte', 'savings'])
  t.match(a.label, /^[a-z]+[A-Za-z0-9]*$/, 'camelCase label')
  t.match(a.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/, 'date without zone')
  t.equal(a.organizationLabel, 'demo')
  const repositories = new Set(body.content.map((x) => x.repositoryLabel))
  t.ok(repositories.has('DEFAULT') && repositories.size >= 2 && repositories.size <= 3, [...repositories].join())
})

t.test('every sort field, both directions, ties broken by label', async (t) => {
  const sim = await simulator(t, { now: manualClock().now, automations: 30, tasks: 400 })
  const headers = await login(sim)
  for (const field of FIELDS) {
    for (const direction of ['asc', 'desc']) {
      const rows = (await automationPage(sim, headers, `sort=${field},${direction}&filterBy=7&size=50`)).content.concat(
        (await automationPage(sim, headers, `sort=${field},${direction}&filterBy=7&page=1`)).content)
      t.equal(rows.length, 30)
      t.ok(inOrder(rows, field, direction === 'desc'), `${field},${direction}`)
    }
  }
  const implicit = await automationPage(sim, headers, 'sort=taskCount')
  t.ok(inOrder(implicit.content, 'taskCount', false), 'direction defaults to asc')
  const upper = await automationPage(sim, headers, 'sort=taskCount,DESC')
  t.ok(inOrder(upper.content, 'taskCount', true), 'direction is case-insensitive')
  const multi = (await automationPage(sim, headers, 'sort=repositoryLabel,desc&sort=taskCount,desc')).content
  t.ok(multi.every((row, i) => {
    const prev = multi[i - 1]
    return prev === undefined || prev.repositoryLabel as string > (row.repositoryLabel as string) ||
      (prev.repositoryLabel === row.repositoryLabel && prev.taskCount >= row.taskCount)
  }), 'repeated sort parameters apply in order')
})

t.test('an unknown sort field is a 400 like Spring', async (t) => {
  const sim = await simulator(t)
  const headers = await login(sim)
  for (const [sort, property] of [['foo', 'foo'], ['label,up', 'up'], ['Label,asc', 'Label'], ['sumItemsProcessed,desc', 'sumItemsProcessed']] as const) {
    const response = await getJson(sim, `${UPSTREAM_PATHS.automation}?sort=${sort}`, headers)
    t.match(response, { status: 400, body: { status: 400, error: 'Bad Request', message: `No property '${property}' found for type 'Automation'` } }, sort)
  }
  t.equal((await automationPage(sim, headers, 'sort=,')).content[0]?.label as string, sim.automations(30)[0]?.label as string, 'an empty sort is the default')
})

t.test('the automation parameter filters by a case-insensitive label substring', async (t) => {
  const sim = await simulator(t, { now: manualClock().now, automations: 40 })
  const headers = await login(sim)
  const labels = sim.automations(30).map((a) => a.label)
  const target = labels.find((l) => l.startsWith('invoice')) as string
  t.same((await automationPage(sim, headers, `automation=${target}`)).content.map((a) => a.label), [target])
  const part = (await automationPage(sim, headers, 'automation=RECONCIL')).content.map((a) => a.label)
  t.same(part, labels.filter((l) => l.toLowerCase().includes('reconcil')))
  t.ok(part.length >= 2)
  t.match(await automationPage(sim, headers, 'automation=zzz'), { content: [], totalElements: 0, empty: true })
  t.equal((await automationPage(sim, headers, 'automation=')).totalElements, 40)
})

t.test('paging through automations', async (t) => {
  const sim = await simulator(t, { automations: 45, pageSize: 20 })
  const headers = await login(sim)
  const pages = await Promise.all([0, 1, 2, 3].map((page) => automationPage(sim, headers, `page=${page}`)))
  t.same(pages.map((p) => p.numberOfElements), [20, 20, 5, 0])
  t.same(pages.map((p) => p.last), [false, false, true, true])
  t.same(pages.flatMap((p) => p.content.map((a) => a.label)), sim.automations(30).map((a) => a.label))
  t.ok(sim.automations(30).some((a) => a.label.endsWith('2')), 'labels beyond the pool get a suffix')
  t.match(await getJson(sim, `${UPSTREAM_PATHS.automation}?filterBy=-1`, headers), { status: 400, body: { message: /'filterBy' must not be less than zero/ } })
})

t.test('aggregates follow from the tasks in the filterBy window', async (t) => {
  const sim = await simulator(t, { now: manualClock().now, tasks: 2000, automations: 8 })
  const headers = await login(sim)
  for (const days of [1, 7, 30, 180]) {
    const window = sim.tasks().filter((task) => createdMs(task) >= START_MS - days * DAY_MS)
    const rows = (await automationPage(sim, headers, `filterBy=${days}`)).content
    t.equal(rows.reduce((sum, a) => sum + a.taskCount, 0), window.length, `taskCount sums to the window (${days} days)`)
    for (const a of rows) {
      const mine = window.filter((task) => task.activityLabel === a.label)
      const finished = mine.filter((task) => task.state === 'FINISHED')
      const success = finished.filter((task) => task.finishStatus === 'SUCCESS').length
      const expected = {
        taskCount: mine.length,
        sumItems: mine.reduce((s, task) => s + (task.totalItems ?? 0), 0),
        sumItemsError: mine.reduce((s, task) => s + (task.failedItems ?? 0), 0),
        sumItemsProcessed: mine.reduce((s, task) => s + (task.processedItems ?? 0), 0),
        successRate: finished.length === 0 ? 0 : Math.round(success / finished.length * 10000) / 100
      }
      t.match(a, expected, `${a.label} over ${days} days`)
      const ended = mine.some((task) => task.state === 'FINISHED' || task.state === 'CANCELED')
      t.equal(Math.round((a.uptimeRate + a.downtimeRate) * 100) / 100, ended ? 100 : 0)
      if (a.taskCount === 0) t.match(a, { roi: 0, fte: 0, savings: 0 })
      else t.ok(a.savings > 0 && a.fte >= 0, 'savings from the work done')
    }
  }
})

t.test('a zero-day window has no tasks and zero aggregates', async (t) => {
  const sim = await simulator(t, { now: manualClock().now })
  const rows = (await automationPage(sim, await login(sim), 'filterBy=0')).content
  t.equal(rows.length, 12)
  t.ok(rows.every((a) => a.taskCount === 0 && a.roi === 0 && a.fte === 0 && a.savings === 0 && a.successRate === 0 && a.uptimeRate === 0))
})
