// Round trip against an independent reference: random expressions are
// printed as OData text, parsed and compiled by the bridge, and must keep
// exactly the rows that a small tree-walking interpreter written here (from
// the spec's rules, not from src/) says are true.
import fc from 'fast-check'
import t from 'tap'
import { compileFilter, compileOrderBy } from '../../src/evaluate/index.js'
import { TASKS } from '../../src/model/index.js'
import { parseFilter, parseOrderBy } from '../../src/odata/index.js'

type Tri = boolean | null
type Row = Record<string, string | number | null>

const STRING_PROPS = ['state', 'finishStatus', 'activityLabel'] as const
const INT_PROPS = ['processedItems', 'failedItems', 'totalItems'] as const
const OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const
type Op = (typeof OPS)[number]

type G =
  | { k: 'cmp'; op: Op; prop: string; lit: string | number | null }
  | { k: 'arith'; op: Op; prop: string; arith: 'add' | 'sub' | 'mul'; n: number; lit: number | null }
  | { k: 'fn'; f: 'contains' | 'startswith' | 'endswith'; prop: string; lit: string }
  | { k: 'lower'; prop: string; lit: string }
  | { k: 'in'; prop: string; list: (string | null)[] }
  | { k: 'date'; op: Op; year: number }
  | { k: 'and' | 'or'; l: G; r: G; paren: boolean }
  | { k: 'not'; e: G }

const text = fc.stringMatching(/^[abAB' é]{0,3}$/)
const smallInt = fc.integer({ min: -3, max: 12 })

const atom: fc.Arbitrary<G> = fc.oneof(
  fc.record({ k: fc.constant('cmp' as const), op: fc.constantFrom(...OPS), prop: fc.constantFrom(...STRING_PROPS), lit: fc.option(text, { nil: null }) }),
  fc.record({ k: fc.constant('cmp' as const), op: fc.constantFrom(...OPS), prop: fc.constantFrom(...INT_PROPS), lit: fc.option(smallInt, { nil: null }) }),
  fc.record({ k: fc.constant('arith' as const), op: fc.constantFrom(...OPS), prop: fc.constantFrom(...INT_PROPS), arith: fc.constantFrom('add' as const, 'sub' as const, 'mul' as const), n: smallInt, lit: fc.option(smallInt, { nil: null }) }),
  fc.record({ k: fc.constant('fn' as const), f: fc.constantFrom('contains' as const, 'startswith' as const, 'endswith' as const), prop: fc.constantFrom(...STRING_PROPS), lit: text }),
  fc.record({ k: fc.constant('lower' as const), prop: fc.constantFrom(...STRING_PROPS), lit: text }),
  fc.record({ k: fc.constant('in' as const), prop: fc.constantFrom(...STRING_PROPS), list: fc.array(fc.option(text, { nil: null }), { minLength: 1, maxLength: 12 }) }),
  fc.record({ k: fc.constant('date' as const), op: fc.constantFrom(...OPS), year: fc.integer({ min: 2022, max: 2025 }) })
)

const expr: fc.Arbitrary<G> = fc.letrec<{ g: G }>((tie) => ({
  g: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.record({ k: fc.constantFrom('and' as const, 'or' as const), l: tie('g'), r: tie('g'), paren: fc.boolean() }),
    fc.record({ k: fc.constant('not' as const), e: tie('g') })
  )
})).g

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`
const lit = (v: string | number | null): string => (v === null ? 'null' : typeof v === 'string' ? quote(v) : String(v))

function print(g: G): string {
  switch (g.k) {
    case 'cmp': return `${g.prop} ${g.op} ${lit(g.lit)}`
    case 'arith': return `${g.prop} ${g.arith} ${g.n} ${g.op} ${lit(g.lit)}`
    case 'fn': return `${g.f}(${g.prop},${quote(g.lit)})`
    case 'lower': return `tolower(${g.prop}) eq ${quote(g.lit.toLowerCase())}`
    case 'in': return `${g.prop} in (${g.list.map(lit).join(',')})`
    case 'date': return `year(dateCreation) ${g.op} ${g.year}`
    case 'not': return `not (${print(g.e)})`
    case 'and':
    case 'or': {
      // `and` binds tighter than `or`: an `or` operand of `and` needs parentheses.
      const side = (e: G): string => (g.k === 'and' && e.k === 'or') || (g.paren && e.k !== 'not') ? `(${print(e)})` : print(e)
      return `${side(g.l)} ${g.k} ${side(g.r)}`
    }
  }
}

// The reference semantics, straight from OData 4.01 Part 2 §5.1.1.
function compare(op: Op, a: string | number | null, b: string | number | null): boolean {
  const eq = a === b
  if (op === 'eq') return eq
  if (op === 'ne') return !eq
  if (a === null || b === null) return (op === 'ge' || op === 'le') && eq
  if (op === 'gt') return a > b
  if (op === 'lt') return a < b
  if (op === 'ge') return a >= b
  return a <= b
}

function ref(g: G, row: Row): Tri {
  switch (g.k) {
    case 'cmp': return compare(g.op, row[g.prop] ?? null, g.lit)
    case 'arith': {
      const v = row[g.prop] ?? null
      const computed = v === null ? null : g.arith === 'add' ? (v as number) + g.n : g.arith === 'sub' ? (v as number) - g.n : (v as number) * g.n
      return compare(g.op, computed, g.lit)
    }
    case 'fn': {
      const v = row[g.prop] ?? null
      if (v === null) return null
      const s = v as string
      return g.f === 'contains' ? s.includes(g.lit) : g.f === 'startswith' ? s.startsWith(g.lit) : s.endsWith(g.lit)
    }
    case 'lower': {
      const v = row[g.prop] ?? null
      return compare('eq', v === null ? null : (v as string).toLowerCase(), g.lit.toLowerCase())
    }
    case 'in': return g.list.some((item) => item === (row[g.prop] ?? null))
    case 'date': return compare(g.op, new Date(row.dateCreation as number).getUTCFullYear(), g.year)
    case 'not': {
      const v = ref(g.e, row)
      return v === null ? null : !v
    }
    case 'and': {
      const [a, b] = [ref(g.l, row), ref(g.r, row)]
      return a === false || b === false ? false : a === null || b === null ? null : true
    }
    case 'or': {
      const [a, b] = [ref(g.l, row), ref(g.r, row)]
      return a === true || b === true ? true : a === null || b === null ? null : false
    }
  }
}

const rowArb: fc.Arbitrary<Row> = fc.record({
  id: fc.integer({ min: 1, max: 1e6 }),
  state: fc.option(text, { nil: null }),
  finishStatus: fc.option(text, { nil: null }),
  activityLabel: fc.option(text, { nil: null }),
  processedItems: fc.option(smallInt, { nil: null }),
  failedItems: fc.option(smallInt, { nil: null }),
  totalItems: fc.option(smallInt, { nil: null }),
  dateCreation: fc.integer({ min: Date.UTC(2022, 0, 1), max: Date.UTC(2025, 11, 31, 23, 59, 59, 999) })
})

t.test('generated filters parse and evaluate as the reference interpreter says', async (t) => {
  fc.assert(
    fc.property(expr, fc.array(rowArb, { minLength: 1, maxLength: 20 }), (g, rows) => {
      const keep = compileFilter(parseFilter(TASKS, print(g)), { now: 0 })
      for (const row of rows) {
        if (keep(row) !== (ref(g, row) === true)) return false
      }
      return true
    }),
    { numRuns: 2000, seed: 2024 }
  )
  t.pass('2000 random filters')
})

t.test('generated $orderby sorts as the reference comparator', async (t) => {
  const key = fc.record({ prop: fc.constantFrom(...STRING_PROPS, ...INT_PROPS), desc: fc.boolean() })
  fc.assert(
    fc.property(fc.array(key, { minLength: 1, maxLength: 3 }), fc.array(rowArb, { maxLength: 30 }), (keys, rows) => {
      const bridge = [...rows].sort(compileOrderBy(parseOrderBy(TASKS, keys.map((k) => `${k.prop}${k.desc ? ' desc' : ''}`).join(','))))
      const reference = [...rows].sort((a, b) => {
        for (const k of keys) {
          const [x, y] = [a[k.prop] ?? null, b[k.prop] ?? null]
          const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1
          if (c !== 0) return k.desc ? -c : c
        }
        return 0
      })
      return bridge.every((row, i) => row === reference[i])
    }),
    { numRuns: 1000, seed: 7 }
  )
  t.pass('1000 random sorts')
})

t.test('the reference test can fail: a wrong reference is caught', async (t) => {
  const wrong = (g: G, row: Row): Tri => (g.k === 'cmp' && g.op === 'ge' ? compare('gt', row[g.prop] ?? null, g.lit) : ref(g, row))
  const g: G = { k: 'cmp', op: 'ge', prop: 'totalItems', lit: 5 }
  const keep = compileFilter(parseFilter(TASKS, print(g)))
  const row: Row = { totalItems: 5, dateCreation: 0 }
  t.not(keep(row), wrong(g, row) === true)
  t.equal(keep(row), ref(g, row) === true)
})
