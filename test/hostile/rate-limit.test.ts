// Rate limiting per client (RATE_LIMIT_PER_MIN): over the limit, 429
// BRIDGE_ERR_RATE_LIMITED as an OData error with Retry-After and
// OData-Version; a client is who authentication found (one budget per API
// key, however it is presented), else its address; made-up credentials do not
// buy a new budget; probes are never limited; 0 disables it; the key never
// reaches the logs. (Failed sign-ins: test/hostile/client-identity.test.ts.)
import t from 'tap'
import { startBridge } from '../fixtures/bridge.js'
import { uncleanAnswer } from './clean-answer.js'
import { rawRequest } from './raw-http.js'

const KEY_A = 'rate-limit-key-aaaaaaaaaaaa'
const KEY_B = 'rate-limit-key-bbbbbbbbbbbb'
const QUERY = '/odata/Tasks?$top=1'

const bearer = (key: string): [string, string][] => [['Authorization', `Bearer ${key}`]]

t.test('over the limit: 429 as an OData error with Retry-After; probes stay answered', async (t) => {
  const b = await startBridge({ sim: { tasks: 100 }, env: { RATE_LIMIT_PER_MIN: '5' } })
  t.teardown(() => b.close())
  for (let i = 1; i <= 5; i++) {
    const res = await rawRequest(b.origin, { target: QUERY })
    t.equal(res.status, 200, `request ${i}`)
    t.equal(res.headers['x-ratelimit-limit'], '5')
    t.equal(res.headers['x-ratelimit-remaining'], String(5 - i))
  }
  const res = await rawRequest(b.origin, { target: QUERY })
  t.equal(res.status, 429)
  t.equal(uncleanAnswer(res), null, 'OData error body and OData-Version')
  const body = JSON.parse(res.body) as { error: { code: string; message: string } }
  t.equal(body.error.code, 'BRIDGE_ERR_RATE_LIMITED')
  t.match(body.error.message, /More than 5 requests in a minute/)
  const retryAfter = Number(res.headers['retry-after'])
  t.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${res.headers['retry-after']} in delta-seconds, 1-60`)
  t.equal(res.headerCounts['retry-after'], 1, 'Retry-After once')
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal((await rawRequest(b.origin, { target: '/odata/$metadata' })).status, 429, 'the whole feed, $metadata included')
  for (const probe of ['/healthz', '/readyz']) t.equal((await rawRequest(b.origin, { target: probe })).status, 200, `${probe} is not limited`)
  t.ok(b.logs.some((l) => /rate limit exceeded/.test(l) && /"client":"address"/.test(l)), 'logged, by kind of client only')
})

t.test('one budget per API key, whichever way it is presented; another key has its own', async (t) => {
  const b = await startBridge({ sim: { tasks: 100 }, env: { RATE_LIMIT_PER_MIN: '3', BRIDGE_API_KEYS: `${KEY_A},${KEY_B}`, ALLOW_ANONYMOUS: 'false' } })
  t.teardown(() => b.close())
  // Refused keys are answered before the limiter (401, then 429 as failed sign-ins cost time): they spend no budget.
  const refused: number[] = []
  for (let i = 0; i < 6; i++) refused.push((await rawRequest(b.origin, { target: QUERY, headers: bearer('not-a-key-not-a-key') })).status)
  t.same(refused, [401, 401, 401, 401, 429, 429], 'three free failures, then each one waits')
  t.equal((await rawRequest(b.origin, { target: QUERY, headers: bearer(KEY_A) })).status, 200, 'a right key from the same address is not held up')
  t.equal((await rawRequest(b.origin, { target: `${QUERY}&api_key=${KEY_A}` })).status, 200, 'same key as api_key')
  t.equal((await rawRequest(b.origin, { target: QUERY, headers: bearer(KEY_A) })).status, 200)
  const limited = await rawRequest(b.origin, { target: `${QUERY}&api_key=${KEY_A}` })
  t.equal(limited.status, 429, 'the fourth request with key A, however presented')
  t.equal(uncleanAnswer(limited), null)
  t.equal((await rawRequest(b.origin, { target: QUERY, headers: bearer(KEY_B) })).status, 200, 'key B, same address: its own budget')
  const logs = b.logs.join('\n')
  for (const secret of [KEY_A, KEY_B, Buffer.from(KEY_A).toString('base64')]) t.notOk(logs.includes(secret), 'no key in the logs')
})

t.test('where nothing checks credentials, made-up ones do not buy a new budget', async (t) => {
  const b = await startBridge({ sim: { tasks: 100 }, env: { RATE_LIMIT_PER_MIN: '3' } })
  t.teardown(() => b.close())
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) statuses.push((await rawRequest(b.origin, { target: QUERY, headers: bearer(`invented-${i}`) })).status)
  t.same(statuses, [200, 200, 200, 429, 429], 'anonymous bridge: one budget per address')
})

t.test('RATE_LIMIT_PER_MIN=0 disables the limit', async (t) => {
  const b = await startBridge({ sim: { tasks: 100 }, env: { RATE_LIMIT_PER_MIN: '0' } })
  t.teardown(() => b.close())
  const answers = await Promise.all(Array.from({ length: 40 }, () => rawRequest(b.origin, { target: '/odata/$metadata' })))
  t.same([...new Set(answers.map((a) => a.status))], [200])
  t.equal(answers[0]?.headers['x-ratelimit-limit'], undefined, 'no rate-limit headers')
})

t.test('the default (6000 a minute) leaves a Power Query refresh alone', async (t) => {
  const b = await startBridge({ sim: { tasks: 3000 } })
  t.teardown(() => b.close())
  // A preview burst (a handful of requests at once), then a paged load one page at a time.
  const burst = await Promise.all(['/odata/', '/odata/$metadata', '/odata/Tasks?$top=1000', '/odata/Automations', '/odata/Runners'].map((target) => rawRequest(b.origin, { target })))
  t.same(burst.map((r) => r.status), [200, 200, 200, 200, 200])
  let next: string | undefined = `${b.feed}Tasks?days=180`
  let pages = 0
  while (next !== undefined) {
    const res = await fetch(next, { headers: { prefer: 'odata.maxpagesize=100' } })
    t.equal(res.status, 200)
    next = ((await res.json()) as { '@odata.nextLink'?: string })['@odata.nextLink']
    pages++
  }
  t.ok(pages > 20, `${pages} pages read without a 429`)
  t.equal(burst[0]?.headers['x-ratelimit-limit'], '6000')
})
