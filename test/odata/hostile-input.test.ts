// Issue 6, "Hostile input": whatever the query string, parsing answers with a
// result or a BridgeError that maps to 4xx/501 — never another exception,
// never a stack overflow, never a hang.
import fc from 'fast-check'
import t from 'tap'
import { isBridgeError } from '../../src/errors.js'
import { compileFilter, compileOrderBy, compileSearch } from '../../src/evaluate/index.js'
import { AUTOMATIONS, RUNNERS, TASKS, type EntitySetDef } from '../../src/model/index.js'
import { DEFAULT_LIMITS, parseFilter, parseQueryOptions, parseQueryString } from '../../src/odata/index.js'

const SETS: EntitySetDef[] = [TASKS, AUTOMATIONS, RUNNERS]

/** Runs fn; passes when it returns or throws a BridgeError with a 4xx or 501 status. */
function clean(fn: () => unknown): boolean {
  try {
    fn()
    return true
  } catch (err) {
    if (!isBridgeError(err)) throw err
    const status = (err as { statusCode: number }).statusCode
    if ((status >= 400 && status < 500) || status === 501) return true
    throw err
  }
}

const ROW = {
  id: 1, state: 'FINISHED', finishStatus: null, activityLabel: 'bot', repositoryLabel: null, machineId: 'vm',
  dateLastModified: 0, dateCreation: 1.7e12, dateStartRunning: null, processedItems: 0, failedItems: null, totalItems: 3,
  label: 'x', roi: 0, taskCount: 0, automations: ['a', 'b'], tasks: 0, status: null
}

/** Parse, then compile and evaluate what parsed: the whole pipeline stays clean. */
function pipeline(set: EntitySetDef, raw: string): void {
  const options = parseQueryOptions(set, parseQueryString(raw))
  compileFilter(options.filter, { now: 0 })(ROW)
  compileOrderBy(options.orderby, { now: 0 })(ROW, ROW)
  compileSearch(options.search, set)(ROW)
}

const TOKENS = [
  ' ', ' ', ' ', '(', ')', ',', ':', '/', '-', '+', "'", "''", '"', '$it', '$count', '@p', '[', ']',
  'eq', 'ne', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not', 'add', 'sub', 'mul', 'div', 'divby', 'mod', 'in', 'has',
  'state', 'id', 'totalItems', 'dateCreation', 'finishStatus', 'automations', 'roi', 'label', 'constructor', '__proto__',
  "'FINISHED'", "'O''Neil'", '1', '-1', '0', '1.5', '1e5', 'INF', 'NaN', 'null', 'true', 'false',
  '2024-01-31', '2024-02-30', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00+01:00', '12:30', "duration'P1D'", "'PT1H'",
  'contains(', 'startswith(', 'length(', 'substring(', 'tolower(', 'year(', 'hour(', 'now()', 'round(', 'concat(',
  'any(', 'all(', 'a:', 'a', 'matchesPattern(', 'cast(', 'foo('
]

const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((parts) => parts.join(''))

const VALID_FILTERS = [
  "state eq 'FINISHED' and totalItems gt 10",
  "contains(activityLabel,'bot') or year(dateCreation) eq 2024",
  "not (finishStatus eq null) and state in ('A','B')",
  'dateCreation ge 2024-01-01T00:00:00Z and dateCreation lt 2024-02-01T00:00:00+01:00',
  "automations/any(a: startswith(a,'sup'))",
  '(totalItems add 1) mul 2 gt -5'
]

/** A valid filter with a few characters inserted, deleted or replaced. */
const mutated = fc.tuple(
  fc.constantFrom(...VALID_FILTERS),
  fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(...'() \',:/-+$@%&=0129aeZTz."[]{}\\'.split(''))), { minLength: 1, maxLength: 5 })
).map(([text, edits]) => {
  let s = text
  for (const [at, op, ch] of edits) {
    const i = at % (s.length + 1)
    s = op === 'insert' ? s.slice(0, i) + ch + s.slice(i) : op === 'delete' ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + ch + s.slice(i + 1)
  }
  return s
})

const percentJunk = fc.array(fc.oneof(
  fc.constantFrom('%', '%2', '%ZZ', '%C3', '%C3%A9', '%ED%A0%80', '%F0%9F%98%80', '%00', '%27', '%20', '%2B', '%26', '%3D', '+', '&', '=', '$filter', '$top', '$Top', 'top', '$expand', '@a', 'days'),
  fc.string({ maxLength: 5 })
), { maxLength: 20 }).map((parts) => parts.join(''))

t.test('random token soup never escapes as anything but a 4xx/501 BridgeError', async (t) => {
  fc.assert(fc.property(fc.constantFrom(...SETS), tokenSoup, (set, text) => clean(() => pipeline(set, `$filter=${encodeURIComponent(text)}`))), { numRuns: 3000, seed: 42 })
  fc.assert(fc.property(fc.constantFrom(...SETS), tokenSoup, (set, text) => clean(() => pipeline(set, `$orderby=${encodeURIComponent(text)}`))), { numRuns: 1000, seed: 43 })
  fc.assert(fc.property(fc.constantFrom(...SETS), fc.string({ maxLength: 40 }), (set, text) => clean(() => pipeline(set, `$search=${encodeURIComponent(text)}&$select=${encodeURIComponent(text)}`))), { numRuns: 1000, seed: 44 })
  t.pass('3000 + 1000 + 1000 cases')
})

t.test('mutated valid filters stay clean', async (t) => {
  fc.assert(fc.property(fc.constantFrom(...SETS), mutated, (set, text) => clean(() => pipeline(set, `$filter=${encodeURIComponent(text)}`))), { numRuns: 3000, seed: 7 })
  t.pass()
})

t.test('random raw query strings (escapes, duplicates, huge numbers) stay clean', async (t) => {
  fc.assert(fc.property(percentJunk, (raw) => clean(() => pipeline(TASKS, raw))), { numRuns: 3000, seed: 9 })
  fc.assert(fc.property(fc.constantFrom('$top', '$skip', 'days', '$count'), fc.oneof(fc.bigInt().map(String), fc.double().map(String), fc.string({ maxLength: 12 })), (name, value) =>
    clean(() => pipeline(TASKS, `${name}=${encodeURIComponent(value)}`))), { numRuns: 2000, seed: 11 })
  t.pass()
})

function timed(fn: () => void): number {
  const start = performance.now()
  fn()
  return performance.now() - start
}

t.test('10,000 nested parentheses: a clean 400, quickly, no stack overflow', async (t) => {
  const unlimited = { ...DEFAULT_LIMITS, maxOptionLength: Number.MAX_SAFE_INTEGER }
  for (const [open, close] of [['(', ')'], ['not (', ')'], ['contains(', ",'x')"], ['-', ''], ['not ', '']]) {
    const text = (open as string).repeat(10_000) + "state eq 'x'" + (close as string).repeat(10_000)
    let code = ''
    const ms = timed(() => {
      try {
        parseFilter(TASKS, text, unlimited)
      } catch (err) {
        code = isBridgeError(err) ? (err as { code: string }).code : String(err)
      }
    })
    t.equal(code, 'BRIDGE_ERR_LIMIT_EXCEEDED', `${open}… → 400`)
    t.ok(ms < 1000, `${open}… took ${ms.toFixed(1)} ms`)
  }
  const url = '$filter=' + '%28'.repeat(10_000) + 'true' + '%29'.repeat(10_000)
  t.equal(fcCode(() => parseQueryOptions(TASKS, parseQueryString(url, { ...DEFAULT_LIMITS, maxQueryLength: 1e6 }))), 'BRIDGE_ERR_LIMIT_EXCEEDED', 'through the query string: the option length limit')
})

function fcCode(fn: () => unknown): string {
  try {
    fn()
    return 'ok'
  } catch (err) {
    return isBridgeError(err) ? (err as { code: string }).code : String(err)
  }
}

t.test('a 5,000-clause or chain: a clean 400 by default, a shallow tree when allowed', async (t) => {
  const text = Array.from({ length: 5000 }, (_, i) => `totalItems eq ${i}`).join(' or ')
  const unlimited = { ...DEFAULT_LIMITS, maxOptionLength: Number.MAX_SAFE_INTEGER }
  t.equal(fcCode(() => parseFilter(TASKS, text, unlimited)), 'BRIDGE_ERR_LIMIT_EXCEEDED', 'more than maxNodes')
  t.equal(fcCode(() => parseFilter(TASKS, text)), 'BRIDGE_ERR_LIMIT_EXCEEDED', 'longer than maxOptionLength')
  let expr = null as ReturnType<typeof parseFilter> | null
  const ms = timed(() => { expr = parseFilter(TASKS, text, { ...unlimited, maxNodes: 100_000 }) })
  t.ok(ms < 1000, `parsed in ${ms.toFixed(1)} ms`)
  let depth = 0
  const walk = (e: ReturnType<typeof parseFilter>, d: number): void => {
    depth = Math.max(depth, d)
    if (e.kind === 'or') { walk(e.left, d + 1); walk(e.right, d + 1) }
  }
  if (expr !== null) walk(expr, 1)
  t.ok(depth <= 14, `balanced: depth ${depth}`)
  const keep = compileFilter(expr, { now: 0 })
  t.equal(keep({ totalItems: 4999 }), true)
  t.equal(keep({ totalItems: 5000 }), false)
})

t.test('deep arithmetic chains hit the tree-height limit', async (t) => {
  t.equal(fcCode(() => parseFilter(TASKS, Array(200).fill('1').join(' add ') + ' eq 1')), 'BRIDGE_ERR_LIMIT_EXCEEDED')
  t.equal(fcCode(() => parseFilter(TASKS, Array(50).fill('1').join(' add ') + ' eq 50')), 'ok')
})
