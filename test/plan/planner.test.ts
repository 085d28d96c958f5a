// The planner decides from the query, the model's declared upstream
// capabilities and what was learned of the upstream — and nothing else: a
// capability changed in a test model changes the plan and the calls the
// bridge sends (over real HTTP to the simulator), while the rows stay the same.
import t from 'tap'
import type { Test } from 'tap'
import { runRequest } from '../../src/execute/run.js'
import type { RunSettings } from '../../src/execute/run.js'
import { AUTOMATIONS, TASKS, entitySetByName } from '../../src/model/index.js'
import type { EntitySetDef } from '../../src/model/index.js'
import { DEFAULT_LIMITS, parseQueryOptions, parseQueryString } from '../../src/odata/index.js'
import type { QueryOptions } from '../../src/odata/index.js'
import { planRead, planRequest, TASK_WINDOW_DAYS } from '../../src/plan/planner.js'
import type { ReadPlan, UpstreamFacts } from '../../src/plan/plan.js'
import { clientAccess } from '../../src/upstream/access-client.js'
import { createPageCache } from '../../src/upstream/page-cache.js'
import { DEMO, recordingFetch, simulator, testClient } from '../upstream/fixtures/upstream.js'

const SETTINGS: RunSettings = { horizonDays: 30, maxUpstreamReads: 1_000_000, maxExpandRows: 100_000, maxLocalRows: 50_000, concurrency: 4, prefetch: false }
const NOW = Date.parse('2026-12-01T00:00:00Z')
const DAY = 86_400_000
/**
 * A workspace read before: 3000 tasks in the window; earlier reads saw a task
 * of 31 days ago with 1999 listed after it and one of 29 days ago with 2001,
 * so the last 30 days hold 999 or 1000 tasks. 45 automations; 1 named Invoices.
 */
const FACTS: UpstreamFacts = {
  pageSize: { tasks: 20, automation: 20 },
  upstreamNow: NOW,
  total: (route, params) => route === 'tasks' ? 3000 : params.automation === 'Invoices' ? 1 : 45,
  orderMarks: [{ date: NOW - 31 * DAY, older: 1999 }, { date: NOW - 29 * DAY, older: 2001 }]
}

function options(set: EntitySetDef, query: string): QueryOptions {
  return parseQueryOptions(set, parseQueryString(query, DEFAULT_LIMITS))
}

function plan(set: EntitySetDef, query: string, pageSize = 100, countOnly = false, facts = FACTS): ReadPlan {
  return planRead({ set, query: options(set, query), pageSize, countOnly }, SETTINGS, facts)
}

t.test('Tasks: the strategy follows what the upstream can do', async (t) => {
  const top = plan(TASKS, '$top=50')
  t.equal(top.strategy, 'native-window')
  t.same(top.upstream, { route: 'tasks', params: { days: TASK_WINDOW_DAYS } }, 'every Tasks read shares one upstream window')
  t.same(top.estimate.reads, { min: 3, max: 3 }, 'rows 0–49 are on upstream pages 0–2')
  t.same(top.residual, { filter: null, search: null, orderby: [] })

  const jump = plan(TASKS, '$skip=35&$top=10')
  t.ok(jump.jump, '$skip in the upstream order jumps to its page')
  t.same(jump.estimate.reads, { min: 2, max: 2 }, 'rows 35–44 are on pages 1 and 2; page 0 is not read')

  const since = plan(TASKS, '$filter=dateCreation ge 2026-01-01T00:00:00Z')
  t.equal(since.strategy, 'native-window')
  t.equal(since.residual.filter, null, 'a lower dateCreation bound is pushed into the read, not left to the bridge')
  t.equal(since.range.from, Date.parse('2026-01-01T00:00:00Z'))

  t.equal(plan(TASKS, '$filter=dateCreation le 2026-01-01T00:00:00Z').strategy, 'date-window')

  const filtered = plan(TASKS, "$filter=state eq 'RUNNING' and dateCreation ge 2026-01-01T00:00:00Z")
  t.equal(filtered.strategy, 'native-window')
  t.not(filtered.residual.filter, null, 'what the upstream cannot do stays residual')
  t.equal(filtered.estimate.reads, null)
  t.equal(filtered.estimate.until, 'read')

  const sorted = plan(TASKS, '$orderby=id')
  t.equal(sorted.strategy, 'full-scan')
  t.equal(sorted.residual.orderby.length, 1)
  t.same(sorted.estimate.reads, { min: 50, max: 51 }, 'the set\'s 999–1000 tasks and the row past them')
  t.equal(plan(TASKS, '$orderby=id&days=60').estimate.until, 'first-page', 'where 60 days start was never seen: unknown, until the first page shows more')

  t.equal(plan(TASKS, '$orderby=dateCreation desc').strategy, 'native-window', 'the native order asked for explicitly')
  t.equal(plan(TASKS, '', 100, true).strategy, 'count')
  t.equal(plan(TASKS, "$filter=state eq 'RUNNING'", 100, true).strategy, 'full-scan', 'a count of what the bridge filters reads the set')
  const none = plan(TASKS, '$top=0')
  t.equal(none.strategy, 'none')
  t.same(none.estimate.reads, { min: 0, max: 0 })

  const cold = plan(TASKS, '$top=50', 100, false, { pageSize: { tasks: 20 } })
  t.equal(cold.estimate.reads, null, 'a workspace never read: how many tasks it holds is unknown')
  t.equal(cold.estimate.until, 'first-page')
  const unseen = plan(TASKS, '$top=50', 100, false, { ...FACTS, orderMarks: [] })
  t.equal(unseen.estimate.reads, null, 'the total alone does not say whether the set holds 50 rows (1–3 pages)')
  t.equal(unseen.estimate.until, 'first-page')
  const short = plan(TASKS, '$top=50', 100, false, { ...FACTS, orderMarks: [{ date: NOW - 31 * DAY, older: 2989 }, { date: NOW - 29 * DAY, older: 2990 }] })
  t.same(short.estimate.reads, { min: 1, max: 1 }, 'a set of 10 tasks ends on page 0')
})

t.test('Tasks: a later page of a scan is estimated from its cursor, within 2×', async (t) => {
  const p = planRead({
    set: TASKS,
    query: options(TASKS, ''),
    pageSize: 100,
    resume: { m: 'scan', s: { T: NOW, h: null, hIds: null }, cur: { pos: 110, total: 3000, ref: 1, lastDate: 5, lastIds: [1] }, ps: 20, given: 110, a: null, n: null }
  }, SETTINGS, FACTS)
  t.equal(p.strategy, 'native-window')
  t.same(p.estimate.reads, { min: 6, max: 7 }, 'rows 110–209 are on pages 5–10; one more if new tasks shifted them')
  const resumed = (given: number): ReadPlan => planRead({
    set: TASKS,
    query: options(TASKS, ''),
    pageSize: 100,
    resume: { m: 'scan', s: { T: NOW, h: null, hIds: null }, cur: { pos: given, total: 3000, ref: 1, lastDate: 5, lastIds: [1] }, ps: 20, given, a: null, n: null }
  }, SETTINGS, FACTS)
  t.same(resumed(900).estimate.reads, { min: 5, max: 6 }, 'the last page of a 999–1000 task set: rows 900–999 and the row past them')
  t.same(resumed(1000).estimate.reads, { min: 1, max: 2 }, 'past the set: the page that shows it ended')
  t.throws(() => planRead({ set: TASKS, query: options(TASKS, ''), pageSize: 100, resume: { m: 'offset', offset: 3 } }, SETTINGS, FACTS),
    { code: 'BRIDGE_ERR_SKIPTOKEN_INVALID' }, 'a token of another strategy never reaches an executor')
})

t.test('Automations and Runners: upstream parameters come from the model', async (t) => {
  const byLabel = plan(AUTOMATIONS, '$top=5')
  t.equal(byLabel.strategy, 'native-window')
  t.same(byLabel.upstream.params, { filterBy: 30 })
  t.same(byLabel.estimate.reads, { min: 1, max: 1 })

  const desc = plan(AUTOMATIONS, '$orderby=label desc&$top=5')
  t.equal(desc.strategy, 'native-window', 'the key sort is pushed upstream')
  t.same(desc.upstream.params, { filterBy: 30, sort: 'label,desc' })

  const one = plan(AUTOMATIONS, "$filter=label eq 'Invoices'")
  t.equal(one.strategy, 'lookup')
  t.same(one.upstream.params, { filterBy: 30, automation: 'Invoices' })
  t.not(one.residual.filter, null, 'the bridge still applies its own filter after the upstream parameter')
  t.same(one.estimate.reads, { min: 1, max: 1 }, 'the last read listed one')
  const unknownTotal = plan(AUTOMATIONS, "$filter=label eq 'Payroll'", 100, false, { ...FACTS, total: () => null })
  t.equal(unknownTotal.estimate.until, 'first-page', 'never read with these parameters: page 0 tells how many pages')

  const runners = plan(entitySetByName('Runners'), "$filter=id eq 'vm01'&$orderby=tasks desc")
  t.equal(runners.strategy, 'lookup')
  t.same(runners.upstream, { route: 'runners', params: { filterBy: 30, runner: 'vm01' } })
  t.same(runners.estimate.reads, { min: 1, max: 1 })
})

t.test('a grouping $apply reads the rows of its leading filter whole', async (t) => {
  const request = planRequest({
    resource: { kind: 'collection', set: TASKS, count: false },
    query: options(TASKS, "$apply=filter(dateCreation ge 2026-01-01T00:00:00Z)/groupby((state),aggregate($count as n))&$orderby=n desc"),
    pageSize: 100,
    resume: null,
    now: 1
  }, SETTINGS, FACTS)
  if (request.kind !== 'aggregate') throw new Error(`planned ${request.kind}`)
  t.equal(request.read.window.pageSize, SETTINGS.maxLocalRows)
  t.equal(request.read.residual.filter, null, 'the leading filter() became the read\'s date bound')
  t.same(request.aggregate.orderby, [{ column: 'n', descending: true }])
  t.equal(request.aggregate.at, 1)
})

/** Runs one collection request on `set` against the simulator; the upstream URLs it sent and the keys of its rows. */
async function runOn(t: Test, url: string, set: EntitySetDef, query: string): Promise<{ urls: URL[]; keys: unknown[]; reads: number; estimate: ReadPlan['estimate'] }> {
  const { sent, fetch } = recordingFetch()
  const { client } = testClient(url, { fetch })
  const access = clientAccess(client, createPageCache({ ttlMs: 0, maxBytes: 1 << 20 }), 20)
  const { outcome, reads } = await runRequest({ resource: { kind: 'collection', set, count: false }, query: options(set, query), pageSize: 100, resume: null, now: Date.now(), access: access(DEMO) }, SETTINGS)
  if (outcome.kind !== 'collection') throw new Error(`outcome ${outcome.kind}`)
  const [read] = reads
  t.ok(read !== undefined)
  return {
    urls: sent.map((s) => s.url).filter((u) => u.pathname.endsWith('/automation')),
    keys: outcome.rows.map((r) => r[set.key]),
    reads: read?.actual.reads ?? -1,
    estimate: read?.resolved ?? read?.plan.estimate ?? { reads: null, rows: null, basis: '' }
  }
}

t.test('teaching the bridge an upstream capability is an edit of the model', async (t) => {
  const sim = await simulator(t, { automations: 50 })
  // The same entity set, but the upstream declared unable to sort by label or to look an automation up.
  const plain: EntitySetDef = { ...AUTOMATIONS, upstream: { ...AUTOMATIONS.upstream, sort: {}, filterParams: {} } }

  const q = '$orderby=label desc&$top=5'
  const pushed = await runOn(t, sim.url, AUTOMATIONS, q)
  const local = await runOn(t, sim.url, plain, q)
  t.same(pushed.keys, local.keys, 'the same rows either way')
  t.equal(pushed.keys.length, 5)
  t.same(pushed.urls.map((u) => u.searchParams.get('sort')), ['label,desc'], 'declared sortable: one upstream page, sorted upstream')
  t.same(pushed.estimate.reads, { min: 1, max: 1 })
  t.equal(pushed.reads, 1)
  t.same(local.urls.map((u) => u.searchParams.get('sort')), [null, null, null], 'not declared: all three pages, sorted here')
  t.same(local.estimate.reads, { min: 3, max: 3 }, 'unknown until page 0, which tells there are three')
  t.equal(local.reads, 3)

  const label = sim.automations(30)[7]?.label as string
  const f = `$filter=label eq '${label.replaceAll("'", "''")}'`
  const lookedUp = await runOn(t, sim.url, AUTOMATIONS, f)
  const scanned = await runOn(t, sim.url, plain, f)
  t.same(lookedUp.keys, [label])
  t.same(scanned.keys, [label])
  t.same(lookedUp.urls.map((u) => u.searchParams.get('automation')), [label], 'declared: automation= narrows the read to one page')
  t.equal(scanned.urls.length, 3, 'not declared: every page is read')
  t.ok(scanned.urls.every((u) => !u.searchParams.has('automation')))
})
