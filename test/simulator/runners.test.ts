import t from 'tap'
import { UPSTREAM_PATHS } from '../../src/upstream/wire.js'
import type { WireRunner } from '../../src/upstream/wire.js'
import { DAY_MS, START_MS, createdMs, getJson, login, manualClock, simulator } from './fixtures/simulator.js'
import type { Headers } from './fixtures/simulator.js'
import type { Simulator } from '../../src/simulator/index.js'

async function runners(sim: Simulator, headers: Headers, query: string): Promise<WireRunner[]> {
  const { status, body } = await getJson<WireRunner[]>(sim, `${UPSTREAM_PATHS.runners}?${query}`, headers)
  if (status !== 200) throw new Error(`runners?${query} answered ${status}`)
  return body
}

const FIELDS = { _id: 'id', tasks: 'tasks', items: 'items', itemsErrorCount: 'itemsErrorCount', utilizationRate: 'utilizationRate' } as const

t.test('a plain array in the documented shape, tasks descending by default', async (t) => {
  const sim = await simulator(t, { now: manualClock().now, runners: 6, tasks: 1500 })
  const headers = await login(sim)
  const rows = await runners(sim, headers, '')
  t.ok(Array.isArray(rows))
  t.same(rows.map((r) => r.id).sort(), ['vm01', 'vm02', 'vm03', 'vm04', 'vm05', 'vm06'])
  t.same(rows, sim.runners(30))
  t.same(Object.keys(rows[0] as WireRunner), ['id', 'idMachine', 'log', 'remoteAccess', 'status', 'name', 'organization', 'automations', 'tasks', 'items', 'itemsErrorCount', 'utilizationRate'])
  t.ok(rows.every((r, i) => i === 0 || (rows[i - 1] as WireRunner).tasks >= r.tasks), 'tasks desc')
  const statuses = new Map(rows.map((r) => [r.id, r.status]))
  t.same([statuses.get('vm01'), statuses.get('vm05'), statuses.get('vm06')], ['online', 'offline', 'created'])
  const created = rows.find((r) => r.id === 'vm06') as WireRunner
  t.match(created, { tasks: 0, items: 0, automations: [], utilizationRate: 0, organization: 'demo', idMachine: 'vm06', name: 'vm06' })
  t.ok(rows.every((r) => r.utilizationRate >= 0 && r.utilizationRate <= 100))
  t.ok(rows.filter((r) => r.status !== 'created').every((r) => r.tasks > 0), 'every active runner works')
})

t.test('sort fields in both directions; unknown fields are a 400', async (t) => {
  const sim = await simulator(t, { now: manualClock().now, runners: 8, tasks: 800 })
  const headers = await login(sim)
  for (const [param, field] of Object.entries(FIELDS)) {
    for (const direction of ['asc', 'desc']) {
      const rows = await runners(sim, headers, `sort=${param},${direction}&filterBy=60`)
      const ordered = rows.every((row, i) => {
        const prev = rows[i - 1]
        if (prev === undefined) return true
        const [a, b] = [prev[field], row[field]]
        if (a === b) return prev.id < row.id
        return direction === 'desc' ? a > b : a < b
      })
      t.ok(ordered, `${param},${direction}`)
    }
  }
  t.match(await getJson(sim, `${UPSTREAM_PATHS.runners}?sort=id,asc`, headers), { status: 400, body: { message: "No property 'id' found for type 'Runner'" } })
  t.match(await getJson(sim, `${UPSTREAM_PATHS.runners}?filterBy=abc`, headers), { status: 400 })
})

t.test('the runner parameter matches the id exactly', async (t) => {
  const sim = await simulator(t, { runners: 12 })
  const headers = await login(sim)
  t.same((await runners(sim, headers, 'runner=vm01')).map((r) => r.id), ['vm01'])
  t.same(await runners(sim, headers, 'runner=vm0'), [])
  t.same(await runners(sim, headers, 'runner=VM01'), [])
  t.equal((await runners(sim, headers, 'runner=')).length, 12)
})

t.test('aggregates follow from the tasks each runner ran in the window', async (t) => {
  const sim = await simulator(t, { now: manualClock().now, tasks: 2000 })
  const headers = await login(sim)
  for (const days of [3, 30, 180]) {
    const window = sim.tasks().filter((task) => createdMs(task) >= START_MS - days * DAY_MS)
    for (const r of await runners(sim, headers, `filterBy=${days}`)) {
      const mine = window.filter((task) => task.machineId === r.id)
      t.match(r, {
        tasks: mine.length,
        items: mine.reduce((s, task) => s + (task.totalItems ?? 0), 0),
        itemsErrorCount: mine.reduce((s, task) => s + (task.failedItems ?? 0), 0)
      }, `${r.id} over ${days} days`)
      t.same(r.automations, [...new Set(mine.map((task) => task.activityLabel))].sort())
    }
  }
})
