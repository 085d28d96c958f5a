// The bridge's Tasks rules rest on BotCity listing tasks newest first, which
// nothing documents. Told so (UPSTREAM_TASK_ORDER=newest-first, as the bridge
// fixture is) against an upstream that lists them oldest first, every kind of
// Tasks read fails with a 502 that says why — never an answer with wrong or
// missing rows — and the failure is logged. Newest first is answered.
// (Finding the order out, the default: task-order.test.ts.)
import t from 'tap'
import { getJson, startBridge } from '../fixtures/bridge.js'

const QUERIES: string[] = [
  'Tasks?$top=5',
  'Tasks?$skip=45&$top=5',
  'Tasks?$orderby=id&$top=5',
  "Tasks?$filter=state eq 'FINISHED'&$top=5",
  'Tasks?$filter=dateCreation lt 2026-01-01T00:00:00Z&$top=5',
  'Tasks/$count',
  'Tasks?$count=true&$top=1',
  "Tasks?$apply=groupby((state),aggregate($count as n))"
]

const oldest = await startBridge({ sim: { tasks: 1200, taskOrder: 'oldest-first' } })
const newest = await startBridge({ sim: { tasks: 1200 } })
t.teardown(async () => { await oldest.close(); await newest.close() })
// The same seed: the same automations in both.
QUERIES.push(`Automations('${newest.sim.automations(30)[0]?.label ?? ''}')/Tasks?$top=3`)

t.test('oldest first: every Tasks read is refused with a 502 that names the contradiction', async (t) => {
  for (const q of QUERIES) {
    const before = oldest.logs.length
    const { status, body } = await getJson(`${oldest.feed}${q}`)
    t.equal(status, 502, q)
    const error = body.error as { code: string; message: string } | undefined
    t.equal(error?.code, 'UPSTREAM_BAD_RESPONSE', q)
    t.match(error?.message, /not newest first/, q)
    t.ok(oldest.logs.slice(before).some((l) => l.includes('"level":50') && l.includes('not newest first')), `${q}: logged as an error`)
  }
  const { status } = await getJson(`${oldest.feed}Automations?$top=3`)
  t.equal(status, 200, 'the other sets do not depend on it')
})

t.test('newest first: the same reads are answered', async (t) => {
  for (const q of QUERIES) {
    const res = await fetch(`${newest.feed}${q}`)
    t.equal(res.status, 200, q)
    await res.arrayBuffer()
  }
})
