import t from 'tap'
import { createPageCache, noPageCache, stampedRead } from '../../src/upstream/page-cache.js'

t.test('hits within the TTL, fresh reads bypass it, stamps order reads', async (t) => {
  let clock = 1000
  const cache = createPageCache({ ttlMs: 60_000, maxBytes: 1 << 20, now: () => clock })
  let calls = 0
  const read = async () => ({ n: ++calls })
  const a = await cache.get('k', read)
  const b = await cache.get('k', read)
  t.same(b.value, a.value)
  t.equal(calls, 1)
  t.equal(a.cached, false)
  t.equal(b.cached, true)
  t.same(b.stamp, a.stamp, 'a cached answer keeps the stamp of its read')
  const c = await cache.get('k', read, true)
  t.equal(calls, 2, 'fresh read calls again')
  t.same(c.value, { n: 2 })
  t.ok(c.stamp.started > a.stamp.ended, 'a later read has a later stamp')
  clock += 59_999
  t.same((await cache.get('k', read)).value, { n: 2 }, 'served up to its TTL')
  clock += 2
  const d = await cache.get('k', read)
  t.same(d.value, { n: 3 }, 'never past it: the get waits for a new read (README: at most CACHE_TTL_S old)')
  t.equal(d.cached, false)
  t.match(cache.stats(), { hits: 2, misses: 3, entries: 1 })
})

t.test('concurrent gets of one key make one read', async (t) => {
  const cache = createPageCache({ ttlMs: 60_000, maxBytes: 1 << 20 })
  let calls = 0
  const read = async () => { calls++; await new Promise((r) => setTimeout(r, 10)); return 'x' }
  const all = await Promise.all(Array.from({ length: 20 }, () => cache.get('k', read)))
  t.equal(calls, 1)
  t.ok(all.every((x) => x.value === 'x'))
})

t.test('bounded by bytes: old entries are evicted', async (t) => {
  const cache = createPageCache({ ttlMs: 60_000, maxBytes: 10_000 })
  for (let i = 0; i < 20; i++) await cache.get(`k${i}`, async () => 'y'.repeat(1000))
  const s = cache.stats()
  t.ok(s.bytes <= 10_000, `${s.bytes} bytes held`)
  t.ok(s.evictions > 0)
  cache.clear()
  t.equal(cache.stats().entries, 0)
})

t.test('TTL 0 disables caching; a failed read is not cached', async (t) => {
  const none = createPageCache({ ttlMs: 0, maxBytes: 1 })
  let calls = 0
  await none.get('k', async () => ++calls)
  await none.get('k', async () => ++calls)
  t.equal(calls, 2)
  t.same(noPageCache().stats(), { hits: 0, misses: 0, evictions: 0, bytes: 0, entries: 0 })
  none.clear()
  const cache = createPageCache({ ttlMs: 60_000, maxBytes: 1 << 20 })
  await t.rejects(cache.get('k', async () => { throw new Error('boom') }), /boom/)
  t.same((await cache.get('k', async () => 'ok')).value, 'ok')
  const s = await stampedRead(async () => 1)
  t.ok(s.stamp.ended > s.stamp.started)
})
