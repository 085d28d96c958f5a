// Issue 6, "Hostile input", over the whole bridge on real HTTP: random and
// mutated query options ($filter, $orderby, $select, …), keys, literals,
// percent-escapes (invalid UTF-8, lone %, %00), duplicate options and resource
// paths. Every answer is clean (clean-answer.ts): a success or a 4xx/501 OData
// error, never a 5xx, never a hang (raw-http.ts deadline), never a crash.
import fc from 'fast-check'
import t from 'tap'
import { startBridge } from '../fixtures/bridge.js'
import type { BridgeFixture } from '../fixtures/bridge.js'
import { uncleanAnswer } from './clean-answer.js'
import { rawRequest } from './raw-http.js'

/** Percent-encodes every byte outside unreserved (RFC 3986 §2.3); lone surrogates become U+FFFD. */
export function pct(s: string): string {
  let out = ''
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

const PROPERTIES = [
  'id', 'state', 'finishStatus', 'activityLabel', 'repositoryLabel', 'machineId', 'dateCreation', 'dateLastModified', 'dateStartRunning',
  'processedItems', 'failedItems', 'totalItems', 'label', 'name', 'taskCount', 'sumItems', 'successRate', 'roi', 'automations', 'status',
  'tasks', 'utilizationRate', 'Automation', 'Tasks', 'Runners', 'ID', 'foo', '__proto__', 'constructor', 'prototype', '$it', '$this'
]

const LITERALS = [
  "'FINISHED'", "'O''Neil'", "''", "'", "'unterminated", '1', '-1', '0', '-0', '1.5', '1e5', '1e400', '-1e400', '1e-400', '9007199254740993',
  '99999999999999999999999999999999', '2147483648', '-2147483649', '0x10', '1_000', 'INF', '-INF', 'NaN', 'null', 'true', 'false', 'TRUE',
  '2024-01-31', '2024-02-30', '2024-13-01', '0000-00-00', '9999-12-31T23:59:59.9999999Z', '2024-01-01T00:00:00Z', '2024-01-01T25:00:00Z',
  '2024-01-01T00:00:00+14:01', '12:30', '24:00:00', "duration'P1D'", "duration'PXD'", "duration'P99999999999999999999D'", "'PT1H'",
  '01234567-89ab-cdef-0123-456789abcdef', "binary'AAEC'", "geography'POINT(0 0)'", 'Edm.String', '@alias', '[1,2]', '{"a":1}'
]

const OPERATORS = [' eq ', ' ne ', ' gt ', ' ge ', ' lt ', ' le ', ' and ', ' or ', ' not ', ' add ', ' sub ', ' mul ', ' div ', ' divby ', ' mod ', ' in ', ' has ', ' ', '/', ',', ':']
const CALLS = ['contains(', 'startswith(', 'endswith(', 'length(', 'indexof(', 'substring(', 'tolower(', 'toupper(', 'trim(', 'concat(', 'year(',
  'month(', 'day(', 'hour(', 'minute(', 'second(', 'date(', 'time(', 'now()', 'round(', 'floor(', 'ceiling(', 'any(', 'all(', 'cast(', 'isof(',
  'matchesPattern(', 'geo.distance(', 'foo(', 'maxdatetime()', 'totaloffsetminutes(']
const PUNCTUATION = ['(', ')', '(', ')', "'", '"', '[', ']', '{', '}', '$', '@', '*', '-', '+', ';', '&', '=', '#', '?', '%', '\\', '\u0000', '\u00e9', '\u{1F600}', '\ud800']

const token = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PROPERTIES) },
  { weight: 3, arbitrary: fc.constantFrom(...LITERALS) },
  { weight: 4, arbitrary: fc.constantFrom(...OPERATORS) },
  { weight: 2, arbitrary: fc.constantFrom(...CALLS) },
  { weight: 2, arbitrary: fc.constantFrom(...PUNCTUATION) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }
)
/** An expression-like soup: mostly near-misses of valid OData, sometimes valid. */
const soup = fc.array(token, { minLength: 1, maxLength: 24 }).map((parts) => parts.join(''))

const VALID = {
  $filter: ["state eq 'FINISHED'", 'totalItems gt 10 and processedItems le 5', "contains(activityLabel,'a') or year(dateCreation) eq 2024", 'id eq 1',
    "not (finishStatus eq null)", "state in ('START','RUNNING')", "automations/any(a: startswith(a,'x'))", 'dateCreation ge 2020-01-01T00:00:00Z'],
  $orderby: ['id desc', 'dateCreation desc', 'state asc,id desc', 'label', 'taskCount desc', 'totalItems'],
  $select: ['id,state', 'label,taskCount', 'id', '*', 'id,automations'],
  $top: ['0', '1', '5', '1000'],
  $skip: ['0', '3', '100'],
  $count: ['true', 'false'],
  $search: ['bot', 'a OR b', 'NOT x', '"quoted phrase"'],
  $format: ['json', 'application/json', 'application/json;odata.metadata=full'],
  days: ['1', '30', '365']
} as const

const OPTION_NAMES = [...Object.keys(VALID), '$expand', '$apply', '$compute', '$levels', '$skiptoken', '$deltatoken', '$index', '$schemaversion', '$id',
  '$FILTER', '$Top', '%24filter', '$', '$$top', '@p1', 'filter', 'top', 'api_key', '', '=', '$filter ', ' $filter']

/** Random edits of the already-encoded text: broken escapes, raw separators, invalid UTF-8. */
const MUTATIONS = ['%', '%2', '%G0', '%C3%28', '%00', '%FF', '%C0%AF', '%ED%A0%80', '%E2%82', '%F4%90%80%80', '%25', '%26', '%3D', '%23',
  '&', '=', '&&', '+', "'", '(', ')', ')))', '((((', ',', ';', '$', '%2F', '/', '..', '\\', '"', '<', '>', '|', '^', '`', '{', '}', '%0A', '%0D%0A']

function mutate(encoded: string, edits: readonly (readonly [number, string])[]): string {
  let s = encoded
  for (const [at, text] of edits) {
    const i = s.length === 0 ? 0 : at % (s.length + 1)
    s = s.slice(0, i) + text + s.slice(i)
  }
  return s
}
/** Mostly none: a mutation usually ends parsing early, and the point is to reach deep too. */
const edits = fc.oneof(
  { weight: 3, arbitrary: fc.constant([] as (readonly [number, string])[]) },
  { weight: 2, arbitrary: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...MUTATIONS)), { minLength: 1, maxLength: 3 }) }
)

const optionValue = (name: string): fc.Arbitrary<string> => {
  const valid = (VALID as Record<string, readonly string[]>)[name]
  return fc.oneof(
    ...(valid === undefined ? [] : [{ weight: 4, arbitrary: fc.constantFrom(...valid) }]),
    { weight: 3, arbitrary: soup },
    { weight: 1, arbitrary: fc.constantFrom(...LITERALS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20, unit: 'binary' }) }
  )
}

/** One query option, encoded, sometimes mutated after encoding. */
const option = fc.constantFrom(...OPTION_NAMES).chain((name) => fc.tuple(fc.constant(name), optionValue(name), edits, fc.boolean()))
  .map(([name, value, ed, bare]) => bare && ed.length === 0 ? pct(name) : mutate(`${pct(name)}=${pct(value)}`, ed))

const SETS = ['Tasks', 'Automations', 'Runners', 'tasks', 'Task', 'Foo', '$metadata', '$batch', '$count', '$entity', '$all', '', '$metadata/Tasks', 'Tasks/$count']

const keyText = fc.oneof(
  fc.constantFrom(...LITERALS),
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.string({ maxLength: 12 }).map((s) => `'${s.replace(/'/g, "''")}'`),
  fc.string({ maxLength: 12, unit: 'binary' }),
  fc.constantFrom('id=1', 'label=\'a\'', "'a'b'", '1,2', '(1)', '', ' 1 ', '1)', '((1', 'id=', "label='", '$it')
)

/** Resource paths: sets, keys (Tasks(…), Automations('…')), properties, $value, $count, odd segments. */
const path = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...SETS) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('Tasks', 'Automations', 'Runners'), keyText).map(([set, key]) => `${set}(${pct(key).replace(/%27/g, "'").replace(/%28/g, '(').replace(/%29/g, ')')})`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('Tasks(1)', "Automations('a')", "Runners('r')", 'Tasks(17018382)'), fc.constantFrom(...PROPERTIES, '$value', '$count', '$ref', ''), fc.constantFrom('', '/$value', '/$count', '/x', '/')).map(([a, b, c]) => `${a}/${pct(b)}${c}`) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom('Tasks', '..', '.', '', '%2F', '%2e%2e', '$value', 'a%00b', '%C3%28', '%'), { maxLength: 4 }).map((segs) => segs.join('/')) }
).chain((p) => fc.tuple(fc.constant(p), edits)).map(([p, ed]) => mutate(p, ed))

const query = (options: readonly string[]): string => options.length > 0 ? `?${options.join('&')}` : ''

/** An entity set, then options: what a client (or Power Query folding) mostly sends. */
const setQuery = fc.tuple(fc.constantFrom('Tasks', 'Automations', 'Runners', 'Tasks/$count'), fc.array(option, { maxLength: 4 }))
  .map(([set, options]) => `/odata/${set}${query(options)}`)

/** Any resource path, with a few options. */
const pathQuery = fc.tuple(path, fc.array(option, { maxLength: 2 }), fc.boolean())
  .map(([p, options, slash]) => `/odata${slash || p !== '' ? '/' : ''}${p}${query(options)}`)

/** Exactly one option repeated, or written two ways (`$top` and `%24top`). */
const duplicate = fc.tuple(fc.constantFrom('$filter', '$top', '$skip', '$orderby', '$select', '$count', 'days', '$search'), fc.constantFrom('Tasks', 'Automations', 'Runners'), fc.boolean())
  .chain(([name, set, spelled]) => fc.tuple(optionValue(name), optionValue(name)).map(([a, b]) => ({
    target: `/odata/${set}?${pct(name)}=${pct(a)}&${spelled ? name.replace('$', '%24') : pct(name)}=${pct(b)}`,
    // A custom option repeated with the same value is accepted (Power Query repeats Query options on nextLinks).
    mayPass: !name.startsWith('$') && a === b
  })))

let bridge: BridgeFixture
t.before(async () => { bridge = await startBridge({ sim: { tasks: 500 }, env: { LOG_LEVEL: 'warn' } }) })
t.teardown(async () => { await bridge.close() })

/** Answers by status, to show the generators reach both the feed and its errors. */
const statuses = new Map<number, number>()

async function check(target: string): Promise<void> {
  const res = await rawRequest(bridge.origin, { target, timeoutMs: 15_000 })
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
  const problem = uncleanAnswer(res)
  if (problem !== null) throw new Error(`${target.slice(0, 300)} → ${problem}`)
}

const tally = (): string => JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))

t.test('random and mutated query options on every entity set answer cleanly', async (t) => {
  statuses.clear()
  await fc.assert(fc.asyncProperty(setQuery, check), { numRuns: 400 })
  t.comment(`statuses: ${tally()}`)
  t.ok((statuses.get(200) ?? 0) >= 40, 'some requests were valid and served')
  t.ok((statuses.get(400) ?? 0) >= 100, 'many were refused as bad requests')
})

t.test('random and mutated resource paths and keys answer cleanly', async (t) => {
  statuses.clear()
  await fc.assert(fc.asyncProperty(pathQuery, check), { numRuns: 250 })
  t.comment(`statuses: ${tally()}`)
  t.ok((statuses.get(404) ?? 0) >= 10, 'unknown resources and keys: 404')
})

t.test('duplicate options answer cleanly (400 BRIDGE_ERR_DUPLICATE_OPTION, unless a custom option repeats its value)', async (t) => {
  await fc.assert(fc.asyncProperty(duplicate, async ({ target, mayPass }) => {
    const res = await rawRequest(bridge.origin, { target })
    const problem = uncleanAnswer(res)
    if (problem !== null) throw new Error(`${target} → ${problem}`)
    // Another error may come first (an invalid percent-escape in the first copy).
    if (res.status < 400 && !mayPass) throw new Error(`${target} → ${res.status}, expected an error`)
  }), { numRuns: 60 })
  for (const target of ['/odata/Tasks?$top=1&%24top=2', '/odata/Tasks?$top=1&$top=1', '/odata/Tasks?days=1&days=2']) {
    const res = await rawRequest(bridge.origin, { target })
    t.equal(res.status, 400, target)
    t.match(JSON.parse(res.body), { error: { code: 'BRIDGE_ERR_DUPLICATE_OPTION' } })
  }
})

t.test('the bridge is alive and logged no error after the run', async (t) => {
  const res = await rawRequest(bridge.origin, { target: '/healthz' })
  t.equal(res.status, 200)
  const errors = bridge.logs.filter((line) => /"level":(50|60)/.test(line))
  t.same(errors.slice(0, 3), [], 'no error-level log lines')
})
