// ops/: the Grafana dashboard and the Prometheus alerting rules name only
// what GET /metrics of a running bridge exports — every metric (a histogram's
// _bucket, _sum and _count included; `up` is Prometheus's own), every label
// in a matcher or a by/without/on/ignoring list, and every label value of a
// known set (an outcome, a route, an entity set…). Each alert carries what an
// operator needs and is documented in docs/deploy.md#alerts; each panel has a
// title, a description and a query, on the dashboard's datasource input.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { TOOLS, findTool, skipWithout } from '../fixtures/tools.js'
import { parse as parseYaml } from 'yaml'
import { ERROR_CATALOGUE } from '../../src/errors.js'
import { ENTITY_SETS } from '../../src/model/index.js'
import type { ClientKind, LoadOutcome } from '../../src/monitor/state.js'
import { UPSTREAM_PATHS } from '../../src/upstream/wire.js'
import { readAll, startBridge } from '../fixtures/bridge.js'

const ROOT = new URL('../../', import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8')
const DASHBOARD = 'ops/grafana/botcity-odata-dashboard.json'
const ALERTS = 'ops/prometheus/alerts.yml'
const ALERT_TESTS = 'ops/prometheus/alerts.test.yml'
const RUNBOOK = 'docs/deploy.md#alerts'
const DATASOURCE = { type: 'prometheus', uid: '${DS_PROMETHEUS}' }

// ---------------------------------------------------------------- PromQL

interface Matcher { readonly label: string; readonly op: string; readonly value: string }
interface Selector { readonly name: string; readonly at: number; readonly matchers: readonly Matcher[] }
/** A by/without list applies to the selectors in `scope` (the aggregation's argument); on/ignoring/group_* to the expression. */
interface Clause { readonly keyword: string; readonly labels: readonly string[]; readonly scope: readonly [number, number] | null }
interface Parsed {
  readonly selectors: readonly Selector[]
  readonly clauses: readonly Clause[]
  /** Labels an expression makes itself (label_replace, label_join). */
  readonly made: ReadonlySet<string>
}

/** Words that are PromQL, never a metric: binary and set operators, modifiers, number literals. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'atan2', 'bool', 'offset', 'inf', 'nan'])
/** Words followed by a list of label names. */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right'])

/**
 * The metric selectors of a PromQL expression (Grafana variables allowed):
 * identifiers not followed by `(` (functions, aggregations), outside `{…}`
 * matchers, `[…]` ranges and string literals, minus PromQL keywords; with the
 * label lists of by/without/on/ignoring/group_left/group_right.
 */
export function parsePromQL(expr: string): Parsed {
  // Strings and comments blanked out, so that no quoted text is read as syntax.
  const strings: { start: number; end: number; value: string }[] = []
  let masked = ''
  for (let i = 0; i < expr.length;) {
    const c = expr[i] as string
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1
      while (j < expr.length && expr[j] !== c) j += c !== '`' && expr[j] === '\\' ? 2 : 1
      if (j >= expr.length) throw new Error(`unterminated string at ${i} in ${expr}`)
      strings.push({ start: i, end: j, value: expr.slice(i + 1, j).replace(/\\(.)/g, '$1') })
      masked += c + ' '.repeat(j - i - 1) + c
      i = j + 1
    } else if (c === '#') {
      const end = expr.indexOf('\n', i) === -1 ? expr.length : expr.indexOf('\n', i)
      masked += ' '.repeat(end - i)
      i = end
    } else {
      masked += c
      i++
    }
  }
  const closeOf = new Map<number, number>()
  const openOf = new Map<number, number>()
  const depth: number[] = []
  const stack: number[] = []
  for (let i = 0; i < masked.length; i++) {
    depth.push(stack.length)
    if (masked[i] === '(') stack.push(i)
    if (masked[i] === ')') {
      const open = stack.pop()
      if (open === undefined) throw new Error(`unbalanced ) at ${i} in ${expr}`)
      closeOf.set(open, i)
      openOf.set(i, open)
    }
  }
  if (stack.length > 0) throw new Error(`unbalanced ( in ${expr}`)
  const skipSpace = (i: number): number => { while (i < masked.length && /\s/.test(masked[i] as string)) i++; return i }
  const stringAt = (i: number): string => strings.find((s) => s.start === i)?.value ?? ''

  const selectors: Selector[] = []
  const clauses: Clause[] = []
  const made = new Set<string>()
  /** The last token: an aggregation or function name (`func`), a `)`, a metric name (`selector`, `at` its end), or anything else. */
  let prev: { kind: 'func' | 'close' | 'selector' | 'other'; at: number } = { kind: 'other', at: -1 }
  for (let i = 0; i < masked.length;) {
    const c = masked[i] as string
    const rest = masked.slice(i)
    if (/\s/.test(c)) { i++; continue }
    if (c === '"' || c === "'" || c === '`') {
      i = (strings.find((s) => s.start === i)?.end ?? i) + 1
      prev = { kind: 'other', at: i }
      continue
    }
    if (c === '{') {
      const end = masked.indexOf('}', i)
      if (end === -1) throw new Error(`unterminated { at ${i} in ${expr}`)
      const matchers: Matcher[] = []
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(["'`])/g
      const body = masked.slice(i + 1, end)
      for (let m = re.exec(body); m !== null; m = re.exec(body)) {
        matchers.push({ label: m[1] as string, op: m[2] as string, value: stringAt(i + 1 + m.index + m[0].length - 1) })
      }
      const last = selectors.at(-1)
      if (last !== undefined && prev.kind === 'selector' && masked.slice(prev.at, i).trim() === '') {
        selectors[selectors.length - 1] = { ...last, matchers }
      } else {
        const name = matchers.find((m) => m.label === '__name__' && m.op === '=')?.value ?? ''
        selectors.push({ name, at: i, matchers })
      }
      i = end + 1
      prev = { kind: 'other', at: i }
      continue
    }
    if (c === '[') {
      const end = masked.indexOf(']', i)
      if (end === -1) throw new Error(`unterminated [ at ${i} in ${expr}`)
      i = end + 1
      continue
    }
    const variable = /^\$(?:\{[^}]*\}|\w+)/.exec(rest)
    if (variable !== null) { i += variable[0].length; prev = { kind: 'other', at: i }; continue }
    const number = /^(?:0x[0-9a-f]+|[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?[0-9a-z_]*)/i.exec(rest)
    if (number !== null && /[0-9.]/.test(c)) { i += number[0].length; prev = { kind: 'other', at: i }; continue }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest)
    if (ident !== null) {
      const word = ident[0]
      const lower = word.toLowerCase()
      const next = skipSpace(i + word.length)
      if (LABEL_LISTS.has(lower)) {
        if (masked[next] !== '(') { i = next; prev = { kind: 'other', at: i }; continue }
        const close = closeOf.get(next) as number
        const labels = masked.slice(next + 1, close).split(',').map((l) => l.trim()).filter((l) => l !== '')
        let scope: [number, number] | null = null
        if (lower === 'by' || lower === 'without') {
          if (prev.kind === 'func') {
            const open = skipSpace(close + 1)
            if (masked[open] === '(') scope = [open, closeOf.get(open) as number]
          } else if (prev.kind === 'close') {
            scope = [openOf.get(prev.at) as number, prev.at]
          }
          if (scope === null) throw new Error(`${word} (${labels.join(', ')}) belongs to no aggregation in ${expr}`)
        }
        clauses.push({ keyword: lower, labels, scope })
        i = close + 1
        prev = { kind: 'other', at: i }
        continue
      }
      // A function's arguments follow it; an aggregation's may follow its by/without list.
      if (masked[next] === '(' || /^(?:by|without)\s*\(/i.test(masked.slice(next))) {
        if (lower === 'label_replace' || lower === 'label_join') {
          const close = closeOf.get(next) as number
          const first = strings.find((s) => s.start > next && s.end < close && depth[s.start] === (depth[next] as number) + 1)
          if (first !== undefined) made.add(first.value)
        }
        prev = { kind: 'func', at: i }
        i = next
        continue
      }
      const keyword = KEYWORDS.has(lower)
      if (!keyword) selectors.push({ name: word, at: i, matchers: [] })
      i += word.length
      prev = { kind: keyword ? 'other' : 'selector', at: i }
      continue
    }
    prev = c === ')' ? { kind: 'close', at: i } : { kind: 'other', at: i }
    i++
  }
  return { selectors, clauses, made }
}

// ---------------------------------------------------------------- /metrics

interface Family { readonly type: string; readonly labels: Set<string>; readonly values: Map<string, Set<string>>; samples: number }

/** Every family of a scrape (`# TYPE` lines), with the labels and values of its samples. */
function families(text: string): Map<string, Family> {
  const out = new Map<string, Family>()
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(name as string, { type: type as string, labels: new Set(), values: new Map(), samples: 0 })
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line)
    if (m === null) continue
    const family = familyOf(m[1] as string, out)
    if (family === undefined) continue
    family.samples++
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      family.labels.add(k as string)
      family.values.set(k as string, (family.values.get(k as string) ?? new Set()).add(v as string))
    }
  }
  return out
}

/** The family a series name belongs to: itself, or a histogram's (summary's) _bucket, _sum, _count. */
function familyName(name: string, all: ReadonlyMap<string, Family>): string | undefined {
  if (all.has(name)) return name
  const m = /^(.*)_(bucket|sum|count)$/.exec(name)
  if (m === null) return undefined
  const type = all.get(m[1] as string)?.type
  return type === 'histogram' || (type === 'summary' && m[2] !== 'bucket') ? m[1] : undefined
}
function familyOf(name: string, all: ReadonlyMap<string, Family>): Family | undefined {
  const n = familyName(name, all)
  return n === undefined ? undefined : all.get(n)
}

// ---------------------------------------------------------------- label values

const LOAD_OUTCOMES = ['finished', 'abandoned', 'failed', 'canceled'] as const satisfies readonly LoadOutcome[]
const CLIENTS = ['power-query', 'curl', 'browser', 'other'] as const satisfies readonly ClientKind[]
const ENTITY_SET_LABELS = [...ENTITY_SETS.map((s) => s.name), 'metadata', 'service', 'other']
const UPSTREAM_OUTCOMES = ['ok', 'aborted', ...Object.keys(ERROR_CATALOGUE)]

/** The values a label of a family can take (src/http/metrics.ts), where they form a known set. */
function knownValues(family: string, label: string): readonly string[] | undefined {
  switch (label) {
    case 'outcome': return /_loads_total$|_load_duration_seconds$/.test(family) ? LOAD_OUTCOMES : UPSTREAM_OUTCOMES
    case 'client': return CLIENTS
    case 'route': return Object.keys(UPSTREAM_PATHS)
    case 'entity_set': return ENTITY_SET_LABELS
    case 'cause': return ['event_loop', 'heap']
    case 'state': return ['running', 'queued']
    default: return undefined
  }
}

/** Labels Prometheus adds to every target's series, never in /metrics. */
const TARGET_LABELS = new Set(['job', 'instance'])

/** What is wrong with one expression against a scrape: unknown metrics, labels, label values. */
function problems(expr: string, all: ReadonlyMap<string, Family>): string[] {
  const out: string[] = []
  const { selectors, clauses, made } = parsePromQL(expr)
  if (selectors.length === 0) out.push('no metric')
  const exempt = (label: string): boolean => TARGET_LABELS.has(label) || made.has(label) || label === '__name__'
  for (const s of selectors) {
    if (s.name === 'up') continue
    const family = familyName(s.name, all)
    if (family === undefined) { out.push(`${s.name}: not a metric /metrics exports`); continue }
    const f = all.get(family) as Family
    for (const m of s.matchers) {
      if (!exempt(m.label) && f.samples > 0 && !f.labels.has(m.label)) out.push(`${s.name}: no label ${m.label}`)
      const known = knownValues(family, m.label)
      if (known === undefined || m.value.includes('$')) continue
      const alternatives = m.op === '=' || m.op === '!=' ? [m.value] : /^[\w-]+(\|[\w-]+)*$/.test(m.value) ? m.value.split('|') : []
      for (const v of alternatives) if (!known.includes(v)) out.push(`${s.name}: ${m.label} is never "${v}"`)
    }
  }
  const sampled = (list: readonly Selector[]): Family[] =>
    list.filter((s) => s.name !== 'up').map((s) => familyOf(s.name, all)).filter((f): f is Family => f !== undefined && f.samples > 0)
  for (const c of clauses) {
    for (const label of c.labels) {
      if (exempt(label)) continue
      if (c.scope !== null) {
        const [from, to] = c.scope
        const inScope = sampled(selectors.filter((s) => s.at > from && s.at < to))
        if (inScope.some((f) => !f.labels.has(label))) out.push(`${c.keyword} (${label}): not a label of every metric it aggregates`)
      } else {
        const every = sampled(selectors)
        if (every.length > 0 && !every.some((f) => f.labels.has(label))) out.push(`${c.keyword} (${label}): not a label of any metric`)
      }
    }
  }
  return out
}

// ---------------------------------------------------------------- the files

interface Target { readonly expr?: unknown; readonly refId?: unknown; readonly datasource?: unknown }
interface Panel { readonly type: string; readonly title?: unknown; readonly description?: unknown; readonly id?: unknown; readonly gridPos?: unknown; readonly datasource?: unknown; readonly targets?: readonly Target[]; readonly panels?: readonly Panel[] }
interface Variable { readonly name: string; readonly type: string; readonly datasource?: unknown; readonly definition?: unknown; readonly query?: unknown }
interface Dashboard {
  readonly __inputs?: readonly { name: string; type: string; pluginId: string }[]
  readonly schemaVersion: number
  readonly uid: unknown
  readonly title: unknown
  readonly panels: readonly Panel[]
  readonly templating: { readonly list: readonly Variable[] }
}
interface Rule { readonly alert?: unknown; readonly record?: unknown; readonly expr?: unknown; readonly for?: unknown; readonly labels?: Record<string, unknown>; readonly annotations?: Record<string, unknown> }
interface RuleFile { readonly groups: readonly { readonly name?: unknown; readonly rules?: readonly Rule[] }[] }

const dashboard = JSON.parse(read(DASHBOARD)) as Dashboard
const rules = parseYaml(read(ALERTS)) as RuleFile
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])])
const queryPanels = panels.filter((p) => p.type !== 'row')
const alerts = rules.groups.flatMap((g) => g.rules ?? [])

/** Every PromQL expression of the dashboard and the rules, with where it is. */
function expressions(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = []
  for (const p of queryPanels) for (const target of p.targets ?? []) out.push({ where: `panel "${String(p.title)}" ${String(target.refId)}`, expr: String(target.expr) })
  for (const v of dashboard.templating.list) {
    // label_values(metric{…}, label) is Grafana's, not PromQL: its selector is.
    const m = /^label_values\((.*),\s*(\w+)\)$/.exec(String(v.definition))
    if (m !== null) out.push({ where: `variable ${v.name}`, expr: m[1] as string })
  }
  for (const rule of alerts) out.push({ where: `alert ${String(rule.alert)}`, expr: String(rule.expr) })
  return out
}

// ---------------------------------------------------------------- tests

t.test('the PromQL reader', async (t) => {
  const p = parsePromQL('histogram_quantile(0.9, sum by (le, route) (rate(a_bucket{x="b{c}(d)", y!~"e|f"}[5m] offset 1h))) / on (job) group_left sum(b) > 0.5 and c unless d # e_comment')
  t.same(p.selectors.map((s) => s.name), ['a_bucket', 'b', 'c', 'd'])
  t.same(p.selectors[0]?.matchers, [{ label: 'x', op: '=', value: 'b{c}(d)' }, { label: 'y', op: '!~', value: 'e|f' }])
  t.same(p.clauses.map((c) => [c.keyword, c.labels]), [['by', ['le', 'route']], ['on', ['job']]], 'group_left without a list has none')
  const q = parsePromQL('sum(rate(x{job="$job"}[$__rate_interval])) by (route) * 60 + max without (le) (label_replace(y, "class", "${1}xx", "status", "(.).."))')
  t.same(q.selectors.map((s) => s.name), ['x', 'y'])
  t.same(q.clauses.map((c) => [c.keyword, c.labels]), [['by', ['route']], ['without', ['le']]])
  t.same([...q.made], ['class'])
  const [by, without] = q.clauses
  t.ok(by?.scope !== null && q.selectors[0] !== undefined && q.selectors[0].at > (by?.scope?.[0] ?? 0) && q.selectors[0].at < (by?.scope?.[1] ?? 0), 'sum (…) by: the sum\'s argument')
  t.ok(without?.scope !== null && q.selectors[1] !== undefined && q.selectors[1].at > (without?.scope?.[0] ?? 0), 'max without (…) (…): the argument after')
  t.same(parsePromQL('{__name__="z", a="b"} or vector(1) > bool 1e3 and Inf').selectors.map((s) => s.name), ['z'])
  t.same(parsePromQL('up{job="botcity-odata"} == 0 or absent(up{job="botcity-odata"})').selectors.map((s) => s.name), ['up', 'up'])
})

t.test('a bridge\'s /metrics exports every metric, label and label value the dashboard and the alerts name', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 300 } })
  t.teardown(() => bridge.close())
  // Labelled series: feed reads (a load followed to its end: botcity_odata_loads_total), a 429
  // the bridge waits out, a token BotCity no longer takes (a re-login), a 404.
  const { rows } = await readAll(`${bridge.feed}Tasks?$top=30`, { headers: { prefer: 'odata.maxpagesize=10' } })
  t.equal(rows.length, 30)
  bridge.sim.inject({ kind: 'status', status: 429, retryAfterS: 0, route: 'automation', count: 1 })
  bridge.sim.inject({ kind: 'status', status: 401, route: 'runners', count: 1 })
  for (const path of ['Automations?$top=3', 'Runners?days=7', '$metadata', 'Nope']) {
    const res = await fetch(`${bridge.feed}${path}`)
    await res.arrayBuffer()
  }
  const res = await fetch(`${bridge.origin}/metrics`)
  t.equal(res.status, 200)
  const all = families(await res.text())
  t.ok((all.get('botcity_odata_upstream_throttled_total')?.samples ?? 0) > 0, 'the 429 was counted')
  t.ok((all.get('botcity_odata_upstream_relogins_total')?.samples ?? 0) > 0, 'the re-login was counted')
  t.same(all.get('botcity_odata_loads_total')?.values.get('outcome'), new Set(['finished']), 'the loads were counted')

  const exprs = expressions()
  t.ok(exprs.length >= 40, `${exprs.length} expressions`)
  const used = new Set<string>()
  for (const { where, expr } of exprs) {
    t.same(problems(expr, all), [], `${where}: ${expr.replace(/\s+/g, ' ')}`)
    for (const s of parsePromQL(expr).selectors) used.add(familyName(s.name, all) ?? s.name)
  }
  // A family without samples shows no labels: every one used has some, so every label was checked.
  t.same([...used].filter((name) => name !== 'up' && (all.get(name)?.samples ?? 0) === 0), [], 'every family used has samples')
  for (const family of ['http_requests_total', 'http_request_duration_seconds', 'loads_total', 'load_duration_seconds', 'loads_in_flight', 'upstream_calls_total', 'upstream_call_duration_seconds', 'upstream_throttled_total', 'upstream_retries_total', 'upstream_logins_total', 'page_cache_hits_total', 'page_cache_misses_total', 'page_cache_bytes', 'page_cache_entries', 'task_ledger_tasks', 'task_ledger_bytes', 'task_ledger_pages_served_total', 'task_ledger_pages_noted_total', 'task_ledger_resets_total', 'requests_shed_total', 'heavy_requests', 'heavy_requests_refused_total']) {
    t.ok(used.has(`botcity_odata_${family}`), `botcity_odata_${family} is on the dashboard or in an alert`)
  }
  for (const family of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds', 'up']) t.ok(used.has(family), `${family} is used`)

  // The checks above can fail: each of these is wrong in one way.
  t.same(problems('rate(botcity_odata_http_requests_totl[5m])', all), ['botcity_odata_http_requests_totl: not a metric /metrics exports'])
  t.same(problems('botcity_odata_page_cache_bytes_bucket', all), ['botcity_odata_page_cache_bytes_bucket: not a metric /metrics exports'], 'a gauge has no buckets')
  t.same(problems('rate(botcity_odata_upstream_calls_total{rout="tasks"}[5m])', all), ['botcity_odata_upstream_calls_total: no label rout'])
  t.same(problems('sum by (entity_set) (rate(botcity_odata_upstream_calls_total[5m]))', all), ['by (entity_set): not a label of every metric it aggregates'])
  t.same(problems('sum(rate(botcity_odata_upstream_calls_total{outcome!~"ok|aborted|UPSTREAM_TIMEOUTT"}[5m]))', all), ['botcity_odata_upstream_calls_total: outcome is never "UPSTREAM_TIMEOUTT"'])
  t.same(problems('botcity_odata_loads_total{outcome="finshed"}', all), ['botcity_odata_loads_total: outcome is never "finshed"'])
  t.same(problems('botcity_odata_upstream_calls_total / on (rout) botcity_odata_upstream_retries_total', all), ['on (rout): not a label of any metric'])
  t.same(problems('histogram_quantile(0.9, sum by (le, route) (rate(botcity_odata_upstream_call_duration_seconds_bucket{job="x"}[5m])))', all), [])
})

t.test('the dashboard imports into any Grafana: its datasource is an input, every panel has a query', async (t) => {
  t.ok(dashboard.schemaVersion >= 36 && dashboard.schemaVersion <= 41, `schemaVersion ${dashboard.schemaVersion}`)
  t.type(dashboard.uid, 'string')
  t.type(dashboard.title, 'string')
  t.same(dashboard.__inputs?.map((i) => [i.name, i.type, i.pluginId]), [['DS_PROMETHEUS', 'datasource', 'prometheus']])
  // Every datasource anywhere in the model is that input, never a uid of someone's Grafana.
  const datasources: unknown[] = []
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'datasource') datasources.push(v)
        walk(v)
      }
    }
  }
  walk(dashboard)
  t.ok(datasources.length > queryPanels.length, `${datasources.length} datasource references`)
  for (const ds of datasources) t.same(ds, DATASOURCE)

  const names = dashboard.templating.list.map((v) => v.name)
  t.same(names, ['job', 'instance'])
  for (const v of dashboard.templating.list) t.equal(v.type, 'query', `variable ${v.name} is a query`)
  t.match(String(dashboard.templating.list[1]?.definition), /\{job="\$job"\}/, 'instances of the chosen job')

  const ids = panels.map((p) => p.id)
  t.equal(new Set(ids).size, ids.length, 'panel ids are unique')
  t.ok(queryPanels.length >= 30, `${queryPanels.length} panels`)
  for (const p of queryPanels) {
    const name = String(p.title)
    t.ok(typeof p.title === 'string' && p.title.trim() !== '', `a title: ${name}`)
    t.ok(typeof p.description === 'string' && p.description.length >= 30, `a description: ${name}`)
    t.ok(['timeseries', 'stat'].includes(p.type), `${name}: ${p.type}`)
    t.ok(p.gridPos !== undefined, `${name}: placed`)
    t.ok((p.targets ?? []).length >= 1, `${name}: a query`)
    for (const target of p.targets ?? []) {
      t.ok(typeof target.expr === 'string' && target.expr.trim() !== '', `${name} ${String(target.refId)}: an expression`)
      // Every selector follows the variables, so the panel shows the chosen job and replicas.
      for (const s of parsePromQL(String(target.expr)).selectors) {
        t.ok(s.matchers.some((m) => m.label === 'job' && m.op === '=' && m.value === '$job') && s.matchers.some((m) => m.label === 'instance' && m.op === '=~' && m.value === '$instance'),
          `${name} ${String(target.refId)}: ${s.name} selects job="$job", instance=~"$instance"`)
      }
    }
  }
  t.same(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title), ['Overview', 'HTTP', 'Loads', 'Upstream (BotCity Insights)', 'Caches', 'Back-pressure and heavy work'])
})

t.test('each alert says what broke, how badly, for how long, and where its runbook is', async (t) => {
  t.ok(Array.isArray(rules.groups) && rules.groups.length > 0, 'a groups: file')
  for (const g of rules.groups) t.type(g.name, 'string')
  const names = alerts.map((r) => String(r.alert))
  t.equal(new Set(names).size, names.length, 'alert names are unique')
  t.ok(alerts.length >= 8, `${alerts.length} alerts`)
  for (const r of alerts) {
    const name = String(r.alert)
    t.ok(typeof r.alert === 'string' && /^[A-Z][A-Za-z]+$/.test(r.alert), `${name}: an alert, not a recording rule`)
    t.type(r.expr, 'string', `${name}: expr`)
    t.match(String(r.for), /^[1-9][0-9]*[smh]$/, `${name}: for`)
    t.ok(['critical', 'warning'].includes(String(r.labels?.severity)), `${name}: severity ${String(r.labels?.severity)}`)
    for (const key of ['summary', 'description']) t.ok(typeof r.annotations?.[key] === 'string' && (r.annotations[key] as string).length >= 20, `${name}: ${key}`)
    t.equal(r.annotations?.runbook, RUNBOOK, `${name}: runbook`)
  }
  // What the brief asked for is there.
  const exprOf = (name: string): string => String(alerts.find((r) => r.alert === name)?.expr)
  t.match(exprOf('BotCityOdataDown'), /up\{job="botcity-odata"\} == 0/)
  t.match(exprOf('BotCityUpstreamErrors'), /outcome!~"ok\|aborted"/)
  t.match(exprOf('BotCityRateLimiting'), /botcity_odata_upstream_throttled_total/)
  t.match(exprOf('BotCityOdataSlowLoads'), /histogram_quantile\(0\.9,[\s\S]*botcity_odata_load_duration_seconds_bucket[\s\S]*> 1800/)
  t.match(exprOf('BotCityOdataRequestsShed'), /botcity_odata_requests_shed_total/)
  t.match(exprOf('BotCityOdataHeavyRefused'), /botcity_odata_heavy_requests_refused_total/)

  // docs/deploy.md#alerts exists and explains every alert.
  const doc = read('docs/deploy.md')
  const slug = (heading: string): string => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')
  const anchor = [...doc.matchAll(/^#{1,6} (.+)$/gm)].find((m) => slug(m[1] as string) === 'alerts') ?? /<a id="alerts">/.exec(doc)
  t.ok(anchor, 'docs/deploy.md has an #alerts anchor')
  const section = doc.slice(anchor?.index ?? doc.length)
  for (const name of names) t.match(section, `**\`${name}\``, `docs/deploy.md#alerts explains ${name}`)

  // ops/prometheus/alerts.test.yml fires every alert at least once.
  const tests = parseYaml(read(ALERT_TESTS)) as { rule_files: string[]; tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] }
  t.same(tests.rule_files, ['alerts.yml'])
  const fired = new Set(tests.tests.flatMap((g) => g.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname))
  for (const name of names) t.ok(fired.has(name), `alerts.test.yml has ${name} firing`)
})

// promtool (Debian: the prometheus package; .ci/run unpacks it) checks the rules
// and runs their unit tests; without it this part skips, or fails under CI=true.
const promtoolSkip = skipWithout(TOOLS.promtool)
const promtool = promtoolSkip === false ? findTool(TOOLS.promtool) as string : 'promtool'
t.test('promtool check rules, promtool test rules', { skip: promtoolSkip }, async (t) => {
  const check = spawnSync(promtool, ['check', 'rules', ALERTS], { cwd: fileURLToPath(ROOT), encoding: 'utf8' })
  t.equal(check.status, 0, check.stdout + check.stderr)
  const unit = spawnSync(promtool, ['test', 'rules', ALERT_TESTS], { cwd: fileURLToPath(ROOT), encoding: 'utf8' })
  t.equal(unit.status, 0, unit.stdout + unit.stderr)
})
