// $apply (Power Query's folded Group By / Distinct) against an independent computation.
import t from 'tap'
import { getJson, readAll, startBridge } from '../fixtures/bridge.js'
import { DAY, expectedTasks } from '../fixtures/oracle.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const bridge = await startBridge({ sim: { tasks: 2500, now: () => NOW }, now: () => NOW, env: { CACHE_TTL_S: '0' } })
t.teardown(() => bridge.close())
const tasks = expectedTasks(bridge.sim.tasks(), NOW, 30)
const byKey = <T>(rows: Record<string, unknown>[], key: (r: Record<string, unknown>) => string, reduce: (rs: Record<string, unknown>[]) => T) => {
  const groups = new Map<string, Record<string, unknown>[]>()
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r])
  return new Map([...groups].map(([k, rs]) => [k, reduce(rs)]))
}

t.test('$metadata declares ApplySupported', async (t) => {
  const xml = await (await fetch(`${bridge.feed}$metadata`)).text()
  t.match(xml, /<Annotation Term="Aggregation.ApplySupported">/)
})

t.test('groupby with sum, min, max, average, countdistinct and $count', async (t) => {
  const apply = 'groupby((activityLabel),aggregate(totalItems with sum as Total,failedItems with max as MaxFailed,totalItems with average as Avg,machineId with countdistinct as Runners,dateCreation with min as First,$count as Count))'
  const { status, body } = await getJson(`${bridge.feed}Tasks?$apply=${encodeURIComponent(apply)}`)
  t.equal(status, 200)
  t.match(body['@odata.context'], /\$metadata#Tasks\(activityLabel,Total,MaxFailed,Avg,Runners,First,Count\)$/)
  const nums = (rs: Record<string, unknown>[], p: string) => rs.map((r) => r[p]).filter((v): v is number => typeof v === 'number')
  const expected = byKey(tasks, (r) => r.activityLabel as string, (rs) => ({
    activityLabel: rs[0]?.activityLabel,
    Total: nums(rs, 'totalItems').length ? nums(rs, 'totalItems').reduce((a, b) => a + b, 0) : null,
    MaxFailed: nums(rs, 'failedItems').length ? Math.max(...nums(rs, 'failedItems')) : null,
    Avg: nums(rs, 'totalItems').length ? nums(rs, 'totalItems').reduce((a, b) => a + b, 0) / nums(rs, 'totalItems').length : null,
    Runners: new Set(rs.map((r) => r.machineId).filter((m) => m !== null)).size,
    First: rs.map((r) => r.dateCreation as string).sort()[0],
    Count: rs.length
  }))
  const got = body.value as Record<string, unknown>[]
  t.equal(got.length, expected.size)
  for (const row of got) t.same(row, expected.get(row.activityLabel as string), row.activityLabel as string)
})

t.test('Distinct (groupby without aggregate), filter() first, $orderby and $top on the result', async (t) => {
  const since = new Date(NOW - 7 * DAY).toISOString()
  const apply = `filter(dateCreation ge ${since})/groupby((state,finishStatus))`
  bridge.sim.resetStats()
  const { body } = await getJson(`${bridge.feed}Tasks?$apply=${encodeURIComponent(apply)}&$orderby=state desc,finishStatus&$count=true`)
  const recent = tasks.filter((r) => (r.dateCreation as string) >= since)
  const distinct = [...new Set(recent.map((r) => JSON.stringify([r.state, r.finishStatus])))].map((s) => JSON.parse(s) as [string, string | null])
  distinct.sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : a[1] === b[1] ? 0 : a[1] === null ? -1 : b[1] === null ? 1 : a[1] < b[1] ? -1 : 1))
  t.same(body.value, distinct.map(([state, finishStatus]) => ({ state, finishStatus })))
  t.equal(body['@odata.count'], distinct.length)
  t.ok(bridge.sim.stats().tasks <= Math.floor(recent.length / 20) + 2, 'the filter() bound narrows the upstream read')
})

t.test('aggregate over the whole set, and over Automations and Runners', async (t) => {
  const all = await getJson(`${bridge.feed}Tasks?$apply=aggregate($count as N,processedItems with sum as P)`)
  t.same(all.body.value, [{ N: tasks.length, P: tasks.reduce((a, r) => a + ((r.processedItems as number | null) ?? 0), 0) }])
  const autos = await getJson(`${bridge.feed}Automations?$apply=groupby((repositoryLabel),aggregate(taskCount with sum as Tasks))`)
  const exp = byKey(bridge.sim.automations(30) as unknown as Record<string, unknown>[], (r) => String(r.repositoryLabel), (rs) => rs.reduce((a, r) => a + (r.taskCount as number), 0))
  t.same(new Map((autos.body.value as Record<string, unknown>[]).map((r) => [String(r.repositoryLabel), r.Tasks])), exp)
  const runners = await getJson(`${bridge.feed}Runners?$apply=aggregate(utilizationRate with max as Top)`)
  t.same(runners.body.value, [{ Top: Math.max(...bridge.sim.runners(30).map((r) => r.utilizationRate)) }])
})

t.test('filter() alone is the same as $filter', async (t) => {
  const a = await readAll(`${bridge.feed}Tasks?$apply=${encodeURIComponent("filter(state eq 'CANCELED')")}`)
  const b = await readAll(`${bridge.feed}Tasks?$filter=${encodeURIComponent("state eq 'CANCELED'")}`)
  t.ok(a.rows.length > 0)
  t.same(a.rows, b.rows)
})

t.test('clear errors for what $apply does not support', async (t) => {
  const cases: [string, number, string][] = [
    ['groupby((activityLabel))/filter(state eq \'x\')', 501, 'BRIDGE_ERR_NOT_IMPLEMENTED'],
    ['groupby((nope))', 400, 'BRIDGE_ERR_UNKNOWN_PROPERTY'],
    ['aggregate(state with sum as S)', 400, 'BRIDGE_ERR_TYPE_MISMATCH'],
    ['aggregate(totalItems with median as M)', 501, 'BRIDGE_ERR_NOT_IMPLEMENTED'],
    ['topcount(5,totalItems)', 501, 'BRIDGE_ERR_NOT_IMPLEMENTED'],
    ['groupby(activityLabel)', 400, 'BRIDGE_ERR_SYNTAX'],
    ['groupby((activityLabel)', 400, 'BRIDGE_ERR_SYNTAX']
  ]
  for (const [apply, status, code] of cases) {
    const res = await getJson(`${bridge.feed}Tasks?$apply=${encodeURIComponent(apply)}`)
    t.equal(res.status, status, apply)
    t.equal((res.body.error as { code: string }).code, code, apply)
  }
  const withFilter = await getJson(`${bridge.feed}Tasks?$apply=groupby((state))&$filter=${encodeURIComponent("state eq 'x'")}`)
  t.equal(withFilter.status, 501)
})
