// Differential test of Automations and Runners: random OData queries over real
// HTTP, compared exactly with the simulator's own rows for the horizon
// (sim.automations(days) in label order, sim.runners(days) in the upstream's
// order), the upstream calls counted (/__sim/stats) and the parameters that
// went upstream recorded by a proxy (filterBy = the horizon, automation= /
// runner= for a key equality). Key lookups, quote escaping and 404s too.
// Seed: random per run, printed; reproduce with DIFF_SEED=<n>.
import t from 'tap'
import { getJson } from '../fixtures/bridge.js'
import { rng } from '../fixtures/oracle.js'
import { startRecordingBridge } from '../fixtures/recording-bridge.js'
import { quietStats } from '../fixtures/upstream-stats.js'
import {
  Grammar, Picker, conjunctsOf, encodeValue, searchMatches, searchText, searchTexts, sortRows, str
} from '../fixtures/diff-oracle.js'
import type { Encoding, Ex, ORow, OrderItem, PropSpec, SearchNode } from '../fixtures/diff-oracle.js'

const SEED = process.env.DIFF_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.DIFF_SEED)
const CASES = Number(process.env.DIFF_CASES ?? 250)
const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const PAGE_SIZE = 1000
const UPSTREAM_PAGE = 20
const AUTOMATIONS = 45

t.comment(`diff-sets seed ${SEED} (reproduce with DIFF_SEED=${SEED})`)

const bridge = await startRecordingBridge({
  sim: { tasks: 3000, historyDays: 120, automations: AUTOMATIONS, runners: 8, seed: 11, now: () => NOW },
  now: () => NOW,
  env: { PAGE_SIZE: String(PAGE_SIZE), CACHE_TTL_S: '0' }
})
t.teardown(() => bridge.close())
// The first request of a route probes once whether the upstream honours `size`
// (src/upstream/page-size-probe.ts); probe before counting calls.
for (const q of ['Automations?$top=1&days=3', 'Runners?days=3']) await (await fetch(`${bridge.feed}${q}`)).text()
await quietStats(bridge.sim)

type SetName = 'Automations' | 'Runners'

const SPECS: Record<SetName, { key: string; route: 'automation' | 'runners'; keyParam: string; props: readonly PropSpec[] }> = {
  Automations: {
    key: 'label',
    route: 'automation',
    keyParam: 'automation',
    props: [
      { name: 'label', kind: 'string', nullable: false },
      { name: 'name', kind: 'string', nullable: true },
      { name: 'machineId', kind: 'string', nullable: true },
      { name: 'description', kind: 'string', nullable: true },
      { name: 'organizationLabel', kind: 'string', nullable: true },
      { name: 'repositoryLabel', kind: 'string', nullable: true },
      { name: 'date', kind: 'date', nullable: true },
      { name: 'taskCount', kind: 'int', nullable: true },
      { name: 'sumItems', kind: 'double', nullable: true },
      { name: 'sumItemsError', kind: 'double', nullable: true },
      { name: 'sumItemsProcessed', kind: 'double', nullable: true },
      { name: 'uptimeRate', kind: 'double', nullable: true },
      { name: 'downtimeRate', kind: 'double', nullable: true },
      { name: 'successRate', kind: 'double', nullable: true },
      { name: 'roi', kind: 'double', nullable: true },
      { name: 'fte', kind: 'double', nullable: true },
      { name: 'savings', kind: 'double', nullable: true }
    ]
  },
  Runners: {
    key: 'id',
    route: 'runners',
    keyParam: 'runner',
    props: [
      { name: 'id', kind: 'string', nullable: false },
      { name: 'idMachine', kind: 'string', nullable: true },
      { name: 'log', kind: 'string', nullable: true },
      { name: 'remoteAccess', kind: 'string', nullable: true },
      { name: 'status', kind: 'string', nullable: true },
      { name: 'name', kind: 'string', nullable: true },
      { name: 'organization', kind: 'string', nullable: true },
      { name: 'automations', kind: 'strings', nullable: false },
      { name: 'tasks', kind: 'int', nullable: true },
      { name: 'items', kind: 'int', nullable: true },
      { name: 'itemsErrorCount', kind: 'int', nullable: true },
      { name: 'utilizationRate', kind: 'double', nullable: true }
    ]
  }
}

/** The set's rows for a horizon, in the order the feed must give them without $orderby. */
function rowsOf(set: SetName, days: number): ORow[] {
  const wire = (set === 'Automations' ? bridge.sim.automations(days) : bridge.sim.runners(days)) as unknown as Record<string, unknown>[]
  return wire.map((w) => {
    const row: Record<string, unknown> = {}
    for (const p of SPECS[set].props) {
      const v = w[p.name] ?? null
      // The automation date has no zone upstream: the server runs in UTC (README).
      row[p.name] = p.kind === 'date' && typeof v === 'string' ? Date.parse(/(Z|[+-]\d\d:\d\d)$/.test(v) ? v : `${v}Z`) : v
    }
    return row as ORow
  })
}

function feedRow(set: SetName, r: ORow, select: readonly string[] | null): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const p of SPECS[set].props) {
    if (select !== null && !select.includes(p.name)) continue
    const v = r[p.name] ?? null
    out[p.name] = p.kind === 'date' && v !== null ? new Date(v as number).toISOString() : v
  }
  return out
}

const grammars = new Map<string, Grammar>()
function grammarFor(set: SetName, days: number, rand: () => number): Grammar {
  const k = `${set}:${days}`
  let g = grammars.get(k)
  if (g === undefined) {
    g = new Grammar(rand, SPECS[set].props, rowsOf(set, days), NOW)
    grammars.set(k, g)
  }
  return g
}

interface Query {
  set: SetName
  days: number | null
  /** A top-level `key eq 'x'` conjunct, which the bridge sends upstream. */
  keyEq: string | null
  filter: Ex | null
  search: SearchNode | null
  orderby: OrderItem[] | null
  select: string[] | null
  selectText: string | null
  top: number | null
  skip: number | null
  count: boolean
  countPath: boolean
  encoding: Encoding
}

function urlOf(q: Query): string {
  const spec = SPECS[q.set]
  const pairs: [string, string][] = []
  const conj = [...(q.keyEq === null ? [] : [`${spec.key} eq ${str(q.keyEq)}`]), ...(q.filter === null ? [] : [q.filter.text])]
  if (conj.length > 0) pairs.push(['$filter', conj.join(' and ')])
  if (q.search !== null) pairs.push(['$search', searchText(q.search)])
  if (q.orderby !== null) pairs.push(['$orderby', q.orderby.map((o) => `${o.ex.text}${o.suffix}`).join(',')])
  if (q.selectText !== null) pairs.push(['$select', q.selectText])
  if (q.skip !== null) pairs.push(['$skip', String(q.skip)])
  if (q.top !== null) pairs.push(['$top', String(q.top)])
  if (q.count) pairs.push(['$count', 'true'])
  if (q.days !== null) pairs.push(['days', String(q.days)])
  const qs = pairs.map(([k, v]) => `${k}=${encodeValue(v, q.encoding)}`).join('&')
  return `${bridge.feed}${q.set}${q.countPath ? '/$count' : ''}${qs === '' ? '' : `?${qs}`}`
}

function expected(q: Query): { rows: ORow[]; count: number; all: ORow[] } {
  const spec = SPECS[q.set]
  const all = rowsOf(q.set, q.days ?? 30)
  let rows = all.filter((r) =>
    (q.keyEq === null || r[spec.key] === q.keyEq) &&
    (q.filter === null || q.filter.ev(r) === true) &&
    (q.search === null || searchMatches(q.search, searchTexts(r, spec.props))))
  if (q.orderby !== null) rows = sortRows(rows, q.orderby, spec.key)
  const count = rows.length
  const skip = q.skip ?? 0
  return { rows: rows.slice(skip, q.top === null ? undefined : skip + q.top), count, all }
}

const pagesCovering = (from: number, to: number): number => (to <= from ? 0 : Math.floor((to - 1) / UPSTREAM_PAGE) - Math.floor(from / UPSTREAM_PAGE) + 1)

/**
 * The key the bridge sends upstream (automation= / runner=): the first top-level
 * conjunct `key eq 'string'` of the whole $filter (README "What goes upstream").
 */
function pushedKey(q: Query): string | null {
  if (q.keyEq !== null) return q.keyEq
  const key = SPECS[q.set].key
  const hit = q.filter === null ? undefined : conjunctsOf(q.filter).find((c) => c.eqString?.prop === key)
  return hit?.eqString?.value ?? null
}

/** The upstream calls a load must cost (README "What goes upstream"), given its bridge page size and pages. */
function expectedCalls(q: Query, pageSize: number, bridgePages: number): number {
  // $top=0 without a count reads nothing.
  if (q.top === 0 && !q.count && !q.countPath) return 0
  if (q.set === 'Runners') return bridgePages
  const all = rowsOf('Automations', q.days ?? 30)
  const pushed = pushedKey(q)
  if (pushed !== null) {
    // The upstream's automation= match (the simulator: a case-insensitive substring) decides how many pages it lists.
    const listed = all.filter((r) => (r.label as string).toLowerCase().includes(pushed.toLowerCase())).length
    return bridgePages * Math.max(1, Math.ceil(listed / UPSTREAM_PAGE))
  }
  // The upstream lists automations by label, and sorts by it descending when asked (sort=label,desc).
  const labelOrder = q.orderby === null || (q.orderby.length === 1 && q.orderby[0]?.ex.text === 'label')
  const full = Math.max(1, Math.ceil(all.length / UPSTREAM_PAGE))
  if (q.filter !== null || q.search !== null || q.count || q.countPath || !labelOrder) return bridgePages * full
  // Label order (either way) with only $top/$skip: each bridge page reads the pages covering its slice.
  const skip = q.skip ?? 0
  const end = Math.min(all.length, q.top === null ? Infinity : skip + q.top)
  if (end <= skip) return q.top === 0 ? 0 : 1
  let calls = 0
  for (let from = skip; from < end; from += pageSize) calls += pagesCovering(from, Math.min(end, from + pageSize))
  return calls
}

function generate(p: Picker): Query {
  const set: SetName = p.chance(0.6) ? 'Automations' : 'Runners'
  const days = p.chance(0.5) ? null : p.one([7, 30, 90])
  const g = grammarFor(set, days ?? 30, p.rand)
  const spec = SPECS[set]
  const keys = rowsOf(set, days ?? 30).map((r) => r[spec.key] as string)
  const q: Query = {
    set, days, keyEq: null, filter: null, search: null, orderby: null, select: null, selectText: null,
    top: null, skip: null, count: false, countPath: false,
    encoding: p.one(['powerquery', 'powerquery-raw-plus', 'uri'] as const)
  }
  if (set === 'Automations' && p.chance(0.2)) {
    // Only paging in label order: the bridge reads just the upstream pages under each slice.
    if (p.chance(0.3)) q.orderby = [{ ex: { text: 'label', ev: (r) => r.label as string }, desc: false, suffix: p.one(['', ' asc']) }]
    if (p.chance(0.6)) q.top = p.int(0, 50)
    if (p.chance(0.6)) q.skip = p.int(0, 50)
    if (p.chance(0.3)) {
      q.select = p.some(spec.props.map((x) => x.name), 1, 4)
      q.selectText = q.select.join(',')
    }
    return q
  }
  if (p.chance(0.2)) {
    const k = p.one(keys)
    q.keyEq = p.one([k, k, k, k.toUpperCase(), k.slice(0, 4), `${k}x`])
  }
  if (p.chance(0.6)) q.filter = g.filter(p.int(0, 3))
  if (p.chance(0.2)) q.search = g.search(p.int(0, 2))
  if (p.chance(0.1)) {
    q.countPath = true
    return q
  }
  if (p.chance(0.5)) q.orderby = g.orderby(p.int(1, 3))
  if (p.chance(0.45)) q.top = p.int(0, 50)
  if (p.chance(0.35)) q.skip = p.int(0, 50)
  if (p.chance(0.3)) q.count = true
  if (p.chance(0.35)) {
    if (p.chance(0.15)) q.selectText = '*'
    else {
      q.select = p.some(spec.props.map((x) => x.name), 1, 5)
      q.selectText = q.select.join(',')
    }
  }
  return q
}

interface Loaded { ok: boolean; why: string; pages: number }

async function load(q: Query, url: string, maxPageSize: number | null): Promise<Loaded> {
  const exp = expected(q)
  if (q.countPath) {
    const res = await fetch(url)
    const text = await res.text()
    if (res.status !== 200) return { ok: false, why: `${res.status}: ${text.slice(0, 300)}`, pages: 1 }
    return text === String(exp.count) ? { ok: true, why: '', pages: 1 } : { ok: false, why: `/$count: expected ${exp.count}, got ${text}`, pages: 1 }
  }
  const init: RequestInit = maxPageSize === null ? {} : { headers: { prefer: `odata.maxpagesize=${maxPageSize}` } }
  const got: unknown[] = []
  let next: string | undefined = url
  let pages = 0
  while (next !== undefined) {
    if (++pages > 100) return { ok: false, why: 'more than 100 pages', pages }
    const res: Response = await fetch(next, init)
    const text = await res.text()
    if (res.status !== 200) return { ok: false, why: `page ${pages}: ${res.status}: ${text.slice(0, 400)}`, pages }
    const body = JSON.parse(text) as Record<string, unknown>
    if (pages === 1) {
      if (q.count && body['@odata.count'] !== exp.count) return { ok: false, why: `@odata.count: expected ${exp.count}, got ${String(body['@odata.count'])}`, pages }
      if (maxPageSize !== null && res.headers.get('preference-applied') !== `odata.maxpagesize=${maxPageSize}`) return { ok: false, why: `Preference-Applied: ${String(res.headers.get('preference-applied'))}`, pages }
    }
    const value = body.value as unknown[]
    if (value.length > (maxPageSize ?? PAGE_SIZE)) return { ok: false, why: `page ${pages} has ${value.length} rows`, pages }
    got.push(...value)
    next = body['@odata.nextLink'] as string | undefined
  }
  const want = exp.rows.map((r) => feedRow(q.set, r, q.select))
  if (JSON.stringify(got) === JSON.stringify(want)) return { ok: true, why: '', pages }
  const i = want.findIndex((row, k) => JSON.stringify(row) !== JSON.stringify(got[k]))
  const at = i < 0 ? got.length : i
  return { ok: false, why: `rows differ: expected ${want.length}, got ${got.length}; first difference at ${at}: expected ${JSON.stringify(want[at])} got ${JSON.stringify(got[at])}`, pages }
}

t.test(`${CASES} random Automations and Runners queries agree with the reference (seed ${SEED})`, async (t) => {
  const p = new Picker(rng(SEED))
  let failures = 0
  let callFailures = 0
  for (let i = 0; i < CASES; i++) {
    const q = generate(p)
    const url = urlOf(q)
    const exp = expected(q)
    const maxPageSize = q.countPath || p.chance(0.4) ? null : Math.max(1, Math.ceil(exp.rows.length / p.int(1, 4)) + p.int(-1, 2))
    const tag = `#${i} (seed ${SEED}) ${url}${maxPageSize === null ? '' : ` [Prefer: odata.maxpagesize=${maxPageSize}]`}`
    bridge.sim.resetStats() // quiet: the previous case waited for its last upstream call
    bridge.upstream.length = 0
    const out = await load(q, url, maxPageSize)
    const stats = await quietStats(bridge.sim)
    if (!out.ok) {
      failures++
      t.fail(`${tag}: ${out.why}`)
      continue
    }
    const spec = SPECS[q.set]
    const calls = stats[spec.route]
    const other = q.set === 'Automations' ? stats.runners + stats.tasks : stats.automation + stats.tasks
    const want = expectedCalls(q, maxPageSize ?? PAGE_SIZE, out.pages)
    // What went upstream: the horizon as filterBy, the key equality as automation= / runner=.
    const sent = bridge.upstream.filter((u) => u.path.endsWith(q.set === 'Automations' ? '/automation' : '/runners'))
    const badParams = sent.filter((u) => u.params.get('filterBy') !== String(q.days ?? 30) || u.params.get(spec.keyParam) !== pushedKey(q))
    if (calls !== want || other !== 0 || badParams.length > 0) {
      callFailures++
      const shown = badParams[0] === undefined ? '' : `; sent ${badParams[0].path}?${badParams[0].params.toString()}`
      t.fail(`${tag}: ${calls} upstream ${spec.route} calls (${other} to other routes), expected ${want}${shown}`)
      continue
    }
    t.pass(`#${i}`)
  }
  t.comment(`${CASES} cases: ${failures} wrong answers, ${callFailures} with the wrong upstream calls`)
})

t.test('key lookups: Automations(\'label\'), Runners(\'vm01\'), quote escaping, exact keys, 404', async (t) => {
  const check = async (path: string, set: SetName, key: string, days: number | null): Promise<void> => {
    const row = rowsOf(set, days ?? 30).find((r) => r[SPECS[set].key] === key)
    await quietStats(bridge.sim)
    bridge.sim.resetStats()
    bridge.upstream.length = 0
    const res = await getJson(`${bridge.feed}${path}${days === null ? '' : `?days=${days}`}`)
    await quietStats(bridge.sim)
    const sent = bridge.upstream.map((u) => `${u.path.split('/').pop() ?? ''}?${u.params.toString()}`)
    if (row === undefined) {
      t.equal(res.status, 404, `${path} is 404`)
      t.equal((res.body.error as { code?: string } | undefined)?.code, 'BRIDGE_ERR_NOT_FOUND', `${path}: error code`)
    } else {
      t.equal(res.status, 200, `${path} is 200`)
      t.equal(JSON.stringify(res.body), JSON.stringify({ '@odata.context': `${bridge.feed}$metadata#${set}/$entity`, ...feedRow(set, row, null) }), `${path}: the entity`)
    }
    t.equal(sent.length, 1, `${path}: exactly one upstream call (${sent.join(' ')})`)
    const params = bridge.upstream[0]?.params
    t.equal(params?.get(SPECS[set].keyParam), key, `${path}: ${SPECS[set].keyParam}= carries the decoded key`)
    t.equal(params?.get('filterBy'), String(days ?? 30), `${path}: filterBy is the horizon`)
  }
  const labels = rowsOf('Automations', 30).map((r) => r.label as string)
  const first = labels[0] as string
  const last = labels[labels.length - 1] as string
  await check(`Automations('${first}')`, 'Automations', first, null)
  await check(`Automations(%27${last}%27)`, 'Automations', last, 7)
  await check(`Automations(label='${last}')`, 'Automations', last, 90)
  await check(`Automations('${first.toUpperCase()}')`, 'Automations', first.toUpperCase(), null)
  await check(`Automations('${first.slice(0, 5)}')`, 'Automations', first.slice(0, 5), null)
  await check("Automations('it''s')", 'Automations', "it's", null)
  await check("Automations(%27O%27%27Neil%27)", 'Automations', "O'Neil", null)
  await check("Runners('vm01')", 'Runners', 'vm01', null)
  await check("Runners('vm08')", 'Runners', 'vm08', 7)
  await check("Runners('VM01')", 'Runners', 'VM01', null)
  await check("Runners('vm99')", 'Runners', 'vm99', null)
  await check("Runners('vm''01')", 'Runners', "vm'01", null)

  // The 404 names the key as decoded from its '' escapes.
  const missing = await getJson(`${bridge.feed}Automations('it''s')`)
  t.match((missing.body.error as { message?: string }).message, /it's/, 'the 404 message names the decoded key')

  // A property of an entity, and its raw value.
  const row = rowsOf('Automations', 30).find((r) => r.label === first) as ORow
  const prop = await getJson(`${bridge.feed}Automations('${first}')/taskCount`)
  t.same(prop.body, { '@odata.context': `${bridge.feed}$metadata#Automations('${first}')/taskCount`, value: row.taskCount }, 'Automations(\'…\')/taskCount')
  const raw = await fetch(`${bridge.feed}Automations('${first}')/date/$value`)
  t.equal(await raw.text(), new Date(row.date as number).toISOString(), 'the zone-less upstream date is written as UTC with Z')
})

t.test('label eq / id eq go upstream: one call where a full read costs more', async (t) => {
  const labels = rowsOf('Automations', 30).map((r) => r.label as string)
  t.ok(labels.length > 2 * UPSTREAM_PAGE, `the set spans ${Math.ceil(labels.length / UPSTREAM_PAGE)} upstream pages`)
  for (const label of [labels[0] as string, labels[30] as string]) {
    await quietStats(bridge.sim)
    bridge.sim.resetStats()
    bridge.upstream.length = 0
    const res = await getJson(`${bridge.feed}Automations?$filter=${encodeValue(`label eq ${str(label)}`, 'powerquery')}`)
    t.same((res.body.value as Record<string, unknown>[]).map((r) => r.label), [label], `label eq '${label}'`)
    t.equal((await quietStats(bridge.sim)).automation, 1, `label eq '${label}': 1 upstream call`)
    t.equal(bridge.upstream[0]?.params.get('automation'), label, 'sent as automation=')
  }
  await quietStats(bridge.sim)
  bridge.sim.resetStats()
  bridge.upstream.length = 0
  const res = await getJson(`${bridge.feed}Runners?$filter=id%20eq%20%27vm02%27%20and%20tasks%20ge%200`)
  t.same((res.body.value as Record<string, unknown>[]).map((r) => r.id), ['vm02'], "id eq 'vm02'")
  t.equal((await quietStats(bridge.sim)).runners, 1, "id eq 'vm02': 1 upstream call")
  t.equal(bridge.upstream[0]?.params.get('runner'), 'vm02', 'sent as runner=')
})

t.test('sub-millisecond DateTimeOffset literals in the bridge\'s own $filter (Automations date)', async (t) => {
  // OData 4.01 Part 2 §5.1.1.1: an instant …:09.006Z is gt …:09.0059999Z and not le, eq it.
  const rows = rowsOf('Automations', 30).filter((r) => r.date !== null)
  const x = rows[0]?.date as number
  for (const [text, below] of [[new Date(x - 1).toISOString().replace('Z', '9999Z'), x - 1], [new Date(x).toISOString().replace('Z', '0001Z'), x], [new Date(x).toISOString().replace('Z', '5+00:00'), x]] as const) {
    for (const op of ['lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const) {
      const keep = (d: number | null): boolean => {
        if (d === null) return op === 'ne'
        const under = d <= below
        return { lt: under, le: under, gt: !under, ge: !under, eq: false, ne: true }[op]
      }
      const want = rowsOf('Automations', 30).filter((r) => keep(r.date as number | null)).map((r) => r.label)
      const res = await getJson(`${bridge.feed}Automations?$select=label&$filter=${encodeValue(`date ${op} ${text}`, 'powerquery')}`)
      t.same((res.body.value as Record<string, unknown>[] | undefined)?.map((r) => r.label), want, `date ${op} ${text}: ${want.length} automations`)
    }
  }
})
