// The upstream's last hour: minutes kept by the clock, replicas' minutes added
// before percentiles are read off, percentiles as Prometheus interpolates them.
import t from 'tap'
import { LATENCY_BOUNDS_MS, UpstreamMinutes, lastHour, quantile } from '../../src/monitor/upstream-minutes.js'
import type { UpstreamCallEvent } from '../../src/upstream/observability.js'

const call = (ms: number, over: Partial<UpstreamCallEvent> = {}): UpstreamCallEvent => ({ route: 'tasks', outcome: 'ok', ms, retries: 0, throttled: 0, relogin: false, ...over })

t.test('percentiles from fixed buckets, interpolated inside the bucket', async (t) => {
  const buckets = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0)
  t.equal(quantile(buckets, 0.5), null, 'no call, no percentile')
  buckets[3] = 100 // 100 calls in (25, 50] ms
  t.equal(quantile(buckets, 0.5), 37.5)
  t.equal(quantile(buckets, 0.99), 49.8)
  buckets[LATENCY_BOUNDS_MS.length] = 100 // 100 slower than the last bound
  t.equal(quantile(buckets, 0.99), 60_000, 'the slowest bucket answers its lower bound')
})

t.test('an hour of minutes, each call in its minute; old minutes leave', async (t) => {
  let now = Date.UTC(2026, 11, 6, 10, 0, 30)
  const m = new UpstreamMinutes(() => now)
  m.record(call(40))
  m.record(call(400, { outcome: 'UPSTREAM_RATE_LIMITED', throttled: 2, retries: 1 }))
  m.record(call(1, { outcome: 'aborted' }))
  now += 60_000
  m.record(call(8))
  const hour = lastHour(now, m.counts())
  t.equal(hour.length, 60)
  t.equal(hour.at(-1)?.t, Date.UTC(2026, 11, 6, 10, 1))
  t.match(hour.at(-2), { calls: 3, errors: 1, throttled: 2, retries: 1 }, 'an aborted call is no error')
  t.match(hour.at(-1), { calls: 1, errors: 0, p50: 7.5 })
  now += 60 * 60_000
  t.same(m.counts(), [], 'an hour later nothing is kept')
  m.record(call(8))
  t.equal(lastHour(now, m.counts()).reduce((n, x) => n + x.calls, 0), 1)
})

t.test('the minutes of replicas add up before percentiles', async (t) => {
  const now = Date.UTC(2026, 11, 6, 10, 0, 30)
  const a = new UpstreamMinutes(() => now)
  const b = new UpstreamMinutes(() => now)
  for (let i = 0; i < 90; i++) a.record(call(20))
  for (let i = 0; i < 10; i++) b.record(call(2000))
  const last = lastHour(now, a.counts(), b.counts()).at(-1)
  t.equal(last?.calls, 100)
  t.ok((last?.p50 ?? 0) <= 25, `p50 ${last?.p50} among the fast`)
  t.ok((last?.p99 ?? 0) > 1000, `p99 ${last?.p99} among the slow`)
})
