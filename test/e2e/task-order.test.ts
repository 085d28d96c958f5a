// The Tasks order is found out, not assumed (src/upstream/task-order.ts):
// against every order the simulator can list in, with and without honouring
// sort=dateCreation,desc, the bridge finds the order once, says so in
// /metrics and in the plan, and answers exactly; a page that contradicts the
// order found fails its request with a 502, is logged, and the next request
// finds the order again.
import t from 'tap'
import { getJson, readAll, startBridge } from '../fixtures/bridge.js'
import type { BridgeFixture } from '../fixtures/bridge.js'
import { quietStats } from '../fixtures/upstream-stats.js'
import type { WireTask } from '../../src/upstream/wire.js'
import type { Simulator } from '../../src/simulator/index.js'

/** Tasks calls since the last time asked, once the bridge has stopped calling. */
async function taskCalls(sim: Simulator): Promise<number> {
  const { tasks } = await quietStats(sim)
  sim.resetStats()
  return tasks
}

const NOW = Date.UTC(2026, 9, 15, 12)
const DAY = 86_400_000

/** The feed's Tasks of the last `days` days by the simulator's data: newest first, then by descending id. */
function expectedIds(bridge: BridgeFixture, days = 30): number[] {
  const created = (w: WireTask): number => Date.parse(w.dateCreation)
  return bridge.sim.tasks().filter((w) => created(w) >= bridge.sim.now() - days * DAY)
    .sort((a, b) => created(b) - created(a) || b.id - a.id).map((w) => w.id)
}

async function orderMetric(bridge: BridgeFixture): Promise<{ order: string; sorted: string; contradictions: number }> {
  const text = await (await fetch(`${bridge.origin}/metrics`)).text()
  const found = /^botcity_odata_upstream_task_order\{order="([^"]+)",sorted="([^"]+)"\} 1$/m.exec(text)
  const contradictions = /^botcity_odata_upstream_task_order_contradictions_total (\d+)$/m.exec(text)
  return { order: found?.[1] ?? 'none', sorted: found?.[2] ?? 'none', contradictions: Number(contradictions?.[1]) }
}

const CASES = [
  { taskOrder: 'newest-first', honorTaskSort: false, found: 'newest-first', sorted: 'false', probe: 3, strategy: 'native-window' },
  { taskOrder: 'oldest-first', honorTaskSort: false, found: 'oldest-first', sorted: 'false', probe: 3, strategy: 'native-window' },
  { taskOrder: 'by-id', honorTaskSort: false, found: 'unknown', sorted: 'false', probe: 3, strategy: 'whole-read' },
  { taskOrder: 'newest-first', honorTaskSort: true, found: 'newest-first', sorted: 'true', probe: 2, strategy: 'native-window' },
  { taskOrder: 'oldest-first', honorTaskSort: true, found: 'newest-first', sorted: 'true', probe: 2, strategy: 'native-window' },
  { taskOrder: 'by-id', honorTaskSort: true, found: 'newest-first', sorted: 'true', probe: 2, strategy: 'native-window' }
] as const

for (const c of CASES) {
  t.test(`--order ${c.taskOrder}${c.honorTaskSort ? ' --honor-task-sort' : ''}: found ${c.found}${c.sorted === 'true' ? ' (sorted)' : ''} once, then exact answers`, async (t) => {
    const bridge = await startBridge({
      sim: { tasks: 900, historyDays: 90, seed: 5, taskOrder: c.taskOrder, honorTaskSort: c.honorTaskSort, now: () => NOW },
      now: () => NOW,
      env: { UPSTREAM_TASK_ORDER: 'auto', CACHE_TTL_S: '0', PAGE_SIZE: '100' }
    })
    t.teardown(() => bridge.close())
    const want = expectedIds(bridge)
    const first = await getJson(`${bridge.feed}Tasks?$select=id&$top=10`, { headers: { prefer: 'odata.include-annotations="bridge.explain"' } })
    t.equal(first.status, 200)
    t.same((first.body.value as Array<{ id: number }>).map((r) => r.id), want.slice(0, 10), '$top=10')
    const explain = first.body['@bridge.explain'] as { reads: Array<{ strategy: string; reason: string; upstream: { params: Record<string, unknown> } }> }
    const plan = explain.reads[0]
    t.equal(plan?.strategy, c.strategy, `strategy: ${plan?.reason ?? ''}`)
    t.equal(plan?.upstream.params.sort, c.sorted === 'true' ? 'dateCreation,desc' : undefined, 'sort sent where honoured, only there')
    t.same(await orderMetric(bridge), { order: c.found, sorted: c.sorted, contradictions: 0 }, '/metrics says the order found')
    await taskCalls(bridge.sim)

    t.same((await readAll(`${bridge.feed}Tasks?$select=id`)).rows.map((r) => r.id), want, 'a whole nextLink load: every task once, newest first')
    const window = await getJson(`${bridge.feed}Tasks?$select=id&$skip=37&$top=21`)
    t.same((window.body.value as Array<{ id: number }>).map((r) => r.id), want.slice(37, 58), '$skip=37&$top=21')
    t.equal(await (await fetch(`${bridge.feed}Tasks/$count`)).text(), String(want.length), '/$count')
    const older = want.slice(100)
    const to = bridge.sim.tasks().find((w) => w.id === older[0])?.dateCreation ?? ''
    t.same((await readAll(`${bridge.feed}Tasks?$select=id&$filter=dateCreation le ${to}`)).rows.map((r) => r.id), older, 'a dateCreation bound')
    t.same((await readAll(`${bridge.feed}Tasks?$select=id&$orderby=id`)).rows.map((r) => r.id), [...want].sort((a, b) => a - b), 'sorted in the bridge')
    t.same(await orderMetric(bridge), { order: c.found, sorted: c.sorted, contradictions: 0 }, 'found once, kept')
  })
}

t.test('the probe costs its calls once per upstream', async (t) => {
  for (const c of CASES) {
    // Beside a bridge told the order (UPSTREAM_TASK_ORDER), the same requests cost the probe's calls more, the first time only.
    const told = c.sorted === 'true' ? 'sorted' : c.found === 'unknown' ? 'unordered' : c.found
    const [probing, given] = await Promise.all(['auto', told].map((setting) => startBridge({ sim: { tasks: 300, seed: 2, taskOrder: c.taskOrder, honorTaskSort: c.honorTaskSort, now: () => NOW }, now: () => NOW, env: { UPSTREAM_TASK_ORDER: setting, CACHE_TTL_S: '0' } }))) as [BridgeFixture, BridgeFixture]
    const cost = async (b: BridgeFixture, url: string): Promise<number> => {
      await (await fetch(`${b.feed}${url}`)).text()
      return taskCalls(b.sim)
    }
    t.equal(await cost(probing, 'Automations?$top=1'), 0, 'Automations alone never probe the Tasks order')
    for (const [i, url] of ['Tasks/$count', 'Tasks?$top=5', 'Tasks/$count'].entries()) {
      const extra = await cost(probing, url) - await cost(given, url)
      t.equal(extra, i === 0 ? c.probe : 0, `${c.taskOrder}${c.honorTaskSort ? ' honouring sort' : ''}: ${url} costs ${extra} calls more than told ${told}`)
    }
    await Promise.all([probing.close(), given.close()])
  }
})

t.test('a page contradicting the order found fails its request with a 502, is logged, and the order is found again', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 600, seed: 9, now: () => NOW }, now: () => NOW, env: { UPSTREAM_TASK_ORDER: 'auto', CACHE_TTL_S: '0' } })
  t.teardown(() => bridge.close())
  t.equal((await getJson(`${bridge.feed}Tasks?$top=3`)).status, 200)
  t.same(await orderMetric(bridge), { order: 'newest-first', sorted: 'false', contradictions: 0 })
  bridge.sim.options.taskOrder = 'oldest-first'
  const before = bridge.logs.length
  const failed = await getJson(`${bridge.feed}Tasks?$top=3`)
  t.equal(failed.status, 502)
  const error = failed.body.error as { code: string; message: string }
  t.equal(error.code, 'UPSTREAM_BAD_RESPONSE')
  t.match(error.message, /not newest first.*will find out the order again: retry the refresh/)
  t.ok(bridge.logs.slice(before).some((l) => l.includes('"level":50') && l.includes('not newest first')), 'logged as an error')
  t.same(await orderMetric(bridge), { order: 'newest-first', sorted: 'false', contradictions: 1 }, 'counted')
  const retried = await getJson(`${bridge.feed}Tasks?$select=id&$top=3`)
  t.equal(retried.status, 200, 'the retry finds the new order')
  t.same((retried.body.value as Array<{ id: number }>).map((r) => r.id), expectedIds(bridge).slice(0, 3))
  t.same(await orderMetric(bridge), { order: 'oldest-first', sorted: 'false', contradictions: 1 })
})

t.test('a load that started in one order does not continue in another', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 600, seed: 9, now: () => NOW }, now: () => NOW, env: { UPSTREAM_TASK_ORDER: 'auto', CACHE_TTL_S: '0', PAGE_SIZE: '50' } })
  t.teardown(() => bridge.close())
  const first = await getJson(`${bridge.feed}Tasks?$select=id`)
  const next = first.body['@odata.nextLink'] as string
  bridge.sim.options.taskOrder = 'oldest-first'
  t.equal((await getJson(`${bridge.feed}Tasks?$top=1`)).status, 502, 'the contradiction')
  t.equal((await getJson(`${bridge.feed}Tasks?$top=1`)).status, 200, 'found again: oldest first')
  const resumed = await getJson(next)
  t.equal(resumed.status, 400)
  t.match((resumed.body.error as { message: string }).message, /no longer lists tasks in the order this paged load started in; restart the refresh/)
})

t.test('a workspace whose tasks show no order yet is asked again', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 1, taskOrder: 'oldest-first' }, env: { UPSTREAM_TASK_ORDER: 'auto', CACHE_TTL_S: '0' } })
  t.teardown(() => bridge.close())
  for (let i = 0; i < 2; i++) {
    t.same((await readAll(`${bridge.feed}Tasks?$select=id`)).rows.length, 1)
    t.ok(await taskCalls(bridge.sim) >= 3, `request ${i + 1}: probed (one task fits any order)`)
  }
})

t.test('UPSTREAM_TASK_ORDER takes the order as given: no probe; unordered reads the whole window', async (t) => {
  for (const [setting, strategy, sort] of [['newest-first', 'native-window', undefined], ['sorted', 'native-window', 'dateCreation,desc'], ['unordered', 'whole-read', undefined]] as const) {
    const bridge = await startBridge({ sim: { tasks: 500, seed: 4, honorTaskSort: true, now: () => NOW }, now: () => NOW, env: { UPSTREAM_TASK_ORDER: setting, CACHE_TTL_S: '0' } })
    await taskCalls(bridge.sim)
    const { body } = await getJson(`${bridge.feed}Tasks?$select=id&$top=5`, { headers: { prefer: 'odata.include-annotations="bridge.explain"' } })
    t.same((body.value as Array<{ id: number }>).map((r) => r.id), expectedIds(bridge).slice(0, 5), setting)
    const plan = (body['@bridge.explain'] as { reads: Array<{ strategy: string; upstream: { params: Record<string, unknown> } }> }).reads[0]
    t.equal(plan?.strategy, strategy)
    t.equal(plan?.upstream.params.sort, sort)
    const calls = await taskCalls(bridge.sim)
    t.equal(calls, setting === 'unordered' ? Math.ceil(bridge.sim.tasks().length / 20) : 1, `${setting}: ${calls} calls, no probe`)
    const metric = await orderMetric(bridge)
    t.equal(metric.order, setting === 'unordered' ? 'unknown' : 'newest-first')
    await bridge.close()
  }
})

t.test('oldest first, with its oldest tasks about to leave the window: read whole, exactly', async (t) => {
  // The bridge asks for 3,652 days; a history of 3,650 days, then the clock an hour past the moment its oldest tasks began to leave.
  let at = NOW
  const bridge = await startBridge({ sim: { tasks: 4000, historyDays: 3650, seed: 11, taskOrder: 'oldest-first', now: () => at }, now: () => at, env: { UPSTREAM_TASK_ORDER: 'auto', CACHE_TTL_S: '0' } })
  t.teardown(() => bridge.close())
  t.equal((await getJson(`${bridge.feed}Tasks?$top=1`)).status, 200, 'found oldest first while no task was near leaving')
  at = NOW + 2 * DAY + 3_600_000
  const slid = await getJson(`${bridge.feed}Tasks?$top=1`)
  t.equal(slid.status, 503, 'then its oldest tasks near leaving: refused once')
  t.match((slid.body.error as { message: string }).message, /about to leave its window.*retry the refresh/)
  t.same(await orderMetric(bridge), { order: 'oldest-first', sorted: 'false', contradictions: 1 })
  t.ok(bridge.sim.tasks().some((w) => Date.parse(w.dateCreation) < at - 3652 * DAY), 'some tasks have left the window')
  const { body } = await getJson(`${bridge.feed}Tasks?$select=id&$top=5&days=3650`, { headers: { prefer: 'odata.include-annotations="bridge.explain"' } })
  t.same((body.value as Array<{ id: number }>).map((r) => r.id), expectedIds(bridge, 3650).slice(0, 5))
  t.equal((body['@bridge.explain'] as { reads: Array<{ strategy: string }> }).reads[0]?.strategy, 'whole-read', 'positions would slide as tasks leave: no positional reads')
  t.equal(await (await fetch(`${bridge.feed}Tasks/$count?days=3650`)).text(), String(expectedIds(bridge, 3650).length))
  t.same(await orderMetric(bridge), { order: 'unknown', sorted: 'false', contradictions: 1 }, 'found again: read whole')
})
