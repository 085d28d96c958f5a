import t from 'tap'
import { HTTPError, TimeoutError, type NormalizedOptions } from 'ky'
import { bridgeError } from '../../src/errors.js'
import { parseRetryAfter } from '../../src/upstream/retry-after.js'
import { equalJitter, kyRetryOptions, shouldRetry, type RetrySettings } from '../../src/upstream/retry-policy.js'

const SETTINGS: RetrySettings = { limit: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000, statusCodes: [429, 500, 502, 503, 504] }
const NOW = Date.parse('2026-01-01T00:00:00Z')

function httpError(status: number, headers: Record<string, string> = {}): HTTPError {
  const request = new Request('http://upstream.test/x')
  return new HTTPError(new Response('', { status, headers }), request, {} as NormalizedOptions)
}

t.test('Retry-After: delay-seconds or HTTP-date, else undefined', async (t) => {
  t.equal(parseRetryAfter('3', NOW), 3)
  t.equal(parseRetryAfter(' 0 ', NOW), 0)
  t.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', NOW), 10)
  t.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:09 GMT', NOW + 500), 9, 'rounded up')
  t.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', NOW), 0, 'a past date means now')
  t.equal(parseRetryAfter('soon', NOW), undefined)
  t.equal(parseRetryAfter('-1', NOW), undefined)
  t.equal(parseRetryAfter(null, NOW), undefined)
  t.equal(parseRetryAfter(undefined, NOW), undefined)
})

t.test('equal jitter keeps between half and all of the delay', async (t) => {
  t.equal(equalJitter(400, () => 0), 200)
  t.equal(equalJitter(400, () => 1), 400)
  t.equal(equalJitter(400, () => 0.5), 300)
  for (let i = 0; i < 100; i++) {
    const d = equalJitter(1000)
    t.ok(d >= 500 && d <= 1000, `${d} within [500, 1000]`)
  }
})

t.test('shouldRetry: never for bridge errors and aborts; Retry-After beyond the cap fails at once', async (t) => {
  t.equal(shouldRetry(bridgeError('UPSTREAM_BAD_RESPONSE', 'x'), SETTINGS, NOW), false)
  t.equal(shouldRetry(new DOMException('gone', 'AbortError'), SETTINGS, NOW), false)
  t.equal(shouldRetry(httpError(429, { 'retry-after': '6' }), SETTINGS, NOW), false, '6 s > 5 s cap')
  t.equal(shouldRetry(httpError(503, { 'retry-after': 'Thu, 01 Jan 2026 00:01:00 GMT' }), SETTINGS, NOW), false, 'date 60 s ahead')
  t.equal(shouldRetry(httpError(429, { 'retry-after': '5' }), SETTINGS, NOW), undefined, 'within the cap: ky decides')
  t.equal(shouldRetry(httpError(429), SETTINGS, NOW), undefined)
  t.equal(shouldRetry(httpError(502, { 'retry-after': '60' }), SETTINGS, NOW), undefined, 'Retry-After only counts on 429/503')
  t.equal(shouldRetry(new TypeError('fetch failed'), SETTINGS, NOW), undefined, 'network errors: ky retries')
  t.equal(shouldRetry(new TimeoutError(new Request('http://upstream.test/')), SETTINGS, NOW), undefined, 'ky never retries timeouts itself')
})

t.test('ky retry options: backoff doubles from the base, capped; GET and POST', async (t) => {
  const options = kyRetryOptions(SETTINGS)
  t.equal(options.limit, 3)
  t.same(options.methods, ['get', 'post'])
  t.same(options.statusCodes, [429, 500, 502, 503, 504])
  t.same(options.afterStatusCodes, [429, 503])
  t.equal(options.maxRetryAfter, 5000)
  t.equal(options.backoffLimit, 1000)
  t.same([1, 2, 3].map((n) => options.delay?.(n)), [100, 200, 400])
  const jittered = typeof options.jitter === 'function' ? options.jitter(400) : -1
  t.ok(jittered >= 200 && jittered <= 400)
  t.equal(await options.shouldRetry?.({ error: httpError(429, { 'retry-after': '60' }), retryCount: 1 }), false)
})
