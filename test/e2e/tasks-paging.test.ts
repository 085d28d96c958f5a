// Tasks through the bridge against the simulator: exact rows, minimal upstream calls.
import t from 'tap'
import { getJson, readAll, startBridge } from '../fixtures/bridge.js'
import { DAY, expectedTasks } from '../fixtures/oracle.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const bridge = await startBridge({ sim: { tasks: 3000, historyDays: 120, now: () => NOW }, now: () => NOW, env: { PAGE_SIZE: '500', CACHE_TTL_S: '0' } })
t.teardown(() => bridge.close())
const oracle30 = expectedTasks(bridge.sim.tasks(), NOW, 30)
const calls = async <T>(fn: () => Promise<T>): Promise<{ result: T; tasks: number; logins: number }> => {
  bridge.sim.resetStats()
  const result = await fn()
  const s = bridge.sim.stats()
  return { result, tasks: s.tasks, logins: s.login }
}

t.test('the first page: @odata.context first, rows in upstream order, absolute nextLink', async (t) => {
  const { status, headers, body } = await getJson(`${bridge.feed}Tasks`)
  t.equal(status, 200)
  t.equal(headers.get('odata-version'), '4.0')
  t.equal(Object.keys(body)[0], '@odata.context')
  t.equal(body['@odata.context'], `${bridge.feed}$metadata#Tasks`)
  t.same(body.value, oracle30.slice(0, 500))
  t.match(body['@odata.nextLink'], new RegExp(`^${bridge.feed.replace(/[.]/g, '\\.')}Tasks\\?\\$skiptoken=`))
})

t.test('a full nextLink load returns the horizon exactly once, one upstream call per page', async (t) => {
  const { result, tasks } = await calls(() => readAll(`${bridge.feed}Tasks`))
  t.equal(result.rows.length, oracle30.length)
  t.same(result.rows, oracle30)
  t.equal(result.pages, Math.ceil(oracle30.length / 500))
  // Every upstream page holding a row of the set, plus the one showing where it ends.
  t.equal(tasks, Math.floor(oracle30.length / 20) + 1, 'upstream pages read')
})

t.test('$top/$skip windows read exactly the upstream pages they cover', async (t) => {
  for (const [skip, top] of [[0, 10], [35, 10], [40, 20], [0, 20], [19, 2], [123, 77], [0, 1]] as const) {
    const { result, tasks } = await calls(() => getJson(`${bridge.feed}Tasks?$skip=${skip}&$top=${top}`))
    t.same(result.body.value, oracle30.slice(skip, skip + top), `$skip=${skip}&$top=${top} rows`)
    t.notOk(result.body['@odata.nextLink'], 'no nextLink when $top is met')
    const pages = Math.floor((skip + top - 1) / 20) - Math.floor(skip / 20) + 1
    t.equal(tasks, pages, `$skip=${skip}&$top=${top} costs ${pages} upstream pages`)
  }
})

t.test('$top larger than the page size is honoured across nextLinks', async (t) => {
  const { rows } = await readAll(`${bridge.feed}Tasks?$top=1234`)
  t.same(rows, oracle30.slice(0, 1234))
})

t.test('days=N changes the horizon; the upstream window follows it', async (t) => {
  const oracle7 = expectedTasks(bridge.sim.tasks(), NOW, 7)
  const { result } = await calls(() => readAll(`${bridge.feed}Tasks?days=7`))
  t.same(result.rows, oracle7)
  const oracle90 = expectedTasks(bridge.sim.tasks(), NOW, 90)
  t.equal((await readAll(`${bridge.feed}Tasks?days=90`)).rows.length, oracle90.length)
})

t.test('a dateCreation partition reads only the days window and pages that cover it', async (t) => {
  const from = NOW - 20 * DAY
  const to = NOW - 10 * DAY
  const f = `dateCreation ge ${new Date(from).toISOString()} and dateCreation lt ${new Date(to).toISOString()}`
  const expected = oracle30.filter((r) => Date.parse(r.dateCreation as string) >= from && Date.parse(r.dateCreation as string) < to)
  const { result, tasks } = await calls(() => readAll(`${bridge.feed}Tasks?$filter=${encodeURIComponent(f)}`))
  t.same(result.rows, expected)
  const before = oracle30.filter((r) => Date.parse(r.dateCreation as string) >= to).length
  const pagesOfPartition = Math.floor((before + expected.length) / 20) - Math.floor(before / 20) + 1
  // The bisection's probes were read before the page it ends on, so those inside the
  // partition are read again by the scan (task-scan.ts: an older page is never trusted).
  const bisection = Math.ceil(Math.log2(before / 20 + 2)) + 1
  t.ok(tasks <= pagesOfPartition + 2 * bisection, `${tasks} upstream calls: the partition's ${pagesOfPartition} pages plus a bisection (≤ ${bisection} probes, each read at most twice), not the ${Math.floor(before / 20)} newer pages`)
})

t.test('offsets like +03:00 are read as offsets, not spaces', async (t) => {
  const instant = NOW - 5 * DAY
  const local = new Date(instant + 3 * 3600_000).toISOString().replace('Z', '+03:00')
  const a = await readAll(`${bridge.feed}Tasks?$filter=dateCreation%20ge%20${local}`)
  const b = await readAll(`${bridge.feed}Tasks?$filter=dateCreation%20ge%20${encodeURIComponent(local)}`)
  const expected = oracle30.filter((r) => Date.parse(r.dateCreation as string) >= instant)
  t.same(a.rows, expected, 'raw +')
  t.same(b.rows, expected, '%2B')
})

t.test('$count and /$count', async (t) => {
  const { result, tasks } = await calls(() => fetch(`${bridge.feed}Tasks/$count`).then((r) => r.text()))
  t.equal(result, String(oracle30.length))
  t.ok(tasks <= Math.ceil(Math.log2(oracle30.length / 20 + 2)) + 2, `/$count by bisection: ${tasks} calls`)
  const withCount = await getJson(`${bridge.feed}Tasks?$count=true&$top=3`)
  t.equal(withCount.body['@odata.count'], oracle30.length)
  t.equal(Object.keys(withCount.body)[0], '@odata.context')
})

t.test('a skiptoken is bound to its query and cannot be edited', async (t) => {
  const first = await getJson(`${bridge.feed}Tasks`)
  const link = first.body['@odata.nextLink'] as string
  const token = new URL(link).searchParams.get('$skiptoken') as string
  const other = await getJson(`${bridge.feed}Tasks?$select=id&$skiptoken=${encodeURIComponent(token)}`)
  t.equal(other.status, 400)
  t.equal((other.body.error as { code: string }).code, 'BRIDGE_ERR_SKIPTOKEN_INVALID')
  const edited = await getJson(link.replace(/skiptoken=./, 'skiptoken=x'))
  t.equal(edited.status, 400)
})

t.test('one entity by key, a property, its raw value', async (t) => {
  const task = oracle30[7] as Record<string, unknown>
  const one = await getJson(`${bridge.feed}Tasks(${task.id as number})`)
  t.equal(one.status, 200)
  t.equal(one.body['@odata.context'], `${bridge.feed}$metadata#Tasks/$entity`)
  t.same({ ...one.body, '@odata.context': undefined }, { ...task, '@odata.context': undefined })
  const prop = await getJson(`${bridge.feed}Tasks(${task.id as number})/state`)
  t.same(prop.body, { '@odata.context': `${bridge.feed}$metadata#Tasks(${task.id as number})/state`, value: task.state })
  const raw = await fetch(`${bridge.feed}Tasks(${task.id as number})/state/$value`)
  t.equal(await raw.text(), task.state)
  const missing = await getJson(`${bridge.feed}Tasks(1)`)
  t.equal(missing.status, 404)
  t.match((missing.body.error as { message: string }).message, /not among the tasks of the last 30 days: if it is older, add days=N/, 'an older id: a longer horizon may find it')
  const future = await getJson(`${bridge.feed}Tasks(99999999)`)
  t.equal(future.status, 404)
  t.match((future.body.error as { message: string }).message, /^No task has the id 99999999: the newest task's id is \d+\.$/, 'a newer id: no horizon can, so none is suggested')
  const longest = await getJson(`${bridge.feed}Tasks(1)?days=3650`)
  t.notMatch((longest.body.error as { message: string }).message, /add days/, 'already the longest horizon')
  const automation = await getJson(`${bridge.feed}Automations('nope')`)
  t.notMatch((automation.body.error as { message: string }).message, /days/, 'automations are listed whatever the horizon')
})

t.test('growth during a load: every task that existed at the start, exactly once', async (t) => {
  const growing = await startBridge({ sim: { tasks: 1500, historyDays: 40, growthPerS: 200, latencyMs: 2 }, env: { PAGE_SIZE: '100' } })
  t.teardown(() => growing.close())
  const start = Date.now()
  const before = growing.sim.tasks().filter((x) => Date.parse(x.dateCreation) >= start - 30 * DAY && Date.parse(x.dateCreation) <= start).map((x) => x.id)
  const { rows } = await readAll(`${growing.feed}Tasks?$select=id`)
  const ids = rows.map((r) => r.id as number)
  t.equal(new Set(ids).size, ids.length, 'no duplicates')
  const got = new Set(ids)
  const missing = before.filter((id) => !got.has(id))
  // Tasks created in the milliseconds between `start` and the bridge's own clock may or may not be in; none older.
  t.same(missing, [], 'no task that existed at the start is missing')
  t.ok(growing.sim.tasks().length > 1500, 'the upstream grew during the load')
})

t.test('a partition sorted in the bridge reads only the partition\'s pages', async (t) => {
  const from = NOW - 20 * DAY
  const to = NOW - 10 * DAY
  const f = `dateCreation ge ${new Date(from).toISOString()} and dateCreation lt ${new Date(to).toISOString()}`
  const inRange = oracle30.filter((r) => Date.parse(r.dateCreation as string) >= from && Date.parse(r.dateCreation as string) < to)
  const expected = [...inRange].sort((a, b) => ((b.totalItems as number | null) ?? -1) - ((a.totalItems as number | null) ?? -1) || (a.id as number) - (b.id as number))
  const { result, tasks } = await calls(() => readAll(`${bridge.feed}Tasks?$filter=${encodeURIComponent(f)}&$orderby=totalItems%20desc&$select=id,totalItems`))
  t.same(result.rows, expected.map((r) => ({ id: r.id, totalItems: r.totalItems })))
  const before = oracle30.filter((r) => Date.parse(r.dateCreation as string) >= to).length
  const pagesOfPartition = Math.floor((before + inRange.length) / 20) - Math.floor(before / 20) + 1
  const bisection = Math.ceil(Math.log2(before / 20 + 2)) + 1
  t.ok(tasks <= pagesOfPartition + 2 * bisection + 1, `${tasks} upstream calls for a partition of ${pagesOfPartition} pages (bisection ≤ ${bisection} probes, each read at most twice)`)
})
