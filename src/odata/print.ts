// The OData text of a typed tree: what an explained plan shows of the
// $filter, $search and $orderby left to the bridge. Fully parenthesised
// (operator precedence is never in doubt); it parses back to the same tree.
import type { Expr, LiteralValue, OrderByItem, SearchExpr } from './ast.js'

function literalText(l: LiteralValue): string {
  switch (l.type) {
    case 'null': return 'null'
    case 'boolean': case 'int': return String(l.value)
    case 'decimal': return Number.isInteger(l.value) ? `${l.value}.0` : String(l.value)
    // An exponent keeps it a double when read back (0.001 would read as a decimal).
    case 'double': return Number.isNaN(l.value) ? 'NaN' : !Number.isFinite(l.value) ? (l.value > 0 ? 'INF' : '-INF') : l.value.toExponential()
    case 'string': return `'${l.value.replaceAll("'", "''")}'`
    case 'date': case 'datetimeoffset': case 'timeofday': return l.text
    case 'duration': return `duration'${l.text}'`
  }
}

export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'literal': return literalText(e)
    case 'property': case 'variable': return e.name
    case 'compare': case 'arith': return `(${exprText(e.left)} ${e.op} ${exprText(e.right)})`
    case 'and': case 'or': return `(${exprText(e.left)} ${e.kind} ${exprText(e.right)})`
    case 'not': return `(not ${exprText(e.operand)})`
    case 'negate': return `(-${exprText(e.operand)})`
    case 'in': return `(${exprText(e.left)} in (${e.list.map(exprText).join(',')}))`
    case 'call': return `${e.name}(${e.args.map(exprText).join(',')})`
    case 'lambda': return `${exprText(e.collection)}/${e.op}(${e.variable === null || e.predicate === null ? '' : `${e.variable}:${exprText(e.predicate)}`})`
  }
}

export function searchText(s: SearchExpr): string {
  switch (s.kind) {
    case 'term': return /^[^\s()"]+$/.test(s.text) && !/^(AND|OR|NOT)$/.test(s.text) ? s.text : `"${s.text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
    case 'and': case 'or': return `(${searchText(s.left)} ${s.kind.toUpperCase()} ${searchText(s.right)})`
    case 'not': return `(NOT ${searchText(s.operand)})`
  }
}

export function orderByText(items: readonly OrderByItem[]): string {
  return items.map((i) => `${exprText(i.expr)}${i.descending ? ' desc' : ''}`).join(',')
}
