// Response formats, preferences, emitted URLs and upstream trouble, over real HTTP.
import t from 'tap'
import { getJson, startBridge } from '../fixtures/bridge.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const bridge = await startBridge({ sim: { tasks: 600, now: () => NOW }, now: () => NOW, env: { UPSTREAM_RETRIES: '1', UPSTREAM_TIMEOUT_MS: '2000', CACHE_TTL_S: '0' } })
t.teardown(() => bridge.close())

t.test('odata.metadata=full adds ids, types and type annotations; none drops the context', async (t) => {
  const full = await getJson(`${bridge.feed}Tasks?$top=1`, { headers: { accept: 'application/json;odata.metadata=full' } })
  t.equal(full.headers.get('content-type'), 'application/json;odata.metadata=full')
  const row = (full.body.value as Record<string, unknown>[])[0] as Record<string, unknown>
  t.equal(row['@odata.type'], '#BotCity.Insights.Task')
  t.equal(row['@odata.id'], `${bridge.feed}Tasks(${row.id as number})`)
  t.equal(row['id@odata.type'], '#Int64')
  t.equal(row['dateCreation@odata.type'], '#DateTimeOffset')
  t.notOk('state@odata.type' in row, 'strings need no annotation')
  const none = await getJson(`${bridge.feed}Tasks?$top=1&$format=application/json;odata.metadata=none`)
  t.equal(none.headers.get('content-type'), 'application/json;odata.metadata=none')
  t.notOk('@odata.context' in none.body)
  const runner = await getJson(`${bridge.feed}Runners?$top=1`, { headers: { accept: 'application/json;odata.metadata=full' } })
  t.equal(((runner.body.value as Record<string, unknown>[])[0] as Record<string, unknown>)['automations@odata.type'], '#Collection(String)')
})

t.test('IEEE754Compatible=true writes Int64 and the count as strings', async (t) => {
  const res = await getJson(`${bridge.feed}Tasks?$top=2&$count=true`, { headers: { accept: 'application/json;IEEE754Compatible=true' } })
  t.equal(res.headers.get('content-type'), 'application/json;odata.metadata=minimal;IEEE754Compatible=true')
  const row = (res.body.value as Record<string, unknown>[])[0] as Record<string, unknown>
  t.type(row.id, 'string')
  t.type(res.body['@odata.count'], 'string')
  t.ok(row.totalItems === null || typeof row.totalItems === 'number', 'Int32 stays a number')
})

t.test('Prefer: omit-values=nulls and odata.maxpagesize are applied and said so', async (t) => {
  const res = await getJson(`${bridge.feed}Tasks?$top=50`, { headers: { prefer: 'odata.maxpagesize=7; omit-values=nulls' } })
  t.equal(res.headers.get('preference-applied'), 'odata.maxpagesize=7, omit-values=nulls')
  const rows = res.body.value as Record<string, unknown>[]
  t.equal(rows.length, 7)
  t.ok(rows.every((r) => Object.values(r).every((v) => v !== null)), 'no null values written')
  t.ok(rows.some((r) => !('finishStatus' in r) || !('machineId' in r)) || rows.every((r) => 'finishStatus' in r), 'null properties are omitted')
  t.ok(typeof res.body['@odata.nextLink'] === 'string')
  const plain = await fetch(`${bridge.feed}Tasks?$top=1`)
  t.equal(plain.headers.get('preference-applied'), null)
  await plain.arrayBuffer()
})

t.test('emitted URLs follow X-Forwarded-* only when TRUST_PROXY is on, and PUBLIC_URL wins', async (t) => {
  const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'bi.example.com' }
  const untrusted = await getJson(`${bridge.feed}Tasks?$top=1`, { headers })
  t.match(untrusted.body['@odata.context'], /^http:\/\/127\.0\.0\.1:/)
  const proxied = await startBridge({ sim: { tasks: 100 }, env: { TRUST_PROXY: 'true', PAGE_SIZE: '10' } })
  t.teardown(() => proxied.close())
  const trusted = await getJson(`${proxied.feed}Tasks`, { headers })
  t.equal(trusted.body['@odata.context'], 'https://bi.example.com/odata/$metadata#Tasks')
  t.match(trusted.body['@odata.nextLink'], /^https:\/\/bi\.example\.com\/odata\/Tasks\?\$skiptoken=/)
  const pub = await startBridge({ sim: { tasks: 100 }, env: { PUBLIC_URL: 'https://feeds.example.org/insights' } })
  t.teardown(() => pub.close())
  t.equal((await getJson(`${pub.feed}`)).body['@odata.context'], 'https://feeds.example.org/insights/odata/$metadata')
})

t.test('upstream trouble becomes 502/503/504 with a message a user can act on', async (t) => {
  const cases = [
    [{ kind: 'status', status: 500, count: 5 }, 502, 'UPSTREAM_ERROR'],
    [{ kind: 'status', status: 503, count: 5 }, 503, 'UPSTREAM_UNAVAILABLE'],
    [{ kind: 'status', status: 429, retryAfterS: 0, count: 5 }, 503, 'UPSTREAM_RATE_LIMITED'],
    // Four times the timeout: a busy machine cannot turn a normal answer into this, nor this into a normal one.
    [{ kind: 'slow', delayMs: 8000, count: 5 }, 504, 'UPSTREAM_TIMEOUT'],
    [{ kind: 'malformed', count: 5 }, 502, 'UPSTREAM_BAD_RESPONSE']
  ] as const
  for (const [fault, status, code] of cases) {
    bridge.sim.clearFaults()
    bridge.sim.inject({ ...fault, route: 'tasks' })
    const res = await getJson(`${bridge.feed}Tasks?$top=1&$skip=${Math.floor(Math.random() * 400)}`)
    t.equal(res.status, status, `${fault.kind} ${'status' in fault ? fault.status : ''} → ${status}`)
    const error = res.body.error as { code: string; message: string }
    t.equal(error.code, code)
    t.match(error.message, /BotCity/)
    t.equal(res.headers.get('odata-version'), '4.0')
  }
  bridge.sim.clearFaults()
  const ok = await getJson(`${bridge.feed}Tasks?$top=1`)
  t.equal(ok.status, 200, 'answers again once the upstream recovers')
})

t.test('a wrong service-account key is a 502 that says whose credentials failed', async (t) => {
  const wrong = await startBridge({ sim: { tasks: 50 }, env: { BOTCITY_KEY: 'not-the-key' } })
  t.teardown(() => wrong.close())
  const res = await getJson(`${wrong.feed}Tasks`)
  t.equal(res.status, 502)
  t.equal((res.body.error as { code: string }).code, 'UPSTREAM_CREDENTIALS_REJECTED')
  t.notMatch(JSON.stringify(res.body), /not-the-key/)
  t.notOk(wrong.logs.some((l) => l.includes('not-the-key')), 'the key is never logged')
})

t.test('passthrough: Basic credentials are the workspace login/key; 401 challenges', async (t) => {
  const pass = await startBridge({ sim: { tasks: 50 }, passthrough: true })
  t.teardown(() => pass.close())
  const anon = await getJson(`${pass.feed}Tasks`)
  t.equal(anon.status, 401)
  t.match(anon.headers.get('www-authenticate'), /^Basic realm="BotCity Insights"/)
  const basic = `Basic ${Buffer.from('demo:demo').toString('base64')}`
  t.equal((await getJson(`${pass.feed}Tasks?$top=1`, { headers: { authorization: basic } })).status, 200)
  const wrong = await getJson(`${pass.feed}Tasks?$top=1`, { headers: { authorization: `Basic ${Buffer.from('demo:nope').toString('base64')}` } })
  t.equal(wrong.status, 401)
  t.equal((wrong.body.error as { code: string }).code, 'BRIDGE_ERR_UNAUTHORIZED')
  const rootWrong = await getJson(`${pass.feed}`, { headers: { authorization: `Basic ${Buffer.from('demo:nope').toString('base64')}` } })
  t.equal(rootWrong.status, 401, 'the service root checks the workspace key (Power BI service tests a connection there)')
  t.equal((await getJson(`${pass.feed}?api_key=demo:demo`)).status, 200, 'and accepts a right one')
  const key = await getJson(`${pass.feed}Tasks?$top=1&api_key=demo%3Ademo`)
  t.equal(key.status, 200)
  const paged = await getJson(`${pass.feed}Tasks?api_key=demo:demo`, { headers: { prefer: 'odata.maxpagesize=5' } })
  t.notMatch(paged.body['@odata.nextLink'], /api_key/, 'the API key is not echoed in nextLink')
  t.notOk(pass.logs.some((l) => l.includes('demo:demo') || l.includes(Buffer.from('demo:demo').toString('base64'))), 'credentials never logged')
})

t.test('responses are compressed for Power Query\'s Accept-Encoding and keep their headers', async (t) => {
  const { request } = await import('node:http')
  const { gunzipSync } = await import('node:zlib')
  const url = new URL(`${bridge.feed}Tasks?$top=200`)
  const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': 'gzip, deflate' } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
    }).on('error', reject).end()
  })
  t.equal(headers['content-encoding'], 'gzip')
  t.equal(headers['odata-version'], '4.0')
  t.equal(headers['content-type'], 'application/json;odata.metadata=minimal')
  const json = JSON.parse(gunzipSync(body).toString('utf8')) as { value: unknown[] }
  const plain = await getJson(url.href)
  t.ok(json.value.length > 20)
  t.same(json, plain.body, 'the same document as uncompressed')
})

t.test('service-account mode: clients present a bridge API key three ways, compared safely', async (t) => {
  const KEY = 'k-0123456789abcdef-0123'
  const svc = await startBridge({ sim: { tasks: 50 }, env: { ALLOW_ANONYMOUS: 'false', BRIDGE_API_KEYS: `other-key-000000000000,${KEY}` } })
  t.teardown(() => svc.close())
  const anon = await getJson(`${svc.feed}Tasks?$top=1`)
  t.equal(anon.status, 401)
  t.match(anon.headers.get('www-authenticate'), /^Basic realm=/)
  t.match((anon.body.error as { message: string }).message, /API key/)
  t.equal((await getJson(`${svc.feed}`)).status, 401, 'the service document too')
  t.equal((await getJson(`${svc.feed}Tasks?$top=1`, { headers: { authorization: `Bearer ${KEY}` } })).status, 200, 'Bearer')
  t.equal((await getJson(`${svc.feed}Tasks?$top=1`, { headers: { authorization: `Basic ${Buffer.from(`anyone:${KEY}`).toString('base64')}` } })).status, 200, 'Basic password')
  const viaParam = await getJson(`${svc.feed}Tasks?api_key=${KEY}`, { headers: { prefer: 'odata.maxpagesize=2' } })
  t.equal(viaParam.status, 200, 'api_key parameter')
  t.notMatch(viaParam.body['@odata.nextLink'], /api_key/, 'the key is not in nextLink')
  const wrong = await getJson(`${svc.feed}Tasks?$top=1`, { headers: { authorization: 'Bearer nope' } })
  t.equal(wrong.status, 401)
  t.notMatch(JSON.stringify(wrong.body), /nope/)
  t.equal((await fetch(`${svc.origin}/`)).status, 200, 'the landing page stays public')
  t.notOk(svc.logs.some((l) => l.includes(KEY)), 'the key never reaches the logs')
})

t.test('$skiptoken is opaque: encrypted, authenticated, bound to its query', async (t) => {
  const first = await getJson(`${bridge.feed}Tasks?$select=id`, { headers: { prefer: 'odata.maxpagesize=5' } })
  const link = first.body['@odata.nextLink'] as string
  const token = decodeURIComponent(/\$skiptoken=([^&]+)/.exec(link)?.[1] ?? '')
  const bytes = Buffer.from(token, 'base64url')
  for (const seen of ['"pos"', '"total"', 'scan', '"T"', String((first.body.value as { id: number }[])[4]?.id)]) {
    t.notOk(bytes.includes(Buffer.from(seen)), `${seen} is not readable in it`)
  }
  const edited = Buffer.from(bytes)
  edited[edited.length - 1] = (edited[edited.length - 1] as number) ^ 1
  t.equal((await getJson(link.replace(encodeURIComponent(token), edited.toString('base64url')))).status, 400, 'an edited token is refused')
  t.equal((await getJson(link.replace('$select=id', '$select=state'))).status, 400, 'on another query it is refused')
  t.equal((await getJson(link)).status, 200, 'as sent, it works')
})
