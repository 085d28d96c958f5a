import t from 'tap'
import { isBridgeError } from '../../src/errors.js'
import { compileFilter } from '../../src/evaluate/index.js'
import { AUTOMATIONS, RUNNERS, TASKS, property, type EntitySetDef, type PropertyDef, type Row } from '../../src/model/index.js'
import { allOf, equals, includes, literal, oneOf, parseFilter, type Expr } from '../../src/odata/index.js'
import { AUTOMATION_ROWS, RUNNER_ROWS, TASK_ROWS } from './fixtures/rows.js'

const NOW = Date.parse('2024-02-15T00:00:00Z')

function matching(set: EntitySetDef, rows: readonly Row[], filter: string): unknown[] {
  const keep = compileFilter(parseFilter(set, filter), { now: NOW })
  return rows.filter((row) => keep(row)).map((row) => row[set.key])
}

// [filter, ids of the matching Tasks]
const TASK_CASES: [string, number[]][] = [
  // comparisons and null (Part 2 §5.1.1.1.1–6)
  ["state eq 'FINISHED'", [1, 3]],
  ["state ne 'FINISHED'", [2, 4, 5]],
  ["'FINISHED' eq state", [1, 3]],
  ['finishStatus eq null', [2, 4, 5]],
  ['finishStatus ne null', [1, 3]],
  ['null eq finishStatus', [2, 4, 5]],
  ['totalItems gt 10', [1, 5]],
  ['totalItems ge 12', [1, 5]],
  ['totalItems lt 7', [3]],
  ['totalItems le 7', [3, 4]],
  ['10 lt totalItems', [1, 5]],
  ['totalItems ne 5', [1, 2, 4, 5]],
  ['totalItems eq null', [2]],
  ['failedItems gt null', []],
  ['failedItems lt null', []],
  ['failedItems ge null', [2, 5]],
  ['failedItems le null', [2, 5]],
  ['null eq null', [1, 2, 3, 4, 5]],
  ['processedItems eq failedItems', [2]],
  ['processedItems gt failedItems', [1, 4]],
  ['processedItems ge failedItems', [1, 2, 4]],
  ['true', [1, 2, 3, 4, 5]],
  ['false', []],
  ['(totalItems gt 10) eq false', [2, 3, 4]],
  // logic, including three-valued and/or/not (Part 2 §5.1.1.1.7–9)
  ["state eq 'FINISHED' and totalItems gt 10", [1]],
  ["state eq 'FINISHED' or totalItems gt 10", [1, 3, 5]],
  ['not (totalItems gt 10)', [2, 3, 4]],
  ["contains(finishStatus,'SUCC')", [1]],
  ["not contains(finishStatus,'SUCC')", [3]],
  ["contains(finishStatus,'SUCC') or state eq 'START'", [1, 5]],
  ["not (contains(finishStatus,'SUCC') or state eq 'START')", [3]],
  ["contains(finishStatus,'X') and state eq 'RUNNING'", []],
  ["not (contains(finishStatus,'X') and state eq 'RUNNING')", [1, 3, 4, 5]],
  ["not (contains(finishStatus,'X') or state ne 'RUNNING')", []],
  ["contains(finishStatus,'X') eq null", [2, 4, 5]],
  // strings: ordinal, case-sensitive functions
  ["activityLabel gt 'a'", [1, 5]],
  ["activityLabel lt 'B'", [4]],
  ["activityLabel eq 'O''Neil bot'", [2]],
  ["contains(activityLabel,'bot')", [2]],
  ["contains(tolower(activityLabel),'bot')", [2, 3]],
  ["startswith(activityLabel,'sup')", [1]],
  ["endswith(activityLabel,'Ä')", [3]],
  ['length(activityLabel) eq 5', [3]],
  ["indexof(activityLabel,'bc') eq 1", [5]],
  ["indexof(activityLabel,'zz') eq -1", [1, 2, 3, 4, 5]],
  ["substring(activityLabel,1) eq 'bc'", [5]],
  ["substring(activityLabel,0,3) eq 'sup'", [1]],
  ["substring(activityLabel,-3) eq 'abc'", [5]],
  ["substring(activityLabel,-30) eq 'abc'", [5]],
  ["substring(activityLabel,100) eq ''", [1, 2, 3, 4, 5]],
  ["substring(activityLabel,1,100) eq 'bc'", [5]],
  ["trim(activityLabel) eq 'padded'", [4]],
  ["toupper(activityLabel) eq 'BOT-Ä'", [3]],
  ["concat(state,concat('-',machineId)) eq 'FINISHED-vm01'", [1]],
  ["contains(activityLabel,'')", [1, 2, 3, 4, 5]],
  // dates and times: instants in UTC
  ['year(dateCreation) eq 2024', [1, 2, 4, 5]],
  ['month(dateCreation) eq 2', [2]],
  ['day(dateCreation) eq 29', [2]],
  ['day(dateCreation) eq 31', [1, 3]],
  ['hour(dateCreation) eq 23', [1, 3]],
  ['minute(dateCreation) eq 59', [3]],
  ['second(dateCreation) eq 59', [3]],
  ['fractionalseconds(dateCreation) gt 0.2', [2, 3]],
  ['date(dateCreation) eq 2024-01-31', [1]],
  ['time(dateCreation) eq 12:00:00.25', [2]],
  ['time(dateCreation) lt 00:00:01', [4, 5]],
  ['hour(12:30:00) eq 12 and minute(12:30:00) eq 30 and second(12:30:15) eq 15', [1, 2, 3, 4, 5]],
  ['dateCreation ge 2024-01-31', [1, 2, 4]],
  ['dateCreation lt 2024-01-01T00:00:00Z', [3]],
  ['dateCreation ge 2024-01-01T00:00:00+01:00', [1, 2, 3, 4, 5]],
  ['dateCreation eq 2024-01-01T00:00:00Z', [5]],
  ['dateCreation eq 2024-01-01T01:00:00+01:00', [5]],
  ['dateCreation eq 2023-12-31T18:29:59.999-05:30', [3]],
  ['dateCreation gt 2023-12-31T23:59:59.9985Z', [1, 2, 3, 4, 5]],
  ['dateCreation lt 2023-12-31T23:59:59.9995Z', [3]],
  ['dateCreation eq 2023-12-31T23:59:59.9990001Z', []],
  ['dateCreation lt 2023-12-31T23:59:59.9990001Z', [3]],
  ['dateCreation ge 2023-12-31T23:59:59.9990001Z', [1, 2, 4, 5]],
  ['dateCreation lt now()', [1, 3, 5]],
  ['dateCreation gt mindatetime() and dateCreation lt maxdatetime()', [1, 2, 3, 4, 5]],
  ["dateStartRunning sub dateCreation eq duration'PT1M'", [1]],
  ["dateStartRunning sub dateCreation lt 'PT1S'", [3]],
  ["dateCreation add duration'P1D' ge 2024-03-01T00:00:00Z", [2, 4]],
  ["dateCreation sub duration'PT30M' lt 2024-01-31T23:00:01Z", [1, 3, 5]],
  ["now() sub dateCreation gt duration'P30D'", [3, 5]],
  ["2024-03-01 sub duration'PT1H' eq 2024-02-29", [1, 2, 3, 4, 5]],
  ["2024-03-01 add duration'PT23H' eq 2024-03-01", [1, 2, 3, 4, 5]],
  ["2024-03-01 sub 2024-02-28 eq duration'P2D'", [1, 2, 3, 4, 5]],
  ["date(dateCreation) sub 2024-01-01 eq duration'P30D'", [1]],
  ["duration'PT1H' add duration'PT30M' eq duration'PT90M'", [1, 2, 3, 4, 5]],
  ["duration'PT1H' mul 2 eq duration'PT2H' and 2 mul duration'PT1H' eq duration'PT2H'", [1, 2, 3, 4, 5]],
  ["duration'PT1H' div 2 eq duration'PT30M' and -duration'PT1H' lt duration'PT0S'", [1, 2, 3, 4, 5]],
  ["totalseconds(duration'PT1M30.5S') eq 90.5", [1, 2, 3, 4, 5]],
  ['totaloffsetminutes(dateCreation) eq 0', [1, 2, 3, 4, 5]],
  ['totaloffsetminutes(2024-01-01T00:00:00-05:30) eq -330', [1, 2, 3, 4, 5]],
  ['fractionalseconds(2024-01-01T00:00:00.5Z) eq 0.5', [1, 2, 3, 4, 5]],
  // arithmetic (Part 2 §5.1.1.2)
  ['processedItems add failedItems eq totalItems', [1, 2, 3, 4]], // row 2: null add null is null, and null eq null
  ['totalItems sub processedItems gt 1', [1, 3, 5]],
  ['totalItems mul 2 eq 40', [5]],
  ['totalItems div 3 eq 4', [1]],
  ['totalItems div 3 eq 6', [5]],
  ['-totalItems div 3 eq -6', [5]],
  ['totalItems divby 8 eq 2.5', [5]],
  ['totalItems mod 5 eq 0', [3, 5]],
  ['-7 mod 3 eq -1', [1, 2, 3, 4, 5]],
  ['-totalItems lt -10', [1, 5]],
  ['(totalItems add 2) eq null', [2]],
  ['round(totalItems divby 8) eq 3', [5]],
  ['round(-2.5) eq -3 and round(2.5) eq 3 and round(-2.4) eq -2', [1, 2, 3, 4, 5]],
  ['floor(totalItems divby 8) eq 1', [1]],
  ['ceiling(totalItems divby 8) eq 1', [3, 4]],
  ['1.5 add 1 eq 2.5 and 1e1 eq 10', [1, 2, 3, 4, 5]],
  // in (4.01)
  ["state in ('START','CANCELED')", [4, 5]],
  ["finishStatus in ('FAILED', null)", [2, 3, 4, 5]],
  ['totalItems in (5,7,12)', [1, 3, 4]],
  ['id in (1,3,5,7,9,11,13,15,17,19)', [1, 3, 5]],
  ["finishStatus in (null,'a','b','c','d','e','f','g','h')", [2, 4, 5]],
  ['totalItems in (processedItems, 20)', [2, 4, 5]], // row 2: null in (null, 20)
  ['dateCreation in (2024-01-01, 2024-03-01)', [4, 5]]
]

t.test('Tasks: each filter keeps exactly the expected rows', async (t) => {
  for (const [filter, ids] of TASK_CASES) t.same(matching(TASKS, TASK_ROWS, filter), ids, filter)
})

t.test('Runners: lambdas, in on a collection, /$count', async (t) => {
  const cases: [string, string[]][] = [
    ["automations/any(a: a eq 'abc')", ['vm01', 'vm03']],
    ['automations/any()', ['vm01', 'vm03']],
    ['not automations/any()', ['vm02']],
    ["automations/all(a: a eq 'abc')", ['vm02', 'vm03']],
    ["'abc' in automations", ['vm01', 'vm03']],
    ["not ('abc' in automations)", ['vm02']],
    ['id in automations', []],
    ['automations/$count eq 2', ['vm01']],
    ['length(automations) eq 0', ['vm02']],
    ["automations/any(a: startswith(a, 'sup'))", ['vm01']],
    ['automations/any(a: automations/any(b: a ne b))', ['vm01']],
    ["automations/any(a: a eq 'abc' and tasks gt 5)", ['vm01']],
    ["automations/all(a: contains(a, status))", ['vm02']],
    ['utilizationRate gt 1', ['vm03']],
    ['tasks eq 0', ['vm03']],
    ["contains(status,'LINE')", ['vm01', 'vm03']]
  ]
  for (const [filter, ids] of cases) t.same(matching(RUNNERS, RUNNER_ROWS, filter), ids, filter)
})

t.test('Doubles: INF, -INF, NaN and divby', async (t) => {
  const cases: [string, string[]][] = [
    ['roi div 0 eq INF', ['A']],
    ['roi div 0 eq -INF', ['C']],
    ['roi div 0 ne roi div 0', ['D']],
    ['roi eq NaN', []],
    ['roi ne NaN', ['A', 'B', 'C', 'D']],
    ['taskCount divby 0 gt 0', ['A', 'D']],
    ['taskCount divby 0 ne taskCount divby 0', ['C']],
    ['round(roi) eq -3', ['C']],
    ['round(roi) eq 2', ['A']],
    ['roi lt INF and roi gt -INF', ['A', 'C', 'D']],
    ['date ge 2023-05-02', ['C', 'D']]
  ]
  for (const [filter, ids] of cases) t.same(matching(AUTOMATIONS, AUTOMATION_ROWS, filter), ids, filter)
})

t.test('integer div/mod by zero at run time fails the request with a 400 (Part 2 §5.1.1.2.5)', async (t) => {
  for (const filter of ['totalItems div failedItems gt 1', 'totalItems mod failedItems eq 0', 'totalItems divby 1.0 div failedItems gt 1']) {
    const keep = compileFilter(parseFilter(TASKS, filter), { now: NOW })
    t.throws(() => TASK_ROWS.forEach((row) => keep(row)), { code: 'BRIDGE_ERR_INVALID_OPTION_VALUE', statusCode: 400, target: '$filter' }, filter)
  }
  const roi = compileFilter(parseFilter(AUTOMATIONS, 'taskCount mod taskCount eq 0'))
  t.throws(() => AUTOMATION_ROWS.forEach((row) => roi(row)), { code: 'BRIDGE_ERR_INVALID_OPTION_VALUE' })
  const sub = compileFilter(parseFilter(TASKS, "substring(activityLabel, 0, -failedItems) eq 'x'"))
  t.throws(() => TASK_ROWS.forEach((row) => sub(row)), { code: 'BRIDGE_ERR_INVALID_OPTION_VALUE' })
})

t.test('compiles hand-built trees (as the planner makes them) and checks them', async (t) => {
  const def = property(TASKS, 'id') as PropertyDef
  t.same(TASK_ROWS.filter(compileFilter(equals(def, 3))).map((r) => r.id), [3])
  t.same(TASK_ROWS.filter(compileFilter(allOf(equals(def, 3), null, oneOf(def, [2, 3])))).map((r) => r.id), [3])
  t.same(TASK_ROWS.filter(compileFilter(oneOf(def, []))).map((r) => r.id), [])
  t.equal(compileFilter(null)({}), true)
  t.equal(compileFilter(literal(null))({}), false)
  const automations = property(RUNNERS, 'automations') as PropertyDef
  const first = RUNNER_ROWS.find((r) => r.automations.length > 0) as Row
  const label = (first.automations as readonly string[])[0] as string
  t.ok(compileFilter(includes(automations, label))(first), 'any() over a collection built by hand')
  // The evaluator takes types from the nodes: a tree breaking the typing rules is the bridge's own error.
  const bad = (e: Expr): string => {
    try {
      compileFilter(e)
      return 'ok'
    } catch (err) {
      return isBridgeError(err) ? (err as { code: string }).code : String(err)
    }
  }
  const str = literal('x')
  t.equal(bad(str), 'BRIDGE_ERR_TYPE_MISMATCH', 'a $filter that is not Boolean')
  t.equal(bad({ kind: 'and', left: str, right: str, edmType: 'Edm.Boolean' }), 'BRIDGE_ERR_INTERNAL')
  t.equal(bad({ kind: 'not', operand: str, edmType: 'Edm.Boolean' }), 'BRIDGE_ERR_INTERNAL')
  t.equal(bad({ kind: 'compare', op: 'eq', left: { kind: 'call', name: 'nope', args: [], edmType: 'Edm.String' }, right: str, edmType: 'Edm.Boolean' }), 'BRIDGE_ERR_INTERNAL')
  t.equal(bad({ kind: 'compare', op: 'eq', left: { kind: 'variable', name: 'a', edmType: 'Edm.String' }, right: str, edmType: 'Edm.Boolean' }), 'BRIDGE_ERR_INTERNAL')
  t.equal(bad({ kind: 'lambda', op: 'any', collection: str, variable: null, predicate: null, edmType: 'Edm.Boolean' }), 'BRIDGE_ERR_INTERNAL')
})

t.test('the parser types every node once; the evaluator follows those types', async (t) => {
  const typeOf = (set: EntitySetDef, filter: string): Expr => parseFilter(set, filter)
  const cmp = typeOf(TASKS, 'processedItems div 2 add 1 gt 0')
  t.equal(cmp.edmType, 'Edm.Boolean')
  const left = (cmp as Extract<Expr, { kind: 'compare' }>).left
  t.equal(left.edmType, 'Edm.Int32', 'Int32 div Int32 add Int32 is Int32')
  t.equal((left as Extract<Expr, { kind: 'arith' }>).left.edmType, 'Edm.Int32')
  const dates = typeOf(TASKS, 'dateCreation sub duration\'P1D\' lt now()') as Extract<Expr, { kind: 'compare' }>
  t.equal(dates.left.edmType, 'Edm.DateTimeOffset')
  t.equal(dates.right.edmType, 'Edm.DateTimeOffset')
  const lambda = typeOf(RUNNERS, "automations/any(a: a eq 'x')") as Extract<Expr, { kind: 'lambda' }>
  t.equal(lambda.collection.edmType, 'Collection(Edm.String)')
  t.equal((lambda.predicate as Extract<Expr, { kind: 'compare' }>).left.edmType, 'Edm.String', 'the lambda variable has the element type')
  // Integer division truncates because the node says Int32: the same tree typed Edm.Double divides exactly.
  const div = (left as Extract<Expr, { kind: 'arith' }>).left as Extract<Expr, { kind: 'arith' }>
  const row = { processedItems: 5 } as Row
  const asIs = compileFilter({ kind: 'compare', op: 'eq', left: div, right: literal(2), edmType: 'Edm.Boolean' })
  const asDouble = compileFilter({ kind: 'compare', op: 'eq', left: { ...div, edmType: 'Edm.Double' }, right: literal(2.5), edmType: 'Edm.Boolean' })
  t.equal(asIs(row), true, '5 div 2 is 2 for Int32')
  t.equal(asDouble(row), true, '5 div 2 is 2.5 for Edm.Double')
})

t.test('now() is fixed at compile time', async (t) => {
  const before = Date.now()
  const keep = compileFilter(parseFilter(TASKS, 'now() ge dateCreation'))
  t.equal(keep({ dateCreation: before }), true)
  t.equal(keep({ dateCreation: before + 60_000 }), false)
  const fixed = compileFilter(parseFilter(TASKS, 'now() eq 2024-02-15T00:00:00Z'), { now: NOW })
  t.equal(fixed({}), true)
})

t.test('missing properties count as null', async (t) => {
  const keep = compileFilter(parseFilter(TASKS, 'finishStatus eq null and totalItems ne 3'))
  t.equal(keep({}), true)
  t.equal(compileFilter(parseFilter(TASKS, 'totalItems ge 0'))({}), false)
})
