// Entry points for the expression-valued options: $filter (ABNF
// `filter = '$filter' EQ boolCommonExpr`) and $orderby (ABNF
// `orderby = '$orderby' EQ orderbyItem *( COMMA orderbyItem )`).
import type { EntitySetDef } from '../model/index.js'
import type { Expr, OrderByItem } from './ast.js'
import { parseCommonExpr } from './expression-parser.js'
import { isCollection } from './expr-type.js'
import { DEFAULT_LIMITS, type ParseLimits } from './limits.js'
import { ParserState } from './parser-state.js'

function expectEnd(p: ParserState, what: string): void {
  const token = p.peek()
  if (token.kind !== 'eof') {
    const reason = p.isPunct(token, ')') ? "unbalanced ')'" : `expected ${what}`
    throw p.syntax(token.start, reason)
  }
}

/** Parses and type-checks a $filter value; the result is Boolean-valued. */
export function parseFilter(set: EntitySetDef, text: string, limits: ParseLimits = DEFAULT_LIMITS, option = '$filter'): Expr {
  const p = new ParserState(text, option, set, limits)
  const typed = parseCommonExpr(p)
  expectEnd(p, "an operator such as 'and', 'or', 'eq' or the end of the expression")
  if (typed.type !== 'Edm.Boolean') {
    throw p.error('BRIDGE_ERR_TYPE_MISMATCH', typed.start, `${option} must be a Boolean expression, but ${p.span(typed)} is ${typed.type}`)
  }
  return typed.expr
}

/** Parses $orderby: comma-separated expressions, each optionally followed by asc or desc (case-insensitive in 4.01). */
export function parseOrderBy(set: EntitySetDef, text: string, limits: ParseLimits = DEFAULT_LIMITS, option = '$orderby'): OrderByItem[] {
  const p = new ParserState(text, option, set, limits)
  const items: OrderByItem[] = []
  while (true) {
    const typed = parseCommonExpr(p)
    if (isCollection(typed.type)) {
      throw p.error('BRIDGE_ERR_TYPE_MISMATCH', typed.start, `cannot order by collection-valued ${p.span(typed)}; use length(…) or /$count`)
    }
    let descending = false
    if (p.isKeyword(p.peek(), 'asc', 'desc')) descending = p.next().text.toLowerCase() === 'desc'
    items.push({ expr: typed.expr, descending })
    if (!p.isPunct(p.peek(), ',')) break
    p.next()
  }
  expectEnd(p, "',' or 'asc'/'desc' after an $orderby item")
  return items
}
