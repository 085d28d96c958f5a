import t from 'tap'
import { isBridgeError, type BridgeError } from '../../src/errors.js'
import { AUTOMATIONS, RUNNERS, TASKS } from '../../src/model/index.js'
import { DEFAULT_LIMITS, parseOrderBy, parseSearch, parseSelect, type SearchExpr } from '../../src/odata/index.js'
import { show } from './fixtures/show.js'

function fails(fn: () => unknown): BridgeError {
  try {
    fn()
  } catch (err) {
    if (isBridgeError(err)) return err as BridgeError
    throw err
  }
  throw new Error('expected a failure')
}

t.test('$orderby: several keys, asc/desc case-insensitive, any expression', async (t) => {
  const cases: [string, string][] = [
    ['state', 'state asc'],
    ['state desc', 'state desc'],
    ['state DESC,id ASC', 'state desc|id asc'],
    ['dateCreation desc, id', 'dateCreation desc|id asc'],
    ["tolower(state) desc,length(activityLabel)", 'tolower(state) desc|length(activityLabel) asc'],
    ['totalItems sub failedItems desc', '(sub totalItems failedItems) desc'],
    ["state eq 'FINISHED' desc", "(eq state 'FINISHED') desc"],
    ['year(dateCreation),  month(dateCreation)', 'year(dateCreation) asc|month(dateCreation) asc']
  ]
  for (const [text, expected] of cases) {
    t.equal(parseOrderBy(TASKS, text).map((i) => `${show(i.expr)} ${i.descending ? 'desc' : 'asc'}`).join('|'), expected, text)
  }
  t.equal(parseOrderBy(RUNNERS, 'automations/$count desc')[0]?.descending, true)
})

t.test('$orderby errors', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['', 'BRIDGE_ERR_SYNTAX', /position 1: expected an expression/],
    ['state,', 'BRIDGE_ERR_SYNTAX', /position 7: expected an expression after ','/],
    ['state up', 'BRIDGE_ERR_SYNTAX', /position 7: expected ',' or 'asc'\/'desc'/],
    ['state desc desc', 'BRIDGE_ERR_SYNTAX', /position 12/],
    ['foo', 'BRIDGE_ERR_UNKNOWN_PROPERTY', /^Property 'foo' does not exist on type 'Task'$/],
    ['constructor desc', 'BRIDGE_ERR_UNKNOWN_PROPERTY', /constructor/]
  ]
  for (const [text, code, pattern] of cases) {
    const err = fails(() => parseOrderBy(TASKS, text))
    t.equal(err.code, code, text)
    t.match(err.message, pattern, text)
    t.equal(err.target, '$orderby')
  }
  t.equal(fails(() => parseOrderBy(RUNNERS, 'automations')).code, 'BRIDGE_ERR_TYPE_MISMATCH')
})

t.test('$select', async (t) => {
  t.same(parseSelect(TASKS, 'id,state'), ['id', 'state'])
  t.same(parseSelect(TASKS, 'state, id ,state'), ['state', 'id'], 'spaces trimmed, duplicates dropped')
  t.equal(parseSelect(TASKS, '*'), null)
  t.equal(parseSelect(TASKS, 'id,*'), null)
  t.same(parseSelect(TASKS, 'id,BotCity.Insights.*'), ['id'], 'all operations of a schema: there are none')
  t.same(parseSelect(TASKS, 'id,Automation'), ['id'], 'a navigation property selects only its (omitted) link')
  t.same(parseSelect(RUNNERS, 'automations'), ['automations'])
  t.same(parseSelect(AUTOMATIONS, 'label,roi'), ['label', 'roi'])
  const unknown = fails(() => parseSelect(TASKS, 'id,foo'))
  t.equal(unknown.code, 'BRIDGE_ERR_UNKNOWN_PROPERTY')
  t.equal(unknown.message, "Property 'foo' does not exist on type 'Task'")
  t.equal(unknown.target, '$select')
  t.match(unknown.details?.[0]?.message ?? '', /position 4/)
  for (const name of ['constructor', '__proto__', 'toString', 'ID']) t.equal(fails(() => parseSelect(TASKS, name)).code, 'BRIDGE_ERR_UNKNOWN_PROPERTY', name)
  t.equal(fails(() => parseSelect(TASKS, 'id,,state')).code, 'BRIDGE_ERR_SYNTAX')
  t.match(fails(() => parseSelect(TASKS, 'id,,state')).message, /position 4/)
  t.equal(fails(() => parseSelect(TASKS, '')).code, 'BRIDGE_ERR_SYNTAX')
  t.equal(fails(() => parseSelect(TASKS, 'state/x')).code, 'BRIDGE_ERR_NOT_IMPLEMENTED')
  t.equal(fails(() => parseSelect(TASKS, 'automations($top=1)')).code, 'BRIDGE_ERR_NOT_IMPLEMENTED')
  t.equal(fails(() => parseSelect(TASKS, 'a'.repeat(DEFAULT_LIMITS.maxOptionLength + 1))).code, 'BRIDGE_ERR_LIMIT_EXCEEDED')
})

function s(e: SearchExpr): string {
  switch (e.kind) {
    case 'term': return JSON.stringify(e.text)
    case 'not': return `(NOT ${s(e.operand)})`
    case 'and':
    case 'or': return `(${e.kind.toUpperCase()} ${s(e.left)} ${s(e.right)})`
  }
}

t.test('$search: terms, phrases, NOT > AND > OR, implicit AND', async (t) => {
  const cases: [string, string][] = [
    ['blue', '"blue"'],
    ['blue green', '(AND "blue" "green")'],
    ['blue AND green', '(AND "blue" "green")'],
    ['blue OR green', '(OR "blue" "green")'],
    ['blue OR green red', '(OR "blue" (AND "green" "red"))'],
    ['NOT blue', '(NOT "blue")'],
    ['NOT blue green', '(AND (NOT "blue") "green")'],
    ['(blue OR green) red', '(AND (OR "blue" "green") "red")'],
    ['NOT (blue OR green)', '(NOT (OR "blue" "green"))'],
    ['"dark blue" OR red', '(OR "dark blue" "red")'],
    ['"say \\"hi\\""', '"say \\"hi\\""'],
    ['and or not', '(AND (AND "and" "or") "not")'],
    ['supplier-homologation', '"supplier-homologation"'],
    ["'blue OR gr'", '"blue OR gr"'],
    ["'O''Neil'", '"O\'Neil"'],
    ['  blue\t ', '"blue"']
  ]
  for (const [text, expected] of cases) t.equal(s(parseSearch(text)), expected, text)
})

t.test('$search errors', async (t) => {
  const cases: [string, RegExp][] = [
    ['', /position 1: expected a search term/],
    ['blue OR', /position 8: expected a search term after 'OR'/],
    ['AND blue', /position 1: expected a search term, found 'AND'/],
    ['(blue', /position 6: expected '\)'/],
    ['blue)', /position 5: unbalanced '\)'/],
    ['"blue', /position 1: unterminated phrase/],
    ['""', /empty phrase/],
    ["''", /empty search text/],
    ['NOT', /expected a search term after 'NOT'/]
  ]
  for (const [text, pattern] of cases) {
    const err = fails(() => parseSearch(text))
    t.equal(err.code, 'BRIDGE_ERR_SYNTAX', text)
    t.match(err.message, pattern, text)
    t.equal(err.target, '$search')
  }
  t.equal(fails(() => parseSearch('('.repeat(200) + 'a' + ')'.repeat(200))).code, 'BRIDGE_ERR_LIMIT_EXCEEDED')
  t.equal(fails(() => parseSearch('NOT '.repeat(200) + 'a')).code, 'BRIDGE_ERR_LIMIT_EXCEEDED')
  t.equal(fails(() => parseSearch('a '.repeat(20), { ...DEFAULT_LIMITS, maxNodes: 10 })).code, 'BRIDGE_ERR_LIMIT_EXCEEDED')
  t.equal(fails(() => parseSearch('a'.repeat(DEFAULT_LIMITS.maxOptionLength + 1))).code, 'BRIDGE_ERR_LIMIT_EXCEEDED')
})
