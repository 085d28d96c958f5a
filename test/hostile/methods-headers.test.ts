// Issue 6, "Hostile input": write methods on the read-only feed (405 with an
// OData error, before any body is read), random methods, and garbage in the
// headers a client controls (Accept, Prefer, Authorization, OData-*,
// forwarding headers…) against the three modes: anonymous, service account
// with API keys, passthrough. Every answer is clean (clean-answer.ts).
import fc from 'fast-check'
import t from 'tap'
import { startBridge } from '../fixtures/bridge.js'
import type { BridgeFixture } from '../fixtures/bridge.js'
import { uncleanAnswer } from './clean-answer.js'
import { rawRequest } from './raw-http.js'

const API_KEY = 'hostile-test-key-0123456789'

let open: BridgeFixture
let keyed: BridgeFixture
let passthrough: BridgeFixture
t.before(async () => {
  [open, keyed, passthrough] = await Promise.all([
    startBridge({ sim: { tasks: 200 }, env: { LOG_LEVEL: 'warn' } }),
    startBridge({ sim: { tasks: 200 }, env: { LOG_LEVEL: 'warn', BRIDGE_API_KEYS: API_KEY, ALLOW_ANONYMOUS: 'false' } }),
    startBridge({ sim: { tasks: 200 }, passthrough: true, env: { LOG_LEVEL: 'warn' } })
  ])
})
t.teardown(async () => { await Promise.all([open, keyed, passthrough].map((b) => b.close())) })

const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'MERGE'] as const
const FEED_PATHS = ['/odata', '/odata/', '/odata/Tasks', '/odata/Tasks(17013978)', "/odata/Automations('a')", '/odata/Runners', '/odata/Tasks/$count',
  '/odata/$metadata', '/odata/$batch', '/odata/Tasks(1)/state', '/odata/Tasks(1)/state/$value', '/odata/Nope']

t.test('write methods on the feed: 405 with Allow and an OData error, body unread', async (t) => {
  for (const bridge of [open, keyed]) {
    for (const method of WRITE_METHODS) {
      for (const path of FEED_PATHS) {
        const res = await rawRequest(bridge.origin, { method, target: path, headers: [['Content-Type', 'application/json']], body: '{"id":1}' })
        t.equal(uncleanAnswer(res, method), null, `${method} ${path}: clean`)
        t.equal(res.status, 405, `${method} ${path}: 405`)
        t.equal(res.headers.allow, 'GET, HEAD')
        t.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'BRIDGE_ERR_METHOD_NOT_ALLOWED')
      }
    }
  }
  // A body far over the body limit changes nothing: the method is refused first.
  const big = await rawRequest(open.origin, { method: 'POST', target: '/odata/Tasks', headers: [['Content-Type', 'application/json']], body: 'x'.repeat(1024 * 1024) })
  t.equal(big.status, 405, 'a 1 MB POST: 405, not 413')
  t.equal(uncleanAnswer(big, 'POST'), null)
})

t.test('random methods anywhere answer cleanly', async (t) => {
  const method = fc.oneof(
    fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'PURGE', 'LINK', 'QUERY', ...WRITE_METHODS),
    fc.stringMatching(/^[A-Za-z-]{1,12}$/)
  )
  const path = fc.constantFrom(...FEED_PATHS, '/', '/healthz', '/readyz', '/connect/Tasks.odc', '/connect/botcity-insights.pbids', '/docs', '/openapi.json', '/nope', '*')
  await fc.assert(fc.asyncProperty(method, path, async (m, p) => {
    const res = await rawRequest(open.origin, { method: m, target: p })
    const problem = uncleanAnswer(res, m)
    if (problem !== null) throw new Error(`${m} ${p} → ${problem}`)
    const write = m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS'
    if (write && p.startsWith('/odata') && res.status !== 405 && res.status !== 400) throw new Error(`${m} ${p} → ${res.status}, expected 405 (or 400 for a method Node does not know)`)
  }), { numRuns: 80 })
  t.pass('80 requests')
})

/** Header values: printable ASCII garbage, near-misses of real values, and odd bytes. */
const headerValue = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom('', ' ', ',', ';', '=', '*', '*/*;q=0', 'application/json;odata.metadata=bogus', 'application/json;q=abc', 'text/html', 'application/xml',
    'application/json;odata.metadata=full;IEEE754Compatible=maybe', 'odata.maxpagesize=0', 'odata.maxpagesize=-5', 'odata.maxpagesize=99999999999999',
    'odata.maxpagesize=1; odata.maxpagesize=2', 'return=minimal, respond-async, wait=-1', 'omit-values=nulls;;;', '4.0', '4.01', '3.0', '99', 'x',
    'Basic', 'Basic ', 'Basic !!!', 'Basic Og==', 'Basic OmE=', 'Basic YTo=', 'Bearer', 'Bearer ', 'Bearer x y z', 'Negotiate abc', 'Digest a=b',
    'gzip;q=NaN, br;q=-1, zstd, *;q=2', 'identity;q=0', '"etag"', 'bytes=0-0', 'bytes=-1', '\u00ff\u00fe', 'a\tb', `Basic ${'Q'.repeat(4000)}`),
  fc.string({ maxLength: 30 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
  fc.string({ maxLength: 30 }).map((s) => `Bearer ${s}`)
)
const HEADER_NAMES = ['Accept', 'Prefer', 'Authorization', 'OData-MaxVersion', 'OData-Version', 'Accept-Encoding', 'Accept-Charset', 'Accept-Language',
  'If-None-Match', 'If-Match', 'Range', 'X-Forwarded-Proto', 'X-Forwarded-Host', 'X-Forwarded-For', 'Forwarded', 'Content-Type', 'Cookie', 'x-request-id',
  'Expect', 'TE', 'Upgrade', 'Origin', 'X-HTTP-Method-Override', 'Content-Encoding']
const headers = fc.array(fc.tuple(fc.constantFrom(...HEADER_NAMES), headerValue), { minLength: 1, maxLength: 5 })
const target = fc.constantFrom('/odata/Tasks?$top=2', '/odata/Automations?$top=2', '/odata/Runners', '/odata/', '/odata/$metadata', '/odata/Tasks/$count',
  '/odata/Tasks(1)', `/odata/Tasks?$top=1&api_key=${encodeURIComponent('x:y')}`, '/', '/healthz')

for (const [name, bridge] of [['anonymous', () => open], ['service account with API keys', () => keyed], ['passthrough', () => passthrough]] as const) {
  t.test(`garbage headers answer cleanly (${name})`, async (t) => {
    const statuses = new Map<number, number>()
    await fc.assert(fc.asyncProperty(target, headers, async (p, h) => {
      // Expect: 100-continue asks for an interim answer the raw client does not wait for; the final one is what counts.
      const res = await rawRequest(bridge().origin, { target: p, headers: h })
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      const problem = uncleanAnswer(res)
      if (problem !== null) throw new Error(`${p} ${JSON.stringify(h).slice(0, 300)} → ${problem}`)
      if (res.status === 401 && !/^Basic realm=/.test(res.headers['www-authenticate'] ?? '')) throw new Error('401 without a Basic challenge')
    }), { numRuns: 70 })
    t.comment(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`)
    t.pass('70 requests')
  })
}

t.test('bad credentials: 401 with a Basic challenge and an OData error, the key never echoed', async (t) => {
  // A bridge of its own: the random headers above already cost the test address its free failed sign-ins.
  const fresh = await startBridge({ sim: { tasks: 50 }, env: { LOG_LEVEL: 'warn', BRIDGE_API_KEYS: API_KEY, ALLOW_ANONYMOUS: 'false' } })
  t.teardown(() => fresh.close())
  const cases: [string, string][] = [
    ['Authorization', 'Basic !!!'], ['Authorization', `Basic ${Buffer.from(':wrong-key-wrong-key').toString('base64')}`], ['Authorization', 'Bearer nope-nope-nope-nope'],
    ['Authorization', `Bearer ${API_KEY}x`], ['Authorization', 'Basic'], ['Authorization', '']
  ]
  for (const [n, v] of cases) {
    const res = await rawRequest(fresh.origin, { target: '/odata/Tasks?$top=1', headers: [[n, v]] })
    t.equal(res.status, 401, v)
    t.equal(uncleanAnswer(res), null)
    t.match(res.headers['www-authenticate'] ?? '', /^Basic realm=/)
    t.notMatch(res.body, /nope-nope|wrong-key/, 'the presented secret is not echoed')
  }
  const ok = await rawRequest(fresh.origin, { target: '/odata/Tasks?$top=1', headers: [['Authorization', `Bearer ${API_KEY}`]] })
  t.equal(ok.status, 200, 'the right key still works')
})

t.test('no bridge logged an error', async (t) => {
  for (const b of [open, keyed, passthrough]) t.same(b.logs.filter((line) => /"level":(50|60)/.test(line)).slice(0, 3), [])
})
