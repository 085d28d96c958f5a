// The page cache through the bridge: warm repeats cost nothing, concurrent
// identical reads make one upstream call, workspaces never share entries.
import t from 'tap'
import { getJson, readAll, startBridge } from '../fixtures/bridge.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)

t.test('a warm repeat within the TTL makes no upstream call and answers the same', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 800, now: () => NOW }, now: () => NOW, env: { PAGE_SIZE: '100' } })
  t.teardown(() => bridge.close())
  const queries = ['Automations?$top=3', 'Runners', 'Tasks?$skip=35&$top=10', 'Tasks', 'Tasks?$orderby=totalItems%20desc&$top=5']
  for (const [i, q] of queries.entries()) {
    bridge.sim.resetStats()
    const cold = await readAll(`${bridge.feed}${q}`)
    const coldCalls = bridge.sim.stats()
    // Tasks pages read by an earlier query are already warm; the first three start cold.
    if (i < 3) t.ok(coldCalls.tasks + coldCalls.automation + coldCalls.runners > 0, `${q}: cold read calls the upstream`)
    bridge.sim.resetStats()
    const warm = await readAll(`${bridge.feed}${q}`)
    const s = bridge.sim.stats()
    t.equal(s.tasks + s.automation + s.runners, 0, `${q}: warm repeat makes no upstream call`)
    t.same(warm.rows, cold.rows, `${q}: same rows`)
  }
})

t.test('concurrent identical requests share one upstream call per page', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 800, latencyMs: 30, now: () => NOW }, now: () => NOW })
  t.teardown(() => bridge.close())
  bridge.sim.resetStats()
  const answers = await Promise.all(Array.from({ length: 10 }, () => getJson(`${bridge.feed}Tasks?$top=40`)))
  t.ok(answers.every((a) => a.status === 200))
  t.equal(bridge.sim.stats().tasks, 2, '10 clients × 2 pages → 2 upstream calls')
})

t.test('two workspaces with identical queries never see each other\'s rows', async (t) => {
  const bridge = await startBridge({
    sim: { tasks: 300, workspaces: [{ login: 'acme', key: 'acme-key' }], now: () => NOW },
    now: () => NOW,
    passthrough: true
  })
  t.teardown(() => bridge.close())
  const basic = (user: string, pass: string) => ({ headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` } })
  const [a, b] = await Promise.all([
    readAll(`${bridge.feed}Tasks?$select=id,activityLabel`, basic('demo', 'demo')),
    readAll(`${bridge.feed}Tasks?$select=id,activityLabel`, basic('acme', 'acme-key'))
  ])
  const idsA = new Set(bridge.sim.tasks('demo').map((x) => x.id))
  const idsB = new Set(bridge.sim.tasks('acme').map((x) => x.id))
  t.ok(a.rows.length > 0 && b.rows.length > 0)
  t.ok(a.rows.every((r) => idsA.has(r.id as number)), 'workspace demo only gets its own tasks')
  t.ok(b.rows.every((r) => idsB.has(r.id as number)), 'workspace acme only gets its own tasks')
  t.notSame(a.rows, b.rows)
  const again = await readAll(`${bridge.feed}Tasks?$select=id,activityLabel`, basic('acme', 'acme-key'))
  t.same(again.rows, b.rows, 'a warm read of acme is still acme\'s')
})
