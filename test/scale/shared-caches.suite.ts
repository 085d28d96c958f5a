// The Redis-backed caches on their own, two "replicas" (two stores, two
// caches) over one real Redis: stamps survive the trip, fresh reads bypass
// and overwrite, misses at once make one read, values are sealed, sessions
// are shared and invalidated only while still the rejected one.
import t, { type Test } from 'tap'
import type { Credential } from '../../src/upstream/credential.js'
import { bridgeKeys } from '../../src/keys.js'
import { createSharedPageCache } from '../../src/upstream/redis-page-cache.js'
import { createRedisStore, type RedisStore } from '../../src/upstream/redis-store.js'
import { createSharedTokenCache } from '../../src/upstream/redis-token-cache.js'
import { deriveKey, sealedBox, sealedBoxes } from '../../src/upstream/sealed-box.js'
import type { Session } from '../../src/upstream/token-cache.js'
import { dumpRedis, startRedis } from '../fixtures/redis-server.js'

/** The replicas' BRIDGE_SECRET: every key comes from it (src/keys.ts). */
const KEYS = bridgeKeys('a-bridge-secret-the-replicas-share-0001')
const { credentialId } = KEYS
const salt = KEYS.sealingSalt
const ALICE: Credential = { login: 'alice@acme', key: 'alice-key-0001' }
const BOB: Credential = { login: 'bob@globex', key: 'bob-key-0002' }

const redis = await startRedis()
t.teardown(() => redis.close())

let n = 0
/** A store of its own (a replica's connection), under a prefix of this test, closed at its end. */
async function store(t: Test, prefix: string): Promise<RedisStore> {
  const s = createRedisStore({ url: redis.url, prefix, warnEveryMs: 0 })
  t.teardown(() => s.close())
  t.ok(await s.whenReady(5000), 'connected')
  return s
}

const pageCache = (s: RedisStore, extra: { lockMs?: number } = {}) =>
  createSharedPageCache({ ttlMs: 60_000, maxBytes: 1 << 20, store: s, boxes: sealedBoxes(KEYS), credentialId, pollMs: 5, ...extra })

t.test('sealed boxes: open with the same credential, purpose and key only', async (t) => {
  const box = sealedBox(deriveKey(ALICE, 'page', salt))
  const sealed = box.seal('k1', 'hello rows')
  t.equal(box.open('k1', sealed), 'hello rows')
  t.equal(box.open('k2', sealed), null, 'under another key (AAD)')
  t.equal(sealedBox(deriveKey(BOB, 'page', salt)).open('k1', sealed), null, 'with another credential')
  t.equal(sealedBox(deriveKey(ALICE, 'token', salt)).open('k1', sealed), null, 'for another purpose')
  const tampered = Buffer.from(sealed)
  tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1
  t.equal(box.open('k1', tampered), null, 'altered')
  t.equal(box.open('k1', Buffer.from('short')), null, 'not a sealed value')
  t.notOk(sealed.includes(Buffer.from('hello')), 'no plaintext')
  t.notSame(box.seal('k1', 'hello rows'), sealed, 'a fresh IV each time')
})

t.test('a page read by one replica reaches the other with its exact stamp', async (t) => {
  const prefix = `t${++n}:`
  const a = pageCache(await store(t, prefix))
  const b = pageCache(await store(t, prefix))
  let reads = 0
  const read = async () => ({ content: [{ id: 7, activityLabel: 'Invoices' }], totalElements: ++reads })
  const first = await a.get(`${credentialId(ALICE)} tasks page=0`, read, false, ALICE)
  t.equal(first.cached, false)
  const second = await b.get(`${credentialId(ALICE)} tasks page=0`, read, false, ALICE)
  t.equal(reads, 1, 'one upstream read for the two replicas')
  t.equal(second.cached, true)
  t.same(second.value, first.value)
  t.same(second.stamp, first.stamp, 'the read stamp of the original read, to the microsecond')
  t.match(b.stats(), { hits: 1, misses: 0, sharedHits: 1 })
  t.match(a.stats(), { misses: 1, sharedWrites: 1 })

  // Another workspace's key (keys carry the credential id, as in upstream-access-client.ts) is another entry.
  const other = await b.get(`${credentialId(BOB)} tasks page=0`, async () => 'bob\'s', false, BOB)
  t.equal(other.value, 'bob\'s')

  // fresh: both layers skipped, the new read overwrites Redis for everyone.
  const refreshed = await b.get(`${credentialId(ALICE)} tasks page=0`, read, true, ALICE)
  t.equal(reads, 2)
  t.equal(refreshed.cached, false)
  t.ok(refreshed.stamp.started > first.stamp.ended, 'a newer stamp')
  const c = pageCache(await store(t, prefix))
  const third = await c.get(`${credentialId(ALICE)} tasks page=0`, read, false, ALICE)
  t.equal(reads, 2)
  t.same(third.stamp, refreshed.stamp, 'a third replica gets the refreshed page')
  t.same(third.value, { content: [{ id: 7, activityLabel: 'Invoices' }], totalElements: 2 })
  const stale = await a.get(`${credentialId(ALICE)} tasks page=0`, read, false, ALICE)
  t.same(stale.stamp, first.stamp, 'A still serves its own short-lived copy (its stamp tells its age)')
})

t.test('without a credential, nothing goes to Redis', async (t) => {
  const prefix = `t${++n}:`
  const a = pageCache(await store(t, prefix))
  await a.get('anonymous key', async () => 'v')
  t.same((await dumpRedis(redis.client)).filter((e) => e.key.startsWith(prefix)), [])
})

t.test('an entry sealed for another key or credential is read again, not served', async (t) => {
  const prefix = `t${++n}:`
  const s = await store(t, prefix)
  const a = pageCache(s)
  await a.get('k page=1', async () => 'one', false, ALICE)
  await a.get('k page=2', async () => 'two', false, ALICE)
  const keys = (await dumpRedis(redis.client)).filter((e) => e.key.startsWith(`${prefix}page:`))
  t.equal(keys.length, 2)
  t.ok(keys.every((e) => e.key.startsWith(`${prefix}page:${credentialId(ALICE)}:`)))
  // Swap the two values in Redis: each now sits under the other's key.
  const [x, y] = keys as [{ key: string; value: Buffer }, { key: string; value: Buffer }]
  await redis.client.set(x.key, y.value, 'PX', 60_000)
  await redis.client.set(y.key, x.value, 'PX', 60_000)
  const b = pageCache(await store(t, prefix))
  let reads = 0
  const got = await b.get('k page=1', async () => { reads++; return 'one again' }, false, ALICE)
  t.equal(got.value, 'one again')
  t.equal(reads, 1)
  t.ok(b.stats().unreadable >= 1, 'counted as unreadable')
})

t.test('replicas missing the same page at once make one upstream call (Redis lock)', async (t) => {
  const prefix = `t${++n}:`
  const caches = [pageCache(await store(t, prefix)), pageCache(await store(t, prefix)), pageCache(await store(t, prefix))]
  let reads = 0
  const slow = async () => { reads++; await new Promise((resolve) => setTimeout(resolve, 150)); return { rows: reads } }
  const got = await Promise.all(caches.map((c) => c.get('k page=0', slow, false, ALICE)))
  t.equal(reads, 1, '3 replicas, 1 read')
  t.same(got.map((g) => g.value), [{ rows: 1 }, { rows: 1 }, { rows: 1 }])
  t.equal(new Set(got.map((g) => JSON.stringify(g.stamp))).size, 1, 'one stamp')
  t.equal(caches.reduce((sum, c) => sum + c.stats().lockWaits, 0), 2)

  // The holder's read fails: the waiters read for themselves, nothing is cached.
  reads = 0
  const failing = async () => { reads++; await new Promise((resolve) => setTimeout(resolve, 50)); throw new Error('upstream down') }
  const outcomes = await Promise.allSettled(caches.map((c) => c.get('k page=9', failing, false, ALICE)))
  t.ok(outcomes.every((o) => o.status === 'rejected'))
  t.ok(reads >= 2, 'waiters did not wait for ever')

  // Without the lock, each replica reads.
  reads = 0
  const unlocked = [pageCache(await store(t, `t${++n}:`), { lockMs: 0 }), pageCache(await store(t, `t${n}:`), { lockMs: 0 })]
  await Promise.all(unlocked.map((c) => c.get('k page=0', slow, false, ALICE)))
  t.equal(reads, 2)
})

t.test('shared sessions: one login for two replicas, invalidated only while still the rejected one', async (t) => {
  const prefix = `t${++n}:`
  let logins = 0
  const login = async (c: Credential): Promise<Session> => {
    logins++
    await new Promise((resolve) => setTimeout(resolve, 50))
    return { token: `${c.login}-token-${logins}`, organization: 'org' }
  }
  const tokens = async () => createSharedTokenCache({ credentialId, login, lifetimeMs: 60_000, maxCredentials: 10, store: await store(t, prefix), boxes: sealedBoxes(KEYS), pollMs: 5 })
  const [a, b] = [await tokens(), await tokens()]
  const both = await Promise.all([a.get(ALICE), b.get(ALICE), a.get(ALICE), b.get(ALICE)])
  t.equal(logins, 1, 'concurrent misses on two replicas: one login')
  t.same(new Set(both.map((s) => s.token)), new Set(['alice@acme-token-1']))
  t.same(a.stats().logins + b.stats().logins, 1)

  const stored = await redis.client.getBuffer(`${prefix}token:${credentialId(ALICE)}`)
  t.ok(stored !== null && !stored.includes(Buffer.from('alice')), 'sealed in Redis, under the credential id')
  const ttl = await redis.client.pttl(`${prefix}token:${credentialId(ALICE)}`)
  t.ok(ttl > 50_000 && ttl <= 60_000, 'kept for the token lifetime')

  // A sees token 1 rejected: it is dropped everywhere, A logs in again (token 2).
  const one = both[0] as Session
  a.invalidate(ALICE, one)
  t.equal((await a.get(ALICE)).token, 'alice@acme-token-2')
  // B saw token 1 rejected too, later: Redis now holds token 2, which B's invalidation must keep.
  b.invalidate(ALICE, both[1] as Session)
  t.equal((await b.get(ALICE)).token, 'alice@acme-token-2', 'B takes token 2 from Redis')
  const c = await tokens()
  t.equal((await c.get(ALICE)).token, 'alice@acme-token-2', 'a third replica too')
  t.equal(logins, 2)

  // Invalidation without a rejected session forgets it everywhere.
  c.invalidate(ALICE)
  t.equal((await c.get(ALICE)).token, 'alice@acme-token-3')
  t.equal((await tokens().then((d) => d.get(BOB))).token, 'bob@globex-token-4', 'credentials have their own sessions')
})

t.test('Redis gone: caches fall back to the upstream, nothing throws', async (t) => {
  const prefix = `t${++n}:`
  const s = createRedisStore({ url: 'redis://127.0.0.1:1', prefix, warnEveryMs: 0, commandTimeoutMs: 200 })
  t.teardown(() => s.close())
  t.equal(await s.whenReady(300), false)
  const pages = pageCache(s)
  let reads = 0
  const got = await pages.get('k', async () => ++reads, false, ALICE)
  t.equal(got.value, 1)
  let logins = 0
  const tokens = createSharedTokenCache({ credentialId, login: async () => ({ token: `t${++logins}`, organization: 'o' }), lifetimeMs: 60_000, maxCredentials: 10, store: s, boxes: sealedBoxes(KEYS) })
  const first = await tokens.get(ALICE)
  t.equal(first.token, 't1')
  t.equal((await tokens.get(ALICE)).token, 't1', 'kept in the replica')
  tokens.invalidate(ALICE, first)
  t.equal((await tokens.get(ALICE)).token, 't2', 'a rejected session is dropped, a new login follows')
  t.ok(s.stats().skipped > 0, 'skipped commands are counted')
})

t.test('a slow Redis: each command gives up after its timeout and the read goes upstream', async (t) => {
  const prefix = `t${++n}:`
  const warnings: string[] = []
  const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_f: object, m?: string) => { warnings.push(m ?? '') } }
  const s = createRedisStore({ url: redis.url, prefix, logger, commandTimeoutMs: 100, warnEveryMs: 60_000 })
  t.teardown(() => s.close())
  t.ok(await s.whenReady(5000))
  const pages = pageCache(s)
  await redis.client.call('CLIENT', 'PAUSE', '1500', 'ALL')
  const started = Date.now()
  let reads = 0
  const got = await pages.get('slow page', async () => ++reads, false, ALICE)
  t.equal(got.value, 1, 'served from the upstream')
  t.ok(Date.now() - started < 1200, 'without waiting for Redis to come back')
  t.ok(s.stats().errors > 0, 'timeouts are counted')
  t.equal(warnings.filter((w) => w.includes('Redis shared cache unavailable')).length, 1, 'one warning per interval')
  await new Promise((resolve) => setTimeout(resolve, 1600))
})

t.test('odd entries in Redis: a lock nobody releases, values that are not ours, a cache of 0 s', async (t) => {
  const prefix = `t${++n}:`
  const s = await store(t, prefix)
  const cache = createSharedPageCache({ ttlMs: 60_000, maxBytes: 1 << 20, store: s, boxes: sealedBoxes(KEYS), credentialId, pollMs: 5, lockWaitMs: 2000 })
  const key = `${credentialId(ALICE)} tasks page=3`
  const digest = (await import('node:crypto')).createHash('sha256').update(key).digest('hex').slice(0, 40)
  // A replica that took the lock and died: the lock expires, the waiter reads.
  await redis.client.set(`${prefix}lock:page:${credentialId(ALICE)}:${digest}`, 'gone', 'PX', 100)
  let reads = 0
  t.equal((await cache.get(key, async () => ++reads, false, ALICE)).value, 1)
  t.equal(cache.stats().lockWaits, 1)
  // A value sealed with the right key but not in this version's shape: read again.
  const box = sealedBox(deriveKey(BOB, 'page', salt))
  const bobKey = `${credentialId(BOB)} tasks page=3`
  const bobDigest = (await import('node:crypto')).createHash('sha256').update(bobKey).digest('hex').slice(0, 40)
  await redis.client.set(`${prefix}page:${credentialId(BOB)}:${bobDigest}`, box.seal(bobKey, 'not json'), 'PX', 60_000)
  t.equal((await cache.get(bobKey, async () => 'fresh', false, BOB)).value, 'fresh')
  t.ok(cache.stats().unreadable >= 1, 'counted as unreadable')
  await redis.client.set(`${prefix}token:${credentialId(BOB)}`, sealedBox(deriveKey(BOB, 'token', salt)).seal(`token ${credentialId(BOB)}`, '{"t":1}'), 'PX', 60_000)
  const tokens = createSharedTokenCache({ credentialId, login: async () => ({ token: 'bob-new', organization: 'o' }), lifetimeMs: 60_000, maxCredentials: 10, store: s, boxes: sealedBoxes(KEYS), lockMs: 0 })
  t.equal((await tokens.get(BOB)).token, 'bob-new', 'a session not in this version\'s shape: log in')
  tokens.clear()
  t.equal((await tokens.get(BOB)).token, 'bob-new', 'after clear(), the session comes back from Redis')
  t.same(tokens.stats(), { logins: 1, sharedHits: 1, lockWaits: 0 })
  // CACHE_TTL_S=0: nothing cached anywhere.
  const none = createSharedPageCache({ ttlMs: 0, maxBytes: 1, store: s, boxes: sealedBoxes(KEYS), credentialId })
  reads = 0
  await none.get('k', async () => ++reads, false, ALICE)
  await none.get('k', async () => ++reads, false, ALICE)
  t.equal(reads, 2)
  t.match(none.stats(), { hits: 0, sharedHits: 0 })
})
