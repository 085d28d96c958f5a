// Redis is an optimisation, never a dependency: replicas start without it,
// keep answering (from the upstream) when it goes away mid-load, say so in
// their logs, metrics and /readyz, and share again once it is back.
import t from 'tap'
import { getJson } from '../fixtures/bridge.js'
import { expectedTasks } from '../fixtures/oracle.js'
import { startRedis } from '../fixtures/redis-server.js'
import { settle, startReplicas, upstreamCalls, type Replica } from '../fixtures/replicas.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const now = (): number => NOW

const redis = await startRedis()
t.teardown(() => redis.close())

const metric = async (replica: Replica, name: string): Promise<number> => {
  const text = await (await fetch(`${replica.origin}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? NaN : Number(line.split(' ')[1])
}

const onOther = (link: string, replica: Replica): string => link.replace(/^http:\/\/127\.0\.0\.1:\d+\/odata\//, replica.feed)

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('Redis stopping mid-load: both replicas keep serving exact pages from the upstream', async (t) => {
  const fx = await startReplicas({ redisUrl: redis.url, sim: { tasks: 1500, historyDays: 60, now }, now, env: { PAGE_SIZE: '100' } })
  t.teardown(() => fx.close())
  const [a, b] = fx.replicas as [Replica, Replica]
  const oracle = expectedTasks(fx.sim.tasks(), NOW, 30)

  // Two pages of a load, alternating replicas, while Redis is up.
  const rows: Record<string, unknown>[] = []
  const p1 = await getJson(`${a.feed}Tasks`)
  rows.push(...(p1.body.value as Record<string, unknown>[]))
  const p2 = await getJson(onOther(p1.body['@odata.nextLink'] as string, b))
  rows.push(...(p2.body.value as Record<string, unknown>[]))
  await settle(fx.sim)

  await redis.stop()
  await until('both replicas see Redis gone', async () => (await metric(a, 'botcity_odata_redis_up')) === 0 && (await metric(b, 'botcity_odata_redis_up')) === 0)

  // The rest of the load, still alternating: links issued before the stop work on the other replica
  // (their $skiptoken key comes from BRIDGE_SECRET), pages come from the upstream, nothing fails.
  let next = p2.body['@odata.nextLink'] as string | undefined
  let i = 0
  const statuses: number[] = []
  const { data } = await upstreamCalls(fx.sim, async () => {
    while (next !== undefined) {
      const page = await getJson(onOther(next, i++ % 2 === 0 ? a : b))
      statuses.push(page.status)
      if (page.status !== 200) break
      rows.push(...(page.body.value as Record<string, unknown>[]))
      next = page.body['@odata.nextLink'] as string | undefined
    }
  })
  t.ok(statuses.length > 3 && statuses.every((s) => s === 200), 'every page answered 200 without Redis')
  t.ok(data > 0, 'pages read from the upstream')
  t.same(rows, oracle, 'the load is exact across the outage')

  // A new query on each replica: a cold miss goes to the upstream (no login: each keeps its session).
  for (const r of [a, b]) {
    const fresh = await upstreamCalls(fx.sim, () => getJson(`${r.feed}Automations`))
    t.equal(fresh.result.status, 200)
    t.ok(fresh.data > 0)
  }
  const ready = await getJson(`${a.origin}/readyz`)
  t.equal(ready.status, 200, 'still ready: the upstream answers')
  t.match(ready.body, { status: 'ready', sharedCache: { store: 'redis', connected: false } })
  t.ok(await metric(a, 'botcity_odata_redis_skipped_total') + await metric(a, 'botcity_odata_redis_errors_total') > 0, 'commands skipped or failed are counted')
  t.ok(a.logs.some((l) => l.includes('Redis shared cache unavailable')), 'a warning is logged')
  t.notOk(a.logs.join('').includes(fx.sim.options.key), 'no key in the logs')

  // Redis back (empty, no persistence): sharing resumes.
  await redis.start()
  await until('both replicas reconnect', async () => (await metric(a, 'botcity_odata_redis_up')) === 1 && (await metric(b, 'botcity_odata_redis_up')) === 1)
  t.ok(a.logs.some((l) => l.includes('Redis shared cache reachable again')))
  t.equal(await redis.client.get('botcity-odata:skiptoken-secret'), null, 'no secret in Redis: links depend on BRIDGE_SECRET alone')
  // Pages no replica read before (past the 30-day load above).
  const cold = await upstreamCalls(fx.sim, () => getJson(`${a.feed}Tasks?days=60&$skip=1200&$top=200`))
  const warm = await upstreamCalls(fx.sim, () => getJson(`${b.feed}Tasks?days=60&$skip=1200&$top=200`))
  t.ok(cold.data > 0)
  t.equal(warm.data, 0, 'a page read by A after the restart is served to B from Redis')
  t.same(warm.result.body.value, cold.result.body.value)
  t.equal((await getJson(onOther(cold.result.body['@odata.nextLink'] as string, b))).status, 200, 'links still cross replicas')
})

t.test('a replica starts, and serves, while Redis is unreachable', async (t) => {
  // A port where nothing listens.
  const fx = await startReplicas({ redisUrl: 'redis://127.0.0.1:1', count: 1, sim: { tasks: 500, now }, now, env: { PAGE_SIZE: '50' } })
  t.teardown(() => fx.close())
  const [a] = fx.replicas as [Replica]
  const oracle = expectedTasks(fx.sim.tasks(), NOW, 30)
  let next: string | undefined = `${a.feed}Tasks`
  const rows: Record<string, unknown>[] = []
  while (next !== undefined) {
    const page = await getJson(next)
    t.equal(page.status, 200)
    rows.push(...(page.body.value as Record<string, unknown>[]))
    next = page.body['@odata.nextLink'] as string | undefined
  }
  t.same(rows, oracle)
  const warm = await upstreamCalls(fx.sim, () => getJson(`${a.feed}Tasks`))
  t.equal(warm.data, 0, 'its own in-process layer still caches')
  t.match((await getJson(`${a.origin}/readyz`)).body, { status: 'ready', sharedCache: { connected: false } })
  const link = (await getJson(`${a.feed}Tasks?$top=3`, { headers: { prefer: 'odata.maxpagesize=1' } })).body['@odata.nextLink'] as string
  t.match(link, /\$skiptoken=/, 'its links are made without Redis (BRIDGE_SECRET)')
})
