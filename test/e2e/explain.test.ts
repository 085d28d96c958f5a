// Explain (docs/explain.md): an answer asked for it carries its plan, the
// estimate and the actual upstream reads at the end of its payload; every
// data request logs its estimate and actual cost; /metrics keeps actual ÷
// estimate. Over real HTTP, against a simulator whose tasks live on a real clock.
import t from 'tap'
import { getJson, startBridge } from '../fixtures/bridge.js'
import { quietStats } from '../fixtures/upstream-stats.js'

const EXPLAIN = { prefer: 'odata.include-annotations="bridge.explain"' }

interface Bounds { min: number; max: number }
interface Read { set: string; strategy: string; reason: string; upstream: { route: string; params: Record<string, unknown>; pageSize: number }; residual: Record<string, string>; estimate: { reads: Bounds | null; until?: string; basis: string }; actual: { reads: number; calls: number; rows: number } }
interface Explained { reads: Read[]; estimate: { reads: Bounds | null }; actual: { reads: number; calls: number; rows: number } }

const bridge = await startBridge({ sim: { tasks: 3000, automations: 45 } })
t.teardown(() => bridge.close())

async function explained(path: string, headers: Record<string, string> = EXPLAIN): Promise<{ body: Record<string, unknown>; headers: Headers; explain: Explained; calls: number }> {
  const before = await quietStats(bridge.sim)
  const res = await getJson(`${bridge.feed}${path}`, { headers })
  const after = await quietStats(bridge.sim)
  t.equal(res.status, 200, path)
  return { body: res.body, headers: res.headers, explain: res.body['@bridge.explain'] as Explained, calls: after.tasks + after.automation + after.runners - before.tasks - before.automation - before.runners }
}

t.test('a window in the upstream order: exact estimate, met, and the calls the upstream saw', async (t) => {
  const { body, headers, explain, calls } = await explained('Tasks?$top=50&$select=id')
  t.equal((body.value as unknown[]).length, 50)
  t.equal(Object.keys(body).at(-1), '@bridge.explain', 'the annotation comes last: a streamed answer has sent its headers')
  t.match(headers.get('preference-applied'), /odata.include-annotations="bridge.explain"/)
  const [read] = explain.reads
  t.equal(explain.reads.length, 1)
  t.equal(read?.set, 'Tasks')
  t.equal(read?.strategy, 'native-window')
  t.same(read?.upstream.params, { days: 3652 })
  t.same(read?.residual, {})
  t.equal(read?.actual.reads, 3, 'rows 0–49 are on upstream pages 0–2')
  t.equal(explain.actual.calls, calls, 'actual calls are the calls the upstream received')
  // A workspace never read: page 0 tells its total and the dates of its first 20 tasks — the set holds at least 20.
  t.same(read?.estimate.reads, { min: 2, max: 3 }, 'resolved by page 0 to a range holding the actual')
  t.match(read?.estimate.basis ?? '', /as reads showed/)

  const again = await explained('Tasks?$top=50&$select=id,state')
  t.same(again.explain.reads[0]?.estimate.reads, { min: 3, max: 3 }, 'once read, the set is known to hold 50 tasks: exact before reading')
  t.equal(again.explain.reads[0]?.actual.reads, 3)
})

t.test('without the preference, or with include-annotations="*", no annotation', async (t) => {
  const variants: Record<string, string>[] = [{}, { prefer: 'odata.include-annotations="*"' }, { prefer: 'odata.include-annotations="bridge.*,-bridge.explain"' }]
  for (const headers of variants) {
    const { body, headers: h } = await getJson(`${bridge.feed}Tasks?$top=2`, { headers })
    t.notOk('@bridge.explain' in body, JSON.stringify(headers))
    t.notMatch(h.get('preference-applied') ?? '', /include-annotations/)
  }
  const { body } = await getJson(`${bridge.feed}Tasks?$top=2`, { headers: { prefer: 'odata.maxpagesize=1; odata.include-annotations="bridge.*"' } })
  t.ok('@bridge.explain' in body, 'bridge.* asks for it, among other preferences')
  t.equal((body.value as unknown[]).length, 1)
})

t.test('an order the upstream cannot give: a local sort, unknown until read, residual shown', async (t) => {
  const { explain } = await explained("Tasks?$orderby=id&$top=5&$filter=state eq 'FINISHED'&days=7")
  const [read] = explain.reads
  t.equal(read?.strategy, 'full-scan')
  t.equal(read?.estimate.reads, null)
  t.equal(read?.estimate.until, 'read')
  t.same(read?.residual, { filter: "(state eq 'FINISHED')", orderby: 'id' })
  t.ok((read?.actual.reads ?? 0) > 0)
  t.equal(explain.estimate.reads, null, 'one unknown read makes the request\'s estimate unknown')
})

t.test('a lookup through an upstream parameter: unknown until the first page, then exact', async (t) => {
  const label = bridge.sim.automations(30)[3]?.label as string
  const { body, explain } = await explained(`Automations?$filter=label eq '${label}'`)
  t.same((body.value as { label: string }[]).map((a) => a.label), [label])
  const [read] = explain.reads
  t.equal(read?.strategy, 'lookup')
  t.equal(read?.upstream.params.automation, label)
  t.same(read?.estimate.reads, { min: read?.actual.reads, max: read?.actual.reads }, 'resolved by page 0 to what was read')
})

t.test('several reads: a navigation reads its source, then its target', async (t) => {
  const label = bridge.sim.automations(30)[0]?.label as string
  const { explain } = await explained(`Automations('${label}')/Tasks?$top=3`)
  t.same(explain.reads.map((r) => `${r.set}:${r.strategy}`), ['Automations:lookup', 'Tasks:native-window'])
  t.equal(explain.actual.reads, explain.reads.reduce((n, r) => n + r.actual.reads, 0))
})

t.test('text answers carry it in a header', async (t) => {
  const res = await fetch(`${bridge.feed}Tasks/$count`, { headers: EXPLAIN })
  t.match(await res.text(), /^\d+$/)
  const explain = JSON.parse(res.headers.get('bridge-explain') ?? 'null') as Explained
  t.equal(explain.reads[0]?.strategy, 'count')
})

t.test('the log line of each data request has its estimate and actual; /metrics the ratio', async (t) => {
  const before = bridge.logs.length
  await getJson(`${bridge.feed}Tasks?$top=30`)
  const line = bridge.logs.slice(before).map((l) => JSON.parse(l) as { msg?: string; res?: { cost?: { plan: string; estimate: Bounds | null; actual: { reads: number } } } })
    .find((l) => l.msg === 'request completed')
  t.same(line?.res?.cost?.estimate, { min: 2, max: 2 })
  t.equal(line?.res?.cost?.plan, 'Tasks:native-window')
  t.equal(line?.res?.cost?.actual.reads, 2)
  const metrics = await (await fetch(`${bridge.origin}/metrics`)).text()
  t.match(metrics, /botcity_odata_plan_estimate_ratio_bucket\{le="1"\} [1-9]/)
  t.match(metrics, /botcity_odata_plan_estimates_unknown_total [1-9]/)
})

t.test('a refresh after a refresh: the set\'s end is known, the estimate holds the reads and no page past the end is read', async (t) => {
  for (const query of ['Tasks?$orderby=totalItems desc&$top=5&days=5', 'Tasks?$select=id&days=4']) {
    await explained(query)
    const { explain } = await explained(query)
    const [read] = explain.reads
    const est = read?.estimate.reads
    t.ok(est !== null && est !== undefined, `${query}: estimated before reading (${read?.estimate.basis})`)
    if (est === null || est === undefined || read === undefined) continue
    t.ok(est.max <= 2 * est.min, `${query}: ${est.min}–${est.max}, within 2×`)
    t.ok(est.min <= read.actual.reads && read.actual.reads <= est.max, `${query}: ${read.actual.reads} reads within ${est.min}–${est.max}`)
  }
})
