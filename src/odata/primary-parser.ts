// Primary expressions: literals (ABNF primitiveLiteral), parenthesized
// expressions (parenExpr), function calls and member paths, and the right
// operand of `in` (4.01 inExpr: a parenthesized list or a collection).
import { property, type EdmPrimitive } from '../model/index.js'
import type { Expr, LiteralValue } from './ast.js'
import { parseCall } from './call-parser.js'
import { checkComparable, parseCommonExpr } from './expression-parser.js'
import { elementType, isCollection, literalType } from './expr-type.js'
import type { Token } from './lexer.js'
import { decodeDate, decodeDateTimeOffset, decodeDuration, decodeNumber, decodeTimeOfDay, type LiteralResult } from './literals.js'
import { parseDollar, parseMember } from './member-parser.js'
import type { ParserState, Typed } from './parser-state.js'

function literal(p: ParserState, result: LiteralResult, start: number, end: number): Typed {
  if ('error' in result) throw p.error('BRIDGE_ERR_INVALID_LITERAL', start, result.error)
  return p.node(result, literalType(result), start, end)
}

function typedLiteral(p: ParserState, token: Token): Typed {
  const prefix = (token.prefix ?? '').toLowerCase()
  if (prefix === 'duration') return literal(p, decodeDuration(token.text), token.start, token.end)
  if (prefix === 'binary' || prefix.startsWith('geography') || prefix.startsWith('geometry')) {
    throw p.error('BRIDGE_ERR_NOT_IMPLEMENTED', token.start, `${token.prefix ?? ''} literals are not supported: the model has no such properties`)
  }
  if (prefix === 'datetime' || prefix === 'datetimeoffset') {
    // OData v2/v3 wrote datetime'2024-01-01T00:00:00'; v4 writes the value bare, with its zone.
    const bare = /(Z|[+-]\d\d:\d\d)$/i.test(token.text) ? token.text : `${token.text}Z`
    throw p.syntax(token.start, `${token.prefix ?? ''}'…' is OData v2/v3 syntax: in OData v4 write the value without quotes and with a zone, e.g. ${bare}`)
  }
  if (prefix === 'guid' || prefix === 'time') {
    throw p.syntax(token.start, `${token.prefix ?? ''}'…' is OData v2/v3 syntax: in OData v4 write the value without the prefix and quotes`)
  }
  throw p.error('BRIDGE_ERR_TYPE_MISMATCH', token.start, `'${token.prefix ?? ''}' is not a type of this service (it declares no enumeration types)`)
}

/** A number with an optional sign written right before it (ABNF SIGN). */
function signedNumber(p: ParserState, sign: Token): Typed {
  const token = p.peek()
  const negative = sign.text === '-'
  if (token.start !== sign.end || !(token.kind === 'number' || (negative && token.kind === 'ident' && token.text === 'INF'))) {
    throw p.syntax(sign.start, `'${sign.text}' must be followed by a number`)
  }
  p.next()
  const result: LiteralResult = token.kind === 'number' ? decodeNumber(token.text, negative) : { kind: 'literal', type: 'double', value: -Infinity }
  return literal(p, result, sign.start, token.end)
}

export function parsePrimary(p: ParserState): Typed {
  const token = p.peek()
  switch (token.kind) {
    case 'eof': {
      const previous = p.previous()
      throw p.syntax(token.start, previous === undefined ? 'expected an expression' : `expected an expression after ${p.span(previous)}`)
    }
    case 'string':
      p.next()
      return literal(p, { kind: 'literal', type: 'string', value: token.text }, token.start, token.end)
    case 'number':
      p.next()
      return literal(p, decodeNumber(token.text, false), token.start, token.end)
    case 'date':
      p.next()
      return literal(p, decodeDate(token.text), token.start, token.end)
    case 'datetime':
      p.next()
      return literal(p, decodeDateTimeOffset(token.text), token.start, token.end)
    case 'time':
      p.next()
      return literal(p, decodeTimeOfDay(token.text), token.start, token.end)
    case 'typed':
      p.next()
      return typedLiteral(p, token)
    case 'alias':
      throw p.error('BRIDGE_ERR_NOT_IMPLEMENTED', token.start, `parameter aliases (${token.text}) are not supported`)
    case 'dollar':
      return parseDollar(p)
    case 'ident':
      return parseIdentifier(p, token)
    case 'punct':
      return parsePunct(p, token)
    default: {
      const never: never = token.kind
      throw new Error(`unhandled token ${String(never)}`)
    }
  }
}

/** Binary operator keywords: in operand position they mean a missing operand, not an unknown property. */
const OPERATORS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'add', 'sub', 'mul', 'div', 'divby', 'mod', 'in', 'has'])

function parseIdentifier(p: ParserState, token: Token): Typed {
  if (p.isPunct(p.peek(1), '(')) return parseCall(p)
  const lower = token.text.toLowerCase()
  const keyword: LiteralValue | null =
    lower === 'null' ? { kind: 'literal', type: 'null', value: null }
    : lower === 'true' || lower === 'false' ? { kind: 'literal', type: 'boolean', value: lower === 'true' }
    : token.text === 'INF' ? { kind: 'literal', type: 'double', value: Infinity }
    : token.text === 'NaN' ? { kind: 'literal', type: 'double', value: NaN }
    : null
  if (keyword === null) {
    const known = p.scope.some((v) => v.name === token.text) || property(p.set, token.text) !== undefined
    if (!known && OPERATORS.has(lower)) throw p.syntax(token.start, `expected an expression before the operator '${token.text}'`)
    return parseMember(p, false)
  }
  p.next()
  return literal(p, keyword, token.start, token.end)
}

function parsePunct(p: ParserState, token: Token): Typed {
  switch (token.text) {
    case '(': {
      p.next()
      p.enter(token.start)
      if (p.isPunct(p.peek(), ')')) throw p.syntax(p.peek().start, "expected an expression inside '()'")
      const inner = parseCommonExpr(p)
      const close = p.expectPunct(')', "')' or an operator")
      p.leave()
      return { ...inner, start: token.start, end: close.end }
    }
    case '-':
    case '+':
      p.next()
      return signedNumber(p, token)
    case '[':
    case '{':
      throw p.error('BRIDGE_ERR_NOT_IMPLEMENTED', token.start, 'JSON array and object literals are not supported; write a list as (a,b,c)')
    default:
      throw p.syntax(token.start, `expected an expression`)
  }
}

/** Right operand of `in` (Part 2 §5.1.1.1.11): `(v1, v2, …)` or a collection-valued expression. */
export function parseInRight(p: ParserState, left: Typed, at: number): Typed {
  if (isCollection(left.type)) throw p.error('BRIDGE_ERR_TYPE_MISMATCH', left.start, `the left operand of 'in' must be a single value, but ${p.span(left)} is ${left.type}`)
  const open = p.peek()
  if (!p.isPunct(open, '(')) {
    if (open.kind === 'eof') throw p.syntax(open.start, "expected a list '(…)' or a collection after 'in'")
    const right = parsePrimary(p)
    if (!isCollection(right.type)) {
      throw p.error('BRIDGE_ERR_TYPE_MISMATCH', right.start, `'in' needs a list '(…)' or a collection on its right, but ${p.span(right)} is ${right.type}`)
    }
    return membership(p, left, right, elementType(right.type))
  }
  p.next()
  p.enter(open.start)
  const items: Typed[] = []
  do {
    if (p.isPunct(p.peek(), ')') || p.peek().kind === 'eof') throw p.syntax(p.peek().start, "expected a value in the 'in' list")
    items.push(parseCommonExpr(p))
  } while (p.isPunct(p.peek(), ',') && p.next())
  const close = p.expectPunct(')', "',' or ')' in the 'in' list")
  p.leave()
  const only = items[0] as Typed
  if (items.length === 1 && isCollection(only.type)) return membership(p, left, only, elementType(only.type))
  for (const item of items) checkComparable(p, 'in', left, item)
  const list: Expr[] = items.map((item) => item.expr)
  return p.node({ kind: 'in', left: left.expr, list }, 'Edm.Boolean', left.start < at ? left.start : at, close.end, [left, ...items])
}

/** `x in automations` ≡ `automations/any($in: $in eq x)`; `$in` cannot clash with a client's variable name. */
function membership(p: ParserState, left: Typed, right: Typed, element: EdmPrimitive): Typed {
  const variable = p.node({ kind: 'variable', name: '$in' }, element, right.start, right.end)
  checkComparable(p, 'in', left, variable)
  const predicate = p.node({ kind: 'compare', op: 'eq', left: variable.expr, right: left.expr }, 'Edm.Boolean', left.start, right.end, [variable, left])
  return p.node(
    { kind: 'lambda', op: 'any', collection: right.expr, variable: '$in', predicate: predicate.expr },
    'Edm.Boolean', left.start, right.end, [right, predicate]
  )
}
