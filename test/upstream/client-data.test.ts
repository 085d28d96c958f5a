import t from 'tap'
import { DAY_MS } from '../../src/simulator/wire-dates.js'
import { iteratePages, type InsightsClient } from '../../src/upstream/index.js'
import type { WireTask } from '../../src/upstream/wire.js'
import { DEMO, recordingFetch, simulator, testClient } from './fixtures/upstream.js'

const NOW = Date.parse('2026-03-01T12:00:00Z')

async function allTasks(client: InsightsClient, days: number): Promise<WireTask[]> {
  const rows: WireTask[] = []
  for await (const page of iteratePages((page) => client.tasks(DEMO, { page, days }))) rows.push(...page.content)
  return rows
}

t.test('tasks: paging to the end yields exactly the simulator\'s window, newest first', async (t) => {
  const sim = await simulator(t, { now: () => NOW })
  const { client, events } = testClient(sim.url)
  const rows = await allTasks(client, 180)
  const expected = sim.tasks().filter((task) => Date.parse(task.dateCreation) >= NOW - 180 * DAY_MS)
  t.ok(expected.length > 200, `a real window (${expected.length} tasks)`)
  t.same(rows.map((r) => r.id), expected.map((r) => r.id))
  t.equal(sim.stats().tasks, Math.ceil(expected.length / 20))
  t.equal(sim.stats().login, 1)
  t.ok(events.every((e) => e.outcome === 'ok'))
})

t.test('tasks: the days window narrows the rows', async (t) => {
  const sim = await simulator(t, { now: () => NOW })
  const { client } = testClient(sim.url)
  for (const days of [1, 7, 30]) {
    const rows = await allTasks(client, days)
    const expected = sim.tasks().filter((task) => Date.parse(task.dateCreation) >= NOW - days * DAY_MS)
    t.equal(rows.length, expected.length, `${days} days: ${expected.length} tasks`)
    t.ok(rows.every((r) => Date.parse(r.dateCreation) >= NOW - days * DAY_MS))
  }
  const week = await client.tasks(DEMO, { page: 0, days: 7 })
  const month = await client.tasks(DEMO, { page: 0, days: 30 })
  t.ok(week.totalElements < month.totalElements, `${week.totalElements} < ${month.totalElements}`)
})

t.test('automations: sort, filter and window reach the upstream', async (t) => {
  const sim = await simulator(t, { now: () => NOW, automations: 30 })
  const { client } = testClient(sim.url)
  const byLabel = await client.automations(DEMO, { page: 0, sort: { field: 'label', descending: false }, filterBy: 30, size: 100 })
  const labels = byLabel.content.map((a) => a.label)
  t.equal(labels.length, 20, 'size is not honoured by default')
  t.same(labels, [...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
  const byCount = await client.automations(DEMO, { page: 0, sort: { field: 'taskCount', descending: true }, filterBy: 90 })
  const counts = byCount.content.map((a) => a.taskCount)
  t.same(counts, [...counts].sort((a, b) => b - a))
  t.same(byCount.content.map((a) => a.taskCount), sim.automations(90).map((a) => a.taskCount).sort((a, b) => b - a).slice(0, 20))
  const first = labels[0] ?? ''
  const one = await client.automations(DEMO, { page: 0, automation: first })
  t.ok(one.content.length >= 1 && one.content.every((a) => a.label.includes(first)))
  await t.rejects(client.automations(DEMO, { page: 0, sort: { field: 'nope', descending: false } }), {
    code: 'UPSTREAM_ERROR',
    message: "BotCity Insights answered with an error (HTTP 400 on GET /api/v1/insights/automation): No property 'nope' found for type 'Automation'"
  })
  t.equal(sim.stats().automation, 4, 'a 400 is not retried')
})

t.test('runners: a plain array, sorted and filtered upstream', async (t) => {
  const sim = await simulator(t, { now: () => NOW, runners: 6 })
  const { client } = testClient(sim.url)
  const all = await client.runners(DEMO)
  t.same(all.map((r) => r.id), sim.runners(30).map((r) => r.id))
  const byId = await client.runners(DEMO, { sort: { field: '_id', descending: true }, filterBy: 90 })
  const ids = byId.map((r) => r.id)
  t.same(ids, [...ids].sort().reverse())
  const byTasks = await client.runners(DEMO, { sort: { field: 'tasks', descending: false }, filterBy: 90 })
  t.same(byTasks.map((r) => r.tasks), sim.runners(90).map((r) => r.tasks).sort((a, b) => a - b))
  const one = await client.runners(DEMO, { runner: ids[0] ?? '' })
  t.same(one.map((r) => r.id), [ids[0]])
})

t.test('what goes on the wire: headers, parameters, the login body', async (t) => {
  const sim = await simulator(t)
  const { sent, fetch } = recordingFetch()
  const { client } = testClient(sim.url, { fetch, userAgent: 'botcity-insights-odata/9.9.9' })
  await client.automations(DEMO, { page: 2, sort: { field: 'taskCount', descending: true }, automation: 'x', filterBy: 7, size: 50 })
  const [login, call] = sent
  t.equal(login?.method, 'POST')
  t.equal(login?.url.pathname, '/api/v2/workspace/login')
  t.same(JSON.parse(login?.body ?? ''), { login: DEMO.login, key: DEMO.key })
  t.equal(login?.headers.get('content-type'), 'application/json')
  t.equal(call?.method, 'GET')
  t.equal(call?.url.pathname, '/api/v1/insights/automation')
  t.same(Object.fromEntries(call?.url.searchParams ?? []), { page: '2', sort: 'taskCount,desc', automation: 'x', filterBy: '7', size: '50' })
  t.equal(call?.headers.get('user-agent'), 'botcity-insights-odata/9.9.9')
  t.equal(call?.headers.get('accept'), 'application/json')
  t.equal(call?.headers.get('organization'), DEMO.login, 'organizationLabel from the login')
  t.match(call?.headers.get('token'), /^\S{16,}$/)
  await client.tasks(DEMO, { page: 0, days: 30 })
  t.same(Object.fromEntries(sent[2]?.url.searchParams ?? []), { page: '0', days: '30' }, 'no size unless asked')
})

t.test('version: no login, no token; the default User-Agent names this package', async (t) => {
  const sim = await simulator(t)
  const { sent, fetch } = recordingFetch()
  const { client } = testClient(sim.url, { fetch })
  const { version } = await client.version()
  t.match(version, /^\d+\.\d+/)
  t.match(sent[0]?.headers.get('user-agent'), /^botcity-insights-odata\/\d+\.\d+\.\d+$/)
  t.equal(sent[0]?.headers.get('token'), null)
  t.equal(sim.stats().login, 0)
  t.equal(sim.stats().version, 1)
})

t.test('a base URL with a path prefix; organization falls back to the login', async (t) => {
  const urls: string[] = []
  const organizations: (string | null)[] = []
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    urls.push(request.url)
    organizations.push(request.headers.get('organization'))
    if (request.method === 'POST') return Response.json({ accessToken: 'tok-fallback-000111' })
    return Response.json([{ id: 'vm01' }])
  }
  const { client } = testClient('http://upstream.test/tenant/', { fetch: fake })
  t.same(await client.runners(DEMO), [{ id: 'vm01' }])
  t.same(urls, ['http://upstream.test/tenant/api/v2/workspace/login', 'http://upstream.test/tenant/api/v1/insights/runners'])
  t.same(organizations, [null, DEMO.login])
  t.same(await client.login(DEMO), { credentialId: client.credentialId(DEMO), organization: DEMO.login })
  t.equal(urls.length, 2, 'login() reuses the cached session')
})
