// GET /metrics: counters move with real requests against the simulator, the
// cache figures are read at scrape time, labels stay bounded and secret-free.
import t from 'tap'
import type { FastifyRequest } from 'fastify'
import { ERROR_CATALOGUE } from '../../src/errors.js'
import { createMetrics, entitySetLabel } from '../../src/http/metrics.js'
import { UPSTREAM_PATHS } from '../../src/upstream/wire.js'
import { startBridge } from '../fixtures/bridge.js'

const KEY = 'S3cret-Workspace-Key-4711'
const API_KEY = 'client-api-key-never-shown-0815'

/** The value of one sample, matched on its exact label set. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m === null || m[1] !== name) continue
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]))
    const wanted = Object.entries(labels)
    if (wanted.length === Object.keys(got).length && wanted.every(([k, v]) => got[k] === v)) return Number(m[3])
  }
  return undefined
}

/** Every label of every bridge sample, as name → values. */
function labelValues(text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const line of text.split('\n')) {
    if (!line.startsWith('botcity_odata_')) continue
    for (const [, k, v] of line.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      out.set(k as string, (out.get(k as string) ?? new Set()).add(v as string))
    }
  }
  return out
}

t.test('a scrape after some requests', async (t) => {
  const bridge = await startBridge({ sim: { login: 'ops-login', key: KEY, tasks: 300 } })
  t.teardown(() => bridge.close())
  const get = async (path: string, init?: RequestInit): Promise<number> => {
    const res = await fetch(`${bridge.origin}${path}`, init)
    await res.arrayBuffer()
    return res.status
  }
  t.equal(await get('/odata/Tasks?$top=5'), 200)
  t.equal(await get('/odata/Tasks?$top=5'), 200, 'the same pages again: from the cache')
  t.equal(await get(`/odata/Tasks?$top=2&api_key=${API_KEY}`, { headers: { authorization: `Basic ${Buffer.from(`x:${API_KEY}`).toString('base64')}` } }), 200)
  t.equal(await get('/odata/Automations?$top=3'), 200)
  t.equal(await get('/odata/$metadata'), 200)
  t.equal(await get('/odata/'), 200)
  t.equal(await get('/odata/Tasks?$top=-1'), 400)
  t.equal(await get('/odata/Nope'), 404)
  t.equal(await get('/healthz'), 200)
  // One 503 on Runners: the client retries; one 401 on Automations: it logs in again.
  bridge.sim.inject({ kind: 'status', status: 503, route: 'runners', count: 1 })
  t.equal(await get('/odata/Runners?days=7'), 200)
  bridge.sim.inject({ kind: 'status', status: 401, route: 'automation', count: 1 })
  t.equal(await get('/odata/Automations?days=8&$top=3'), 200)

  const res = await fetch(`${bridge.origin}/metrics`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  t.equal(res.headers.get('odata-version'), '4.0')
  const text = await res.text()
  const requests = (entity_set: string, status: string): number | undefined => sample(text, 'botcity_odata_http_requests_total', { entity_set, status })

  t.equal(requests('Tasks', '200'), 3)
  t.equal(requests('Tasks', '400'), 1)
  t.equal(requests('Automations', '200'), 2)
  t.equal(requests('Runners', '200'), 1)
  t.equal(requests('metadata', '200'), 1)
  t.equal(requests('service', '200'), 1)
  t.equal(requests('other', '404'), 1)
  t.equal(requests('other', '200'), 1, '/healthz')
  t.equal(sample(text, 'botcity_odata_http_request_duration_seconds_count', { entity_set: 'Tasks' }), 4)
  t.equal(sample(text, 'botcity_odata_rows_served_total', { entity_set: 'Tasks' }), 12)
  t.equal(sample(text, 'botcity_odata_rows_served_total', { entity_set: 'Automations' }), 6)
  t.ok((sample(text, 'botcity_odata_rows_served_total', { entity_set: 'Runners' }) ?? 0) > 0)

  t.ok((sample(text, 'botcity_odata_upstream_calls_total', { route: 'tasks', outcome: 'ok' }) ?? 0) >= 1)
  t.equal(sample(text, 'botcity_odata_upstream_calls_total', { route: 'runners', outcome: 'ok' }), 1, 'a retried call is one call')
  t.equal(sample(text, 'botcity_odata_upstream_retries_total', { route: 'runners' }), 1)
  t.equal(sample(text, 'botcity_odata_upstream_relogins_total', { route: 'automation' }), 1)
  t.equal(sample(text, 'botcity_odata_upstream_logins_total', { outcome: 'ok' }), 2, 'the first login and the re-login')
  t.ok((sample(text, 'botcity_odata_upstream_call_duration_seconds_count', { route: 'tasks' }) ?? 0) >= 1)

  t.ok((sample(text, 'botcity_odata_page_cache_hits_total') ?? 0) + (sample(text, 'botcity_odata_task_ledger_pages_served_total') ?? 0) >= 1, 'pages read again: from the cache, or the task ledger')
  t.ok((sample(text, 'botcity_odata_task_ledger_tasks') ?? 0) > 0, 'the task ledger holds the tasks read')
  t.ok((sample(text, 'botcity_odata_task_ledger_bytes') ?? 0) > 0, 'and says how many bytes')
  t.ok((sample(text, 'botcity_odata_task_ledger_pages_noted_total') ?? 0) >= 1, 'pages noted')
  t.equal(sample(text, 'botcity_odata_task_ledger_resets_total'), 0, 'no page disagreed with it')
  t.equal(sample(text, 'botcity_odata_task_ledger_final_changed_total'), 0)
  t.ok((sample(text, 'botcity_odata_page_cache_misses_total') ?? 0) >= 1, 'cache misses')
  t.equal(sample(text, 'botcity_odata_page_cache_evictions_total'), 0)
  t.ok((sample(text, 'botcity_odata_page_cache_bytes') ?? 0) > 0, 'cache bytes')
  t.ok((sample(text, 'botcity_odata_page_cache_entries') ?? 0) > 0, 'cache entries')
  t.match(text, /^# TYPE botcity_odata_page_cache_hits_total counter$/m)
  t.match(text, /^# TYPE botcity_odata_page_cache_bytes gauge$/m)
  t.match(text, /^process_cpu_user_seconds_total /m, 'default process metrics')
  t.match(text, /^nodejs_heap_size_used_bytes /m)

  t.notMatch(text, KEY, 'no workspace key')
  t.notMatch(text, API_KEY, 'no client key')
  t.notMatch(text, 'ops-login', 'no login')
  const labels = labelValues(text)
  // Outcomes of upstream calls, and of loads (loads_total).
  const codes = new Set(['ok', 'aborted', ...Object.keys(ERROR_CATALOGUE), 'finished', 'abandoned', 'failed', 'canceled'])
  t.same([...labels.keys()].sort(), ['cause', 'client', 'entity_set', 'le', 'order', 'outcome', 'route', 'sorted', 'state', 'status'])
  t.same(labels.get('cause'), new Set(['event_loop', 'heap']), 'back-pressure causes')
  t.ok(labels.get('client')?.has('other'), 'loads by client kind')
  for (const v of labels.get('client') ?? []) t.ok(['power-query', 'curl', 'browser', 'other'].includes(v), `client ${v}`)
  t.same(labels.get('order'), new Set(['newest-first']), 'the Tasks order found')
  t.same(labels.get('sorted'), new Set(['false']))
  for (const v of labels.get('entity_set') ?? []) t.ok(['Tasks', 'Automations', 'Runners', 'metadata', 'service', 'other'].includes(v), `entity_set ${v}`)
  for (const v of labels.get('route') ?? []) t.ok(Object.hasOwn(UPSTREAM_PATHS, v), `route ${v}`)
  for (const v of labels.get('outcome') ?? []) t.ok(codes.has(v), `outcome ${v}`)
  for (const v of labels.get('status') ?? []) t.match(v, /^\d{3}$/)

  t.notOk(bridge.logs.some((line) => line.includes('/metrics')), 'a scrape is not logged at info')
})

t.test('each app has its own registry', async (t) => {
  const [a, b] = [createMetrics(), createMetrics()]
  a.rowsServed('Tasks', 7)
  a.httpResponse('Tasks', 200, 0.01)
  a.upstreamCall({ route: 'tasks', outcome: 'UPSTREAM_TIMEOUT', ms: 30_000, retries: 3, throttled: 0, relogin: false })
  const [ta, tb] = [await a.registry.metrics(), await b.registry.metrics()]
  t.equal(sample(ta, 'botcity_odata_rows_served_total', { entity_set: 'Tasks' }), 7)
  t.equal(sample(tb, 'botcity_odata_rows_served_total', { entity_set: 'Tasks' }), 0)
  t.equal(sample(ta, 'botcity_odata_upstream_calls_total', { route: 'tasks', outcome: 'UPSTREAM_TIMEOUT' }), 1)
  t.equal(sample(ta, 'botcity_odata_upstream_retries_total', { route: 'tasks' }), 3)
  t.equal(sample(tb, 'botcity_odata_upstream_calls_total', { route: 'tasks', outcome: 'UPSTREAM_TIMEOUT' }), undefined)
  t.equal(sample(tb, 'botcity_odata_http_requests_total', { entity_set: 'Tasks', status: '200' }), undefined)
})

t.test('the page cache is read at scrape time', async (t) => {
  const metrics = createMetrics()
  const stats = { hits: 1, misses: 2, evictions: 3, bytes: 4, entries: 5 }
  const cache = { stats: () => ({ ...stats }) }
  t.equal(metrics.watchPageCache(cache), cache, 'returns the cache')
  stats.hits = 10
  const text = await metrics.registry.metrics()
  t.equal(sample(text, 'botcity_odata_page_cache_hits_total'), 10)
  t.equal(sample(text, 'botcity_odata_page_cache_misses_total'), 2)
  t.equal(sample(text, 'botcity_odata_page_cache_evictions_total'), 3)
  t.equal(sample(text, 'botcity_odata_page_cache_bytes'), 4)
  t.equal(sample(text, 'botcity_odata_page_cache_entries'), 5)
})

t.test('entity set labels come from a fixed set', async (t) => {
  const label = (url: string, route: string | null = '/odata/*'): string =>
    entitySetLabel({ url, routeOptions: { url: route ?? undefined } } as unknown as FastifyRequest)
  t.equal(label('/odata/Tasks?$top=1'), 'Tasks')
  t.equal(label('/odata/Tasks(17296058)/state/$value'), 'Tasks')
  t.equal(label("/odata/Automations('a''b')"), 'Automations')
  t.equal(label('/odata/Runners/$count'), 'Runners')
  t.equal(label('/odata/%24metadata'), 'metadata')
  t.equal(label('/odata/$metadata'), 'metadata')
  t.equal(label('/odata/'), 'service')
  t.equal(label('/odata', '/odata'), 'service')
  t.equal(label('/odata/TasksX'), 'other')
  t.equal(label('/odata/tasks'), 'other', 'names are case-sensitive')
  t.equal(label('/odata/%E0%A4%A'), 'other', 'bad percent-encoding')
  t.equal(label('/odata/Tasks', null), 'other', 'no route: a 404')
  t.equal(label('/healthz', '/healthz'), 'other')
})
