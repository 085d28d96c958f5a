// Two replicas behind a load balancer, sharing one Redis (REDIS_URL), in front
// of one simulator: a page read by one is served by the other without an
// upstream call, logins are not multiplied, nextLinks work on either replica,
// workspaces stay apart, and Redis holds nothing readable.
import t from 'tap'
import { createHash } from 'node:crypto'
import { bridgeKeys } from '../../src/keys.js'
import { deriveKey, sealedBox } from '../../src/upstream/sealed-box.js'
import { getJson } from '../fixtures/bridge.js'
import { expectedTasks } from '../fixtures/oracle.js'
import { dumpRedis, startRedis } from '../fixtures/redis-server.js'
import { REPLICA_SECRET, basic, settle, startReplicas, upstreamCalls, type Replica } from '../fixtures/replicas.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const now = (): number => NOW
const NORTHWIND = { login: 'northwind-ops', key: 'nw-key-6c1f0e9b7d2a' }
const CONTOSO = { login: 'contoso-ops', key: 'ct-key-93b8d17a5e40' }

const redis = await startRedis()
t.teardown(() => redis.close())

/** Follows nextLinks, each page asked of the next replica in turn (the link rewritten to its origin). */
async function loadAcross(replicas: readonly Replica[], path: string, init?: RequestInit): Promise<{ rows: Record<string, unknown>[]; pages: number; servedBy: Set<number> }> {
  const rows: Record<string, unknown>[] = []
  const servedBy = new Set<number>()
  let next: string | undefined = `${replicas[0]?.feed}${path}`
  let pages = 0
  while (next !== undefined) {
    const i = pages % replicas.length
    const target = replicas[i] as Replica
    const url: string = next.replace(/^http:\/\/127\.0\.0\.1:\d+\/odata\//, target.feed)
    const { status, body } = await getJson(url, init)
    if (status !== 200) throw new Error(`${status} from replica ${i}: ${JSON.stringify(body)}`)
    servedBy.add(i)
    rows.push(...(body.value as Record<string, unknown>[]))
    next = body['@odata.nextLink'] as string | undefined
    pages++
  }
  return { rows, pages, servedBy }
}

const metric = async (replica: Replica, name: string): Promise<number> => {
  const text = await (await fetch(`${replica.origin}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? NaN : Number(line.split(' ')[1])
}

t.test('service account: one replica\'s pages and login serve the other', async (t) => {
  await redis.client.flushall()
  const fx = await startReplicas({ redisUrl: redis.url, sim: { tasks: 800, now, login: NORTHWIND.login, key: NORTHWIND.key }, now, env: { PAGE_SIZE: '100' } })
  t.teardown(() => fx.close())
  const [a, b] = fx.replicas as [Replica, Replica]
  t.equal(fx.sim.stats().login, 0, 'no login before the first request')

  let logins = 0
  const queries = ['Tasks?$top=40', 'Automations?$top=3', 'Runners', 'Tasks?$skip=35&$top=10', 'Tasks?$orderby=totalItems%20desc&$top=5']
  for (const [i, q] of queries.entries()) {
    const cold = await upstreamCalls(fx.sim, () => getJson(`${a.feed}${q}`))
    t.equal(cold.result.status, 200, `${q}: replica A answers`)
    if (i < 3) t.ok(cold.data > 0, `${q}: replica A reads the upstream`)
    logins += cold.logins
    const warm = await upstreamCalls(fx.sim, () => getJson(`${b.feed}${q}`))
    t.equal(warm.result.status, 200, `${q}: replica B answers`)
    t.equal(warm.data, 0, `${q}: replica B makes no upstream call (pages from Redis)`)
    t.equal(warm.logins, 0, `${q}: replica B does not log in`)
    t.same(warm.result.body.value, cold.result.body.value, `${q}: same rows on both replicas`)
  }
  t.equal(logins, 1, 'one login in all: replica A\'s')
  t.ok(await metric(b, 'botcity_odata_page_cache_shared_hits_total') > 0, 'B counts its shared hits')
  // A query A never made: B reads the upstream with A's session, taken from Redis.
  const own = await upstreamCalls(fx.sim, () => getJson(`${b.feed}Tasks?days=3650&$skip=600&$top=5`))
  t.equal(own.result.status, 200)
  t.ok(own.data > 0, 'B reads pages A never read')
  t.equal(own.logins, 0, 'without logging in: A\'s session came from Redis')
  t.equal(await metric(b, 'botcity_odata_token_cache_shared_hits_total'), 1, 'B took A\'s session from Redis once')
  t.equal(await metric(b, 'botcity_odata_redis_up'), 1)
  const ready = await getJson(`${b.origin}/readyz`)
  t.match(ready.body, { status: 'ready', sharedCache: { store: 'redis', connected: true } })
})

t.test('two replicas starting together log in once', async (t) => {
  await redis.client.flushall()
  const fx = await startReplicas({ redisUrl: redis.url, sim: { tasks: 300, now, latencyMs: 40, login: NORTHWIND.login, key: NORTHWIND.key }, now })
  t.teardown(() => fx.close())
  const [a, b] = fx.replicas as [Replica, Replica]
  // Started, and connected to Redis (until then a replica reads the upstream on its own, as when Redis is down).
  for (const r of [a, b]) while (await metric(r, 'botcity_odata_redis_up') !== 1) await new Promise((resolve) => setTimeout(resolve, 20))
  fx.sim.resetStats()
  // Both miss the token at once: one logs in under the Redis lock, the other waits for its session;
  // both miss the same pages at once: one reads each page, the other waits for it.
  const answers = await Promise.all([getJson(`${a.feed}Tasks?$top=60`), getJson(`${b.feed}Tasks?$top=60`)])
  t.same(answers.map((x) => x.status), [200, 200])
  t.same(answers[0].body.value, answers[1].body.value)
  await settle(fx.sim)
  // Sharing is best effort: a Redis command that times out (1 s, a starved machine) or is
  // skipped is counted, and its replica reads the upstream itself: a call (or a login) more.
  let errors = 0
  for (const r of [a, b]) errors += await metric(r, 'botcity_odata_redis_errors_total') + await metric(r, 'botcity_odata_redis_skipped_total')
  const tag = errors === 0 ? '' : ` (${errors} Redis commands timed out: each may cost one more)`
  t.ok(fx.sim.stats().login >= 1 && fx.sim.stats().login <= 1 + errors, `2 replicas, 1 login${tag}: ${fx.sim.stats().login}`)
  t.ok(fx.sim.stats().tasks >= 3 && fx.sim.stats().tasks <= 3 + errors, `3 pages of 20, each read once by one of the two replicas${tag}: ${fx.sim.stats().tasks}`)
})

t.test('a nextLink issued by one replica is honoured by the other; the alternating load is exact', async (t) => {
  await redis.client.flushall()
  const fx = await startReplicas({ redisUrl: redis.url, sim: { tasks: 1500, historyDays: 60, now, login: NORTHWIND.login, key: NORTHWIND.key }, now, env: { PAGE_SIZE: '100' } })
  t.teardown(() => fx.close())
  const oracle = expectedTasks(fx.sim.tasks(), NOW, 30)
  t.ok(oracle.length > 500, `${oracle.length} tasks in the horizon`)
  const { result, data } = await upstreamCalls(fx.sim, () => loadAcross(fx.replicas, 'Tasks'))
  t.same([...result.servedBy].sort(), [0, 1], 'both replicas served pages')
  t.equal(result.rows.length, oracle.length)
  t.same(result.rows, oracle, 'every task of the horizon once, in order')
  t.equal(data, Math.floor(oracle.length / 20) + 1, 'each upstream page read once across the two replicas')
  // A page the other replica resumes from a local window ($orderby not native) is exact too.
  const sorted = await loadAcross([...fx.replicas].reverse(), 'Tasks?$orderby=id&$select=id')
  t.same(sorted.rows.map((r) => r.id), oracle.map((r) => r.id as number).sort((x, y) => x - y))
  t.equal(await redis.client.get('botcity-odata:skiptoken-secret'), null, 'no secret goes through Redis: the replicas share BRIDGE_SECRET by configuration')
  // A third replica started later signs and accepts with the same secret.
  const c = await fx.add()
  const paged = await getJson(`${c.feed}Tasks`)
  const link = (paged.body['@odata.nextLink'] as string).replace(c.feed, fx.replicas[1]?.feed as string)
  t.equal((await getJson(link)).status, 200, 'a link from the late replica works on an early one')
})

t.test('two workspaces stay apart, and Redis holds no token, key, login or row in clear', async (t) => {
  await redis.client.flushall()
  const fx = await startReplicas({
    redisUrl: redis.url,
    sim: { tasks: 300, now, login: NORTHWIND.login, key: NORTHWIND.key, workspaces: [{ login: CONTOSO.login, key: CONTOSO.key }] },
    now,
    passthrough: true
  })
  t.teardown(() => fx.close())
  const [a, b] = fx.replicas as [Replica, Replica]
  const nw = basic(NORTHWIND.login, NORTHWIND.key)
  const ct = basic(CONTOSO.login, CONTOSO.key)
  const q = 'Tasks?$select=id,activityLabel&$top=30'

  const first = await upstreamCalls(fx.sim, () => getJson(`${a.feed}${q}`, nw))
  const other = await upstreamCalls(fx.sim, () => getJson(`${b.feed}${q}`, ct))
  t.ok(other.data > 0, 'the other workspace reads the upstream: it never gets the first one\'s pages')
  t.equal(other.logins, 1, 'and logs in with its own credential')
  const idsNw = new Set(fx.sim.tasks(NORTHWIND.login).map((x) => x.id))
  const idsCt = new Set(fx.sim.tasks(CONTOSO.login).map((x) => x.id))
  const rowsNw = first.result.body.value as { id: number }[]
  const rowsCt = other.result.body.value as { id: number }[]
  t.ok(rowsNw.length > 10 && rowsNw.every((r) => idsNw.has(r.id)), 'northwind gets its own tasks')
  t.ok(rowsCt.length > 10 && rowsCt.every((r) => idsCt.has(r.id)), 'contoso gets its own tasks')
  t.notSame(rowsNw, rowsCt)
  const warm = await upstreamCalls(fx.sim, () => getJson(`${b.feed}${q}`, nw))
  t.equal(warm.data + warm.logins, 0, 'northwind on replica B: pages and session from Redis')
  t.same(warm.result.body.value, rowsNw)
  const bad = await getJson(`${b.feed}${q}`, basic(NORTHWIND.login, 'not-the-key'))
  t.equal(bad.status, 401, 'a wrong key is refused even though the login\'s pages are in Redis')
  await getJson(`${a.feed}Automations`, ct)
  await getJson(`${a.feed}Runners`, nw)
  await settle(fx.sim)

  const entries = await dumpRedis(redis.client)
  const keys = bridgeKeys(REPLICA_SECRET)
  const idOf = (c: typeof NORTHWIND): string => keys.credentialId(c)
  const unkeyed = createHash('sha256').update(`${NORTHWIND.login}\0${NORTHWIND.key}`).digest('hex').slice(0, 16)
  t.notOk(entries.some((e) => e.key.includes(unkeyed)), 'key names carry keyed ids: a reader who knows a login cannot test key guesses against them')
  t.ok(entries.some((e) => e.key.startsWith(`botcity-odata:page:${idOf(NORTHWIND)}:`)), 'northwind pages under its credential id')
  t.ok(entries.some((e) => e.key.startsWith(`botcity-odata:page:${idOf(CONTOSO)}:`)), 'contoso pages under its credential id')
  t.ok(entries.every((e) => e.key.startsWith('botcity-odata:')), 'every key under the prefix')

  // The sessions, opened the way only a holder of the credential can: the tokens the upstream issued.
  const tokens: string[] = []
  for (const c of [NORTHWIND, CONTOSO]) {
    const entry = entries.find((e) => e.key === `botcity-odata:token:${idOf(c)}`)
    t.ok(entry, `a shared session for ${c.login}`)
    const opened = sealedBox(deriveKey(c, 'token', keys.sealingSalt)).open(`token ${idOf(c)}`, entry?.value as Buffer)
    t.ok(opened !== null, 'it opens with the credential and BRIDGE_SECRET')
    t.equal(sealedBox(deriveKey(c, 'token', bridgeKeys(`${REPLICA_SECRET}-other`).sealingSalt)).open(`token ${idOf(c)}`, entry?.value as Buffer), null, 'not with the credential alone (another secret)')
    t.equal(sealedBox(deriveKey(c === NORTHWIND ? CONTOSO : NORTHWIND, 'token', keys.sealingSalt)).open(`token ${idOf(c)}`, entry?.value as Buffer), null, 'and not with the other workspace\'s')
    tokens.push((JSON.parse(opened as string) as { t: string }).t)
  }
  t.ok(tokens.every((tok) => tok.length >= 8))

  const rows = [...fx.sim.tasks(NORTHWIND.login).slice(0, 100), ...fx.sim.tasks(CONTOSO.login).slice(0, 100)]
  const secrets = [
    ...tokens, NORTHWIND.login, NORTHWIND.key, CONTOSO.login, CONTOSO.key,
    // Field names of any serialised row, and values of actual rows.
    '"dateCreation"', '"activityLabel"', 'activityLabel', '"label"', 'totalElements', '"content"',
    ...rows.map((r) => r.dateCreation), ...new Set(rows.map((r) => r.activityLabel)),
    ...fx.sim.automations(30, NORTHWIND.login).map((x) => x.label), ...fx.sim.runners(30, NORTHWIND.login).map((x) => x.id)
  ]
  const leaks: string[] = []
  for (const { key, value } of entries) {
    for (const s of secrets) {
      if (key.includes(s) || value.includes(Buffer.from(s, 'utf8'))) leaks.push(`${s} in ${key}`)
    }
    // The base64 and hex forms of a token are no more allowed than the token itself.
    for (const tok of tokens) {
      for (const form of [Buffer.from(tok).toString('base64'), Buffer.from(tok).toString('hex'), createHash('sha256').update(tok).digest('hex')]) {
        if (value.includes(Buffer.from(form))) leaks.push(`a form of a token in ${key}`)
      }
    }
  }
  t.same(leaks, [], `nothing readable in ${entries.length} Redis entries`)
})
