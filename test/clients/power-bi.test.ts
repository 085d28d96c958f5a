// Power BI Desktop, emulated: the OData.Feed request sequence with its exact
// headers (shared/reference/powerquery.md §(a)) — connect, navigator preview,
// full refresh through @odata.nextLink, folded steps, incremental-refresh
// partitions (§(c)), Web API and Basic credentials, the 4xx retry — with the
// §(b) checklist asserted on every response and every result compared with
// the simulator's own data.
import t from 'tap'
import { startBridge } from '../fixtures/bridge.js'
import type { BridgeFixture } from '../fixtures/bridge.js'
import { assertChecklist, sentHeaders } from './fixtures/assert.js'
import { automationsOf, DAY, pick, plain, runnersOf, sortBy, tasksOf } from './fixtures/expected.js'
import type { Row } from './fixtures/expected.js'
import { ACCEPT_ENCODING, findAnnotations, header, MASHUP_USER_AGENT, PowerQuery, PowerQueryError, pqEncode, shownError, V4_ACCEPT, V4_SHORT_ACCEPT } from './fixtures/power-query.js'
import type { LoadResult } from './fixtures/power-query.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const PAGE = 40
const SIM = { tasks: 5000, historyDays: 120, automations: 45, runners: 8, seed: 11, now: () => NOW }
const bridge = await startBridge({ sim: SIM, now: () => NOW, env: { PAGE_SIZE: String(PAGE) } })
t.teardown(() => bridge.close())

const TASKS = tasksOf(bridge.sim, NOW)
const AUTOMATIONS = automationsOf(bridge.sim)
const RUNNERS = runnersOf(bridge.sim)
const EXPECTED: Record<string, Row[]> = { Tasks: TASKS, Automations: AUTOMATIONS, Runners: RUNNERS }

const DESKTOP_HEADERS = [
  ['Accept', V4_ACCEPT],
  ['MaxDataServiceVersion', '3.0'],
  ['OData-MaxVersion', '4.0'],
  ['User-Agent', MASHUP_USER_AGENT],
  ['Accept-Encoding', ACCEPT_ENCODING]
]

/** The request headers (less Host) of some exchanges, each distinct list once. */
function distinctHeaders(exchanges: readonly { requestHeaders: readonly (readonly [string, string])[] }[]): string[][][] {
  const seen = new Map<string, string[][]>()
  for (const ex of exchanges) {
    const h = ex.requestHeaders.slice(1).map(([n, v]) => [n, v])
    seen.set(JSON.stringify(h), h)
  }
  return [...seen.values()]
}

async function desktop(b: BridgeFixture, options: Partial<ConstructorParameters<typeof PowerQuery>[0]> = {}): Promise<PowerQuery> {
  const pq = new PowerQuery({ url: b.feed, client: 'POWERBI', ...options })
  t.teardown(() => pq.close())
  await pq.connect()
  return pq
}

t.ok(TASKS.length > 1000 && TASKS.length % PAGE !== 0, `the horizon holds ${TASKS.length} tasks: more than the preview, several pages`)
t.ok(AUTOMATIONS.length > PAGE, `${AUTOMATIONS.length} automations: more than one page`)

t.test('connect: the detection GET with the long Accept list, then $metadata as application/xml', async (t) => {
  const pq = new PowerQuery({ url: bridge.feed, client: 'POWERBI' })
  t.teardown(() => pq.close())
  const { serviceDocument, model } = await pq.connect()
  t.equal(pq.exchanges.length, 2, 'two requests, no fallback ladder')
  t.strictSame(sentHeaders(pq, 0).slice(1), DESKTOP_HEADERS, 'detection headers as Power Query sends them')
  t.equal(pq.exchanges[0]?.url, bridge.feed)
  t.equal(pq.exchanges[1]?.url, `${bridge.feed}$metadata`, '$metadata: the context URL without its fragment')
  t.strictSame(sentHeaders(pq, 1).slice(1, 4), [['Accept', 'application/xml'], ['MaxDataServiceVersion', '3.0'], ['OData-MaxVersion', '4.0']])
  t.equal(pq.root, bridge.feed)
  t.strictSame((serviceDocument.value as Row[]).map((s) => [s.name, s.kind]), [['Tasks', 'EntitySet'], ['Automations', 'EntitySet'], ['Runners', 'EntitySet']])
  t.strictSame([...model.sets.keys()], ['Tasks', 'Automations', 'Runners'])
  t.ok(findAnnotations(model, 'ApplySupported').length > 0, 'Aggregation.ApplySupported declared: Power Query folds Group into $apply')
  const task = model.types.get(model.sets.get('Tasks')?.type ?? '')
  t.equal(task?.properties.get('dateCreation')?.nullable, false)
  t.equal(task?.properties.get('finishStatus')?.nullable, true)
  assertChecklist(t, pq)
})

t.test('connect with the URL typed without its trailing slash', async (t) => {
  const pq = new PowerQuery({ url: `${bridge.origin}/odata` })
  t.teardown(() => pq.close())
  await pq.connect()
  t.equal(pq.root, bridge.feed, 'the context URL gives the root')
  t.equal(pq.navigate('Tasks'), `${bridge.feed}Tasks`, 'the service document url resolves against it')
  assertChecklist(t, pq)
})

t.test('the .pbids file opens Power BI on the feed', async (t) => {
  const res = await fetch(`${bridge.origin}/connect/botcity-insights.pbids`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-disposition'), /^attachment; filename=.*\.pbids$/)
  const pbids = (await res.json()) as { version: string; connections: { details: { protocol: string; address: { url: string } }; mode: unknown }[] }
  t.equal(pbids.version, '0.1')
  t.equal(pbids.connections.length, 1)
  t.equal(pbids.connections[0]?.details.protocol, 'odata')
  t.equal(pbids.connections[0]?.details.address.url, bridge.feed)
  const pq = await desktop(bridge, { url: pbids.connections[0]?.details.address.url ?? '' })
  assertChecklist(t, pq)
})

t.test('navigator preview: $top=1000 on each set, its pages followed', async (t) => {
  const pq = await desktop(bridge)
  const loads: LoadResult[] = []
  for (const set of ['Tasks', 'Automations', 'Runners']) {
    const load = await pq.preview(set)
    loads.push(load)
    const expected = EXPECTED[set] ?? []
    t.equal(load.pages[0]?.url, `${bridge.feed}${set}?$top=1000`)
    t.strictSame(plain(load.rows), plain(expected.slice(0, 1000)), `${set}: the first ${Math.min(1000, expected.length)} rows, in the feed's order`)
    t.equal(load.pages.length, Math.ceil(Math.min(1000, expected.length) / PAGE), `${set}: ${load.pages.length} pages of ${PAGE}`)
    t.strictSame(distinctHeaders(load.pages), [DESKTOP_HEADERS], `${set}: the Desktop headers on every page`)
  }
  t.notOk((loads[0]?.pages.at(-1)?.json as Row)['@odata.nextLink'], 'no nextLink once $top=1000 is met on a page boundary')
  assertChecklist(t, pq, loads)
})

t.test('full refresh: each set through @odata.nextLink to the end', async (t) => {
  const pq = await desktop(bridge)
  const loads: LoadResult[] = []
  for (const set of ['Tasks', 'Automations', 'Runners']) {
    const load = await pq.refresh(set)
    loads.push(load)
    const expected = EXPECTED[set] ?? []
    t.equal(load.pages[0]?.url, `${bridge.feed}${set}`, `${set}: a full refresh sends no $top`)
    t.equal(load.rows.length, expected.length, `${set}: ${expected.length} rows`)
    t.strictSame(plain(load.rows), plain(expected), `${set}: every row once, as the simulator has it`)
    t.equal(load.pages.length, Math.max(1, Math.ceil(expected.length / PAGE)))
  }
  const tasks = loads[0]?.rows ?? []
  t.equal(new Set(tasks.map((r) => r.id)).size, tasks.length, 'no task twice')
  t.ok(pq.exchanges.some((ex) => ex.contentEncoding === 'gzip' || ex.contentEncoding === 'deflate'), 'pages come compressed (Accept-Encoding: gzip, deflate) and decode')
  assertChecklist(t, pq, loads)
})

t.test('folded steps: $filter with Power Query escapes, $select, $orderby, $expand, $apply', async (t) => {
  const pq = await desktop(bridge)
  const loads: LoadResult[] = []
  const fold = async (set: string, options: string): Promise<Row[]> => {
    const load = await pq.refresh(set, options)
    loads.push(load)
    return load.rows
  }

  t.test('Table.SelectRows → $filter (%20 %27 %2C %3A %2B, ne null, doubled quotes) and $select', async (t) => {
    // each ([state] = "FINISHED" or [state] = "CANCELED") and [machineId] <> null and Text.StartsWith([activityLabel], "c")
    //   and [activityLabel] <> "O'Brien" and [dateCreation] >= #datetimezone(2026, 9, 20, 0, 0, 0, 1, 0)
    const from = Date.UTC(2026, 8, 19, 23, 0, 0) // 2026-09-20T00:00:00+01:00
    const filter = pqEncode("(state eq 'FINISHED' or state eq 'CANCELED') and machineId ne null and startswith(activityLabel,'c') and activityLabel ne 'O''Brien' and dateCreation ge 2026-09-20T00:00:00+01:00")
    t.match(filter, /%20/)
    for (const escape of ['%27', '%2C', '%3A', '%2B']) t.ok(filter.includes(escape), `the URL carries ${escape}`)
    const select = ['id', 'state', 'machineId', 'activityLabel', 'dateCreation']
    const rows = await fold('Tasks', `$filter=${filter}&$select=${pqEncode(select.join(','))}`)
    const expected = TASKS.filter((r) => (r.state === 'FINISHED' || r.state === 'CANCELED') && r.machineId !== null && String(r.activityLabel).startsWith('c') && Date.parse(String(r.dateCreation)) >= from)
    t.ok(expected.length > 0, `${expected.length} tasks match`)
    t.strictSame(plain(rows), plain(pick(expected, select)))
  })

  t.test('sort → $orderby', async (t) => {
    const rows = await fold('Tasks', `$orderby=${pqEncode('activityLabel,id desc')}&$select=${pqEncode('id,activityLabel')}`)
    t.strictSame(rows, pick(sortBy(TASKS, [['activityLabel', 'asc'], ['id', 'desc']]), ['id', 'activityLabel']))
  })

  t.test('expand a navigation column → $expand=Automation($select=label,name)', async (t) => {
    const byLabel = new Map(AUTOMATIONS.map((a) => [a.label, { label: a.label, name: a.name }]))
    const expected = TASKS.map((r) => ({ id: r.id, activityLabel: r.activityLabel, Automation: byLabel.get(r.activityLabel) ?? null }))
    t.ok(expected.every((r) => r.Automation !== null), 'every task of the horizon has its automation')
    const rows = await fold('Tasks', `$select=${pqEncode('id,activityLabel')}&$expand=Automation($select=label,name)`)
    t.strictSame(rows, expected)
    const escaped = await fold('Tasks', `$select=${pqEncode('id,activityLabel')}&$expand=${pqEncode('Automation($select=label,name)')}`)
    t.strictSame(escaped, expected, 'the same with $ = , escaped inside $expand')
  })

  t.test('Group → $apply=groupby((activityLabel),aggregate(totalItems with sum as Total))', async (t) => {
    const rows = await fold('Tasks', `$apply=${pqEncode('groupby((activityLabel),aggregate(totalItems with sum as Total))')}`)
    const sums = new Map<string, number | null>()
    for (const r of TASKS) {
      const label = String(r.activityLabel)
      const before = sums.get(label) ?? null
      sums.set(label, typeof r.totalItems === 'number' ? (before ?? 0) + r.totalItems : before)
    }
    const expected = [...sums].map(([activityLabel, Total]) => ({ activityLabel, Total }))
    t.strictSame(sortBy(rows, [['activityLabel', 'asc']]), sortBy(expected, [['activityLabel', 'asc']]))
  })

  t.test('FirstN / Skip → $top / $skip, and folded functions (Date.From, Text.Contains ignoring case, Date.Year)', async (t) => {
    t.strictSame(plain(await fold('Tasks', '$skip=37&$top=5')), plain(TASKS.slice(37, 42)))
    const utcDate = (r: Row): string => new Date(Date.parse(String(r.dateCreation))).toISOString().slice(0, 10)
    const rows = await fold('Tasks', `$filter=${pqEncode("date(dateCreation) ge 2026-09-20 and contains(tolower(activityLabel),'rec') and year(dateCreation) eq 2026")}&$select=${pqEncode('id,activityLabel,dateCreation')}`)
    const expected = TASKS.filter((r) => utcDate(r) >= '2026-09-20' && String(r.activityLabel).toLowerCase().includes('rec') && utcDate(r).startsWith('2026'))
    t.ok(expected.length > 0, `${expected.length} tasks match`)
    t.strictSame(plain(rows), plain(pick(expected, ['id', 'activityLabel', 'dateCreation'])))
  })

  t.test('the Automations and Runners sets fold too', async (t) => {
    const rows = await fold('Automations', `$filter=${pqEncode('taskCount gt 0 and name ne null')}&$select=${pqEncode('label,taskCount')}&$orderby=${pqEncode('taskCount desc,label')}`)
    t.strictSame(rows, pick(sortBy(AUTOMATIONS.filter((a) => (a.taskCount as number) > 0 && a.name !== null), [['taskCount', 'desc'], ['label', 'asc']]), ['label', 'taskCount']))
    const runners = await fold('Runners', `$filter=${pqEncode("status eq 'online' or tasks ge 1")}&$select=${pqEncode('id,automations,tasks')}`)
    t.strictSame(runners, pick(RUNNERS.filter((r) => r.status === 'online' || (r.tasks as number) >= 1), ['id', 'automations', 'tasks']))
  })

  t.test('the checklist on every folded response', async (t) => {
    assertChecklist(t, pq, loads)
  })
})

t.test('incremental refresh: the hand-written partition filter of §(c), in Z and in +01:00', async (t) => {
  const pq = await desktop(bridge)
  const loads: LoadResult[] = []
  const today = Math.floor(NOW / DAY) * DAY
  const literal = (ms: number, offsetMin: number, fraction = ''): string => {
    // DateTime.AddZone(RangeStart, h): RangeStart's wall clock, with the zone appended.
    const local = new Date(ms).toISOString().slice(0, 19)
    if (offsetMin === 0) return `${local}${fraction}Z`
    const sign = offsetMin > 0 ? '+' : '-'
    const abs = Math.abs(offsetMin)
    return `${local}${fraction}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  }
  const partition = async (from: number, to: number, offsetMin: number, fraction = ''): Promise<Row[]> => {
    // Table.SelectRows(Tasks, each [dateCreation] >= DateTime.AddZone(RangeStart, h) and [dateCreation] < DateTime.AddZone(RangeEnd, h))
    const load = await pq.refresh('Tasks', `$filter=${pqEncode(`dateCreation ge ${literal(from, offsetMin, fraction)} and dateCreation lt ${literal(to, offsetMin, fraction)}`)}`)
    loads.push(load)
    return load.rows
  }
  const expectedIn = (from: number, to: number): Row[] => TASKS.filter((r) => {
    const c = Date.parse(String(r.dateCreation))
    return c >= from && c < to
  })
  // Monthly-style partitions that tile the horizon: the oldest starts before it, the newest ends after now.
  const bounds = [today - 40 * DAY, today - 20 * DAY, today - 10 * DAY, today + DAY]
  const z: Row[] = []
  for (let i = bounds.length - 2; i >= 0; i--) {
    const from = bounds[i] as number
    const to = bounds[i + 1] as number
    const rows = await partition(from, to, 0)
    t.strictSame(plain(rows), plain(expectedIn(from, to)), `[${new Date(from).toISOString()}, ${new Date(to).toISOString()})`)
    z.push(...rows)
  }
  t.equal(z.length, TASKS.length, 'the partitions tile the horizon: every task once')
  t.strictSame(plain(z), plain(TASKS))
  t.match(loads[0]?.pages[0]?.url, /\$filter=dateCreation%20ge%20\d{4}-\d{2}-\d{2}T00%3A00%3A00Z%20and%20dateCreation%20lt%20/, 'the URL of §(c)')

  // Desktop in +01:00 (DateTimeZone.From(RangeStart)): the same local bounds are other instants.
  const from = today - 20 * DAY
  const to = today - 10 * DAY
  const plus = await partition(from, to, 60)
  t.match(loads.at(-1)?.pages[0]?.url, /T00%3A00%3A00%2B01%3A00%20and/)
  t.strictSame(plain(plus), plain(expectedIn(from - 3_600_000, to - 3_600_000)), '+01:00 literals are the instants an hour before the Z ones')
  t.not(plus.length, 0)
  const west = await partition(from, to, -300)
  t.strictSame(plain(west), plain(expectedIn(from + 5 * 3_600_000, to + 5 * 3_600_000)), '-05:00 literals')
  const seven = await partition(from, to, 0, '.0000000')
  t.strictSame(plain(seven), plain(expectedIn(from, to)), 'yyyy-MM-ddTHH:mm:ss.fffffffZ literals')
  assertChecklist(t, pq, loads)
})

t.test('ODataVersion=4: the short Accept and OData-MaxVersion only, same answers', async (t) => {
  const pq = await desktop(bridge, { odataVersion4: true })
  const short = [['Accept', V4_SHORT_ACCEPT], ['OData-MaxVersion', '4.0'], ['User-Agent', MASHUP_USER_AGENT], ['Accept-Encoding', ACCEPT_ENCODING]]
  t.strictSame(sentHeaders(pq, 0).slice(1), short)
  t.strictSame(sentHeaders(pq, 1).slice(1, 3), [['Accept', 'application/xml'], ['OData-MaxVersion', '4.0']])
  const loads = [await pq.refresh('Tasks'), await pq.refresh('Automations'), await pq.preview('Runners')]
  t.strictSame(plain(loads[0]?.rows ?? []), plain(TASKS))
  t.strictSame(plain(loads[1]?.rows ?? []), plain(AUTOMATIONS))
  t.strictSame(plain(loads[2]?.rows ?? []), plain(RUNNERS))
  t.strictSame(distinctHeaders(pq.exchanges.slice(2)), [short], `the short headers on all ${pq.exchanges.length - 2} data requests`)
  assertChecklist(t, pq, loads)
})

t.test('a 4xx: the OData error body, and the one retry with the short Accept gets the same answer', async (t) => {
  const pq = await desktop(bridge)
  const url = `${bridge.feed}Tasks?$filter=${pqEncode("nosuch eq 'x'")}`
  const error = await pq.load(url).then(() => null, (e: unknown) => e)
  t.type(error, PowerQueryError)
  const [first, retry] = pq.exchanges.slice(2)
  t.equal(pq.exchanges.length, 4, 'the request and one retry: the error carried OData-Version')
  t.equal(first?.status, 400)
  t.strictSame(first?.requestHeaders.slice(1), DESKTOP_HEADERS)
  t.equal(retry?.url, url)
  t.strictSame(retry?.requestHeaders.slice(1, 3), [['Accept', V4_SHORT_ACCEPT], ['OData-MaxVersion', '4.0']], 'the retry: short Accept, OData-MaxVersion 4.0')
  t.equal(retry?.status, first?.status, 'the retry gets the same status')
  t.strictSame(retry?.json, first?.json, 'and the same body')
  t.match(first?.json, { error: { code: String, message: /nosuch/ } })
  t.match((error as PowerQueryError).message, /\(400\).*nosuch/, 'Power Query shows the OData error message')

  const missing = await pq.load(`${bridge.feed}Nope`).then(() => null, (e: unknown) => e as PowerQueryError)
  t.equal(missing?.exchange.status, 404)
  t.equal(missing?.exchange.step, 'ladder-v4', '404 retried once too')
  t.match(missing?.message, /Nope/)

  const v4 = await desktop(bridge, { odataVersion4: true })
  const e4 = await v4.load(url).then(() => null, (e: unknown) => e as PowerQueryError)
  t.equal(v4.exchanges.length, 3, 'ODataVersion=4 skips the ladder')
  t.strictSame(e4?.exchange.json, first?.json)
  assertChecklist(t, pq, [], 'errors included')
  assertChecklist(t, v4)
})

t.test('service account: Web API key appended to every URL, never echoed in a nextLink', async (t) => {
  const keys = ['pbi-web-api-key-0001', 'Kx+/=&?#%:0123456789']
  const b = await startBridge({ sim: { tasks: 1500, historyDays: 60, now: () => NOW }, now: () => NOW, env: { BRIDGE_API_KEYS: keys.join(','), ALLOW_ANONYMOUS: 'false', PAGE_SIZE: '100' } })
  t.teardown(() => b.close())
  const tasks = tasksOf(b.sim, NOW)
  t.ok(tasks.length > 100, 'several pages')

  for (const key of keys) {
    const pq = await desktop(b, { credential: { kind: 'webapi', key } })
    t.equal(pq.exchanges[0]?.url, `${b.feed}?api_key=${encodeURIComponent(key)}`, 'the detection URL carries the key')
    t.equal(pq.exchanges[1]?.url, `${b.feed}$metadata?api_key=${encodeURIComponent(key)}`)
    const loads = [await pq.refresh('Tasks'), await pq.refresh('Automations'), await pq.refresh('Runners')]
    t.strictSame(plain(loads[0]?.rows ?? []), plain(tasks))
    t.strictSame(plain(loads[1]?.rows ?? []), plain(automationsOf(b.sim)))
    t.strictSame(plain(loads[2]?.rows ?? []), plain(runnersOf(b.sim)))
    t.ok((loads[0]?.pages.length ?? 0) > 1, 'Tasks over several pages')
    t.strictSame(pq.exchanges.filter((ex) => !ex.url.endsWith(`api_key=${encodeURIComponent(key)}`)).map((ex) => ex.url), [], `the key on all ${pq.exchanges.length} URLs, nextLinks included`)
    t.notOk(pq.exchanges.some((ex) => ex.requestHeaders.some(([n]) => n === 'Authorization')), 'no Authorization header with Web API credentials')
    assertChecklist(t, pq, loads, `key ${key}`)
  }

  const anonymous = new PowerQuery({ url: b.feed })
  t.teardown(() => anonymous.close())
  const denied = await anonymous.connect().then(() => null, (e: unknown) => e as PowerQueryError)
  t.equal(denied?.exchange.status, 401, 'no key: 401, Power BI asks for credentials')
  t.equal(anonymous.exchanges.length, 1, '401 is not retried')
  t.match(header(denied?.exchange ?? anonymous.exchanges[0]!, 'www-authenticate'), /^Basic realm="/)
  t.match(denied?.message, /API key/, 'the message says what to do')
  assertChecklist(t, anonymous)

  const wrong = new PowerQuery({ url: b.feed, credential: { kind: 'webapi', key: 'not-one-of-the-keys' } })
  t.teardown(() => wrong.close())
  t.equal((await wrong.connect().then(() => null, (e: unknown) => e as PowerQueryError))?.exchange.status, 401, 'a wrong key: 401')
  assertChecklist(t, wrong)

  const basic = await desktop(b, { credential: { kind: 'basic', user: 'anyone', password: keys[0] as string } })
  t.strictSame(plain((await basic.refresh('Runners')).rows), plain(runnersOf(b.sim)), 'Basic with the key as password')
  t.match(basic.exchanges[0]?.requestHeaders.find(([n]) => n === 'Authorization')?.[1], /^Basic /, 'Basic is sent up front')
  assertChecklist(t, basic)
})

t.test('passthrough: Basic workspace login and key, or a Web API key login:key', async (t) => {
  const b = await startBridge({ passthrough: true, sim: { tasks: 1200, historyDays: 60, now: () => NOW }, now: () => NOW, env: { PAGE_SIZE: '100' } })
  t.teardown(() => b.close())
  const { login, key } = b.sim.options
  const loadAll = async (pq: PowerQuery): Promise<LoadResult[]> => [await pq.refresh('Tasks'), await pq.refresh('Automations'), await pq.refresh('Runners')]

  const basic = await desktop(b, { credential: { kind: 'basic', user: login, password: key } })
  const loads = await loadAll(basic)
  t.strictSame(plain(loads[0]?.rows ?? []), plain(tasksOf(b.sim, NOW)))
  t.strictSame(plain(loads[1]?.rows ?? []), plain(automationsOf(b.sim)))
  t.strictSame(plain(loads[2]?.rows ?? []), plain(runnersOf(b.sim)))
  t.ok(basic.exchanges.every((ex) => ex.requestHeaders.some(([n, v]) => n === 'Authorization' && v === `Basic ${Buffer.from(`${login}:${key}`).toString('base64')}`)), 'Basic on every request')
  assertChecklist(t, basic, loads, 'Basic')

  const webapi = await desktop(b, { credential: { kind: 'webapi', key: `${login}:${key}` } })
  const loads2 = await loadAll(webapi)
  t.strictSame(plain(loads2[0]?.rows ?? []), plain(tasksOf(b.sim, NOW)))
  t.ok(webapi.exchanges.every((ex) => ex.url.includes(`api_key=${encodeURIComponent(`${login}:${key}`)}`)))
  assertChecklist(t, webapi, loads2, 'Web API login:key')

  const nobody = new PowerQuery({ url: b.feed })
  t.teardown(() => nobody.close())
  const e = await nobody.connect().then(() => null, (err: unknown) => err as PowerQueryError)
  t.equal(e?.exchange.status, 401, 'no credentials: 401')
  assertChecklist(t, nobody)

  const wrong = new PowerQuery({ url: b.feed, credential: { kind: 'basic', user: login, password: 'wrong-key' } })
  t.teardown(() => wrong.close())
  const failure = await wrong.connect().then(() => wrong.refresh('Tasks')).then(() => null, (err: unknown) => err as PowerQueryError)
  t.equal(failure?.exchange.status, 401, 'a wrong workspace key: 401 once BotCity refuses it')
  t.match(header(failure?.exchange ?? wrong.exchanges.at(-1)!, 'www-authenticate'), /^Basic realm="/)
  t.equal(shownError(failure!.exchange).includes('(401)'), true)
  assertChecklist(t, wrong)
})

t.test('OData.Feed(…, [Query=[days="60"]]): the option on every URL, nextLinks included', async (t) => {
  // powerquery.md §(a): "Query=[k=v] is appended to every URL"; the README offers
  // this option for the horizon. A nextLink that already carries days=60 comes
  // back with it twice, and must still be read as days=60.
  const pq = await desktop(bridge, { query: { days: '60' } })
  t.equal(pq.exchanges[0]?.url, `${bridge.feed}?days=60`)
  t.equal(pq.exchanges[1]?.url, `${bridge.feed}$metadata?days=60`)
  const loads: LoadResult[] = []
  const expected: Record<string, Row[]> = { Tasks: tasksOf(bridge.sim, NOW, 60), Automations: automationsOf(bridge.sim, 60), Runners: runnersOf(bridge.sim, 60) }
  for (const [set, rows] of Object.entries(expected)) {
    const load = await pq.refresh(set).catch((e: unknown) => {
      const ex = (e as PowerQueryError).exchange
      t.fail(`${set}: the refresh failed on GET ${ex.url.replace(/skiptoken=[^&]+/, 'skiptoken=…')} → ${ex.status} ${JSON.stringify(ex.json)}`)
      return null
    })
    if (load === null) continue
    loads.push(load)
    t.ok(load.pages.every((p) => p.url.endsWith('days=60')), `${set}: days=60 appended to all ${load.pages.length} page URLs`)
    t.strictSame(plain(load.rows), plain(rows), `${set}: ${rows.length} rows over 60 days`)
  }
  assertChecklist(t, pq, loads)
})

t.test('a table URL typed with days=N (README): detection on the feed itself, then its pages', async (t) => {
  const url = `${bridge.feed}Tasks?days=45`
  const pq = await desktop(bridge, { url })
  t.equal(pq.root, bridge.feed, 'the context URL of a feed page gives the root')
  t.equal(pq.exchanges[1]?.url, `${bridge.feed}$metadata`)
  const load = await pq.load(url, 'refresh')
  t.strictSame(plain(load.rows), plain(tasksOf(bridge.sim, NOW, 45)))
  assertChecklist(t, pq, [load])
})
