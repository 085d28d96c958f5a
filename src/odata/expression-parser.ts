// Operators of the common expression syntax, by precedence (OData 4.01 Part 2
// §5.1.1 "Operator Precedence", lowest first): or, and, eq/ne,
// gt/ge/lt/le, add/sub, mul/div/divby/mod, unary - and not, then the primary
// operators in/has. Recursion happens only for nesting (counted against
// maxDepth); chains of one precedence are loops, and and/or chains become
// balanced trees so a 5,000-clause `or` stays shallow.
import type { ArithOp, CompareOp, Expr } from './ast.js'
import { arithType, comparable, isCollection, negateType } from './expr-type.js'
import { decodeDuration } from './literals.js'
import type { ParserState, Typed } from './parser-state.js'
import { parseInRight, parsePrimary } from './primary-parser.js'

/** commonExpr / boolCommonExpr: a full expression at the lowest precedence. */
export function parseCommonExpr(p: ParserState): Typed {
  return parseLogical(p, 'or')
}

function requireBoolean(p: ParserState, op: string, operand: Typed): void {
  if (operand.type !== 'Edm.Boolean' && operand.type !== 'null') {
    throw p.error('BRIDGE_ERR_TYPE_MISMATCH', operand.start, `'${op}' needs Boolean operands, but ${p.span(operand)} is ${operand.type}`)
  }
}

// andExpr / orExpr (Part 2 §5.1.1.1.7–8); and/or are associative under the
// three-valued logic, so the chain is rebuilt as a balanced tree.
function parseLogical(p: ParserState, op: 'or' | 'and'): Typed {
  const operand = (): Typed => (op === 'or' ? parseLogical(p, 'and') : parseEquality(p))
  const items = [operand()]
  while (p.isKeyword(p.peek(), op)) {
    p.next()
    items.push(expectOperand(p, op, operand))
  }
  if (items.length === 1) return items[0] as Typed
  for (const item of items) requireBoolean(p, op, item)
  const build = (lo: number, hi: number): Typed => {
    if (hi - lo === 1) return items[lo] as Typed
    const mid = lo + Math.ceil((hi - lo) / 2)
    const left = build(lo, mid)
    const right = build(mid, hi)
    return p.node({ kind: op, left: left.expr, right: right.expr }, 'Edm.Boolean', left.start, right.end, [left, right])
  }
  return build(0, items.length)
}

/** Parses the right operand of `op`, with a clear message when it is missing. */
function expectOperand(p: ParserState, op: string, parse: () => Typed): Typed {
  const token = p.peek()
  if (token.kind === 'eof' || p.isPunct(token, ')') || p.isPunct(token, ',')) {
    throw p.syntax(token.start, `expected an expression after '${op}'`)
  }
  return parse()
}

const EQUALITY = ['eq', 'ne']
const RELATIONAL = ['gt', 'ge', 'lt', 'le']

function parseEquality(p: ParserState): Typed {
  let left = parseRelational(p)
  while (p.isKeyword(p.peek(), ...EQUALITY)) {
    const op = p.next().text.toLowerCase() as CompareOp
    left = compare(p, op, left, expectOperand(p, op, () => parseRelational(p)))
  }
  return left
}

function parseRelational(p: ParserState): Typed {
  let left = parseAdditive(p)
  while (true) {
    const token = p.peek()
    if (p.isKeyword(token, 'isof')) throw p.error('BRIDGE_ERR_NOT_IMPLEMENTED', token.start, 'type tests (isof) are not supported')
    if (!p.isKeyword(token, ...RELATIONAL)) return left
    const op = p.next().text.toLowerCase() as CompareOp
    left = compare(p, op, left, expectOperand(p, op, () => parseAdditive(p)))
  }
}

/** 4.01: duration literals may omit the `duration` prefix, so a string literal next to a Duration is one. */
function coerceDuration(p: ParserState, other: Typed, operand: Typed): Typed {
  if (other.type !== 'Edm.Duration' || operand.expr.kind !== 'literal' || operand.expr.type !== 'string') return operand
  const decoded = decodeDuration(operand.expr.value)
  if ('error' in decoded) throw p.error('BRIDGE_ERR_INVALID_LITERAL', operand.start, decoded.error)
  return { ...operand, expr: { ...decoded, edmType: 'Edm.Duration' }, type: 'Edm.Duration' }
}

export function checkComparable(p: ParserState, op: string, left: Typed, right: Typed): void {
  if (comparable(left.type, right.type)) return
  const collection = isCollection(left.type) ? left : isCollection(right.type) ? right : null
  const reason = collection === null
    ? `'${op}' cannot compare ${left.type} with ${right.type} (${p.span({ start: left.start, end: right.end })})`
    : `collection-valued ${p.span(collection)} can only be used with any/all, in or length()`
  throw p.error('BRIDGE_ERR_TYPE_MISMATCH', left.start, reason)
}

function compare(p: ParserState, op: CompareOp, l: Typed, r: Typed): Typed {
  const left = coerceDuration(p, r, l)
  const right = coerceDuration(p, l, r)
  checkComparable(p, op, left, right)
  return p.node({ kind: 'compare', op, left: left.expr, right: right.expr }, 'Edm.Boolean', left.start, right.end, [left, right])
}

function arith(p: ParserState, op: ArithOp, l: Typed, r: Typed): Typed {
  const left = coerceDuration(p, r, l)
  const right = coerceDuration(p, l, r)
  const type = arithType(op, left.type, right.type)
  if (typeof type === 'object') throw p.error('BRIDGE_ERR_TYPE_MISMATCH', left.start, `${type.error} (${p.span({ start: left.start, end: right.end })})`)
  const divisor = right.expr
  const integerOrDecimal = type !== 'Edm.Double' && type !== 'null' && op !== 'divby'
  if ((op === 'mod' || (op === 'div' && integerOrDecimal)) && divisor.kind === 'literal' && divisor.value === 0) {
    throw p.error('BRIDGE_ERR_TYPE_MISMATCH', right.start, `'${op}' by zero fails for ${type} operands (use divby, or a Double operand)`)
  }
  return p.node({ kind: 'arith', op, left: left.expr, right: right.expr }, type, left.start, right.end, [left, right])
}

function parseAdditive(p: ParserState): Typed {
  let left = parseMultiplicative(p)
  while (p.isKeyword(p.peek(), 'add', 'sub')) {
    const op = p.next().text.toLowerCase() as ArithOp
    left = arith(p, op, left, expectOperand(p, op, () => parseMultiplicative(p)))
  }
  return left
}

function parseMultiplicative(p: ParserState): Typed {
  let left = parseUnary(p)
  while (p.isKeyword(p.peek(), 'mul', 'div', 'divby', 'mod')) {
    const op = p.next().text.toLowerCase() as ArithOp
    left = arith(p, op, left, expectOperand(p, op, () => parseUnary(p)))
  }
  return left
}

/** negateExpr / notExpr (unary, above multiplicative in the precedence table). */
function parseUnary(p: ParserState): Typed {
  const token = p.peek()
  const isNot = p.isKeyword(token, 'not') && (p.peek(1).spaced || p.isPunct(p.peek(1), '(') || p.peek(1).kind === 'eof')
  if (!isNot && !p.isPunct(token, '-')) return parsePostfix(p)
  const after = p.peek(1)
  if (!isNot && after.start === token.end && (after.kind === 'number' || (after.kind === 'ident' && after.text === 'INF'))) {
    return parsePostfix(p) // a signed numeric literal, read by parsePrimary
  }
  p.next()
  p.enter(token.start)
  const operand = expectOperand(p, isNot ? 'not' : '-', () => parseUnary(p))
  p.leave()
  if (isNot) {
    if (operand.type !== 'Edm.Boolean' && operand.type !== 'null') {
      throw p.error('BRIDGE_ERR_TYPE_MISMATCH', token.start, `'not' needs a Boolean operand, but ${p.span(operand)} is ${operand.type} (not binds tighter than eq: write not (a eq b))`)
    }
    return p.node({ kind: 'not', operand: operand.expr }, 'Edm.Boolean', token.start, operand.end, [operand])
  }
  const type = negateType(operand.type)
  if (typeof type === 'object') throw p.error('BRIDGE_ERR_TYPE_MISMATCH', token.start, type.error)
  const e = operand.expr
  if (e.kind === 'literal' && (e.type === 'int' || e.type === 'decimal' || e.type === 'double' || e.type === 'duration')) {
    // Fold `- 5` into the literal -5 so the planner sees a plain literal.
    const folded: Expr = { ...e, value: e.value === 0 ? 0 : -e.value }
    return { ...operand, expr: folded, start: token.start }
  }
  return p.node({ kind: 'negate', operand: e }, type, token.start, operand.end, [operand])
}

/** Primary operators: `in` and `has` bind tightest (Part 2 §5.1.1 "Operator Precedence"). */
function parsePostfix(p: ParserState): Typed {
  let left = parsePrimary(p)
  while (true) {
    const token = p.peek()
    if (p.isKeyword(token, 'has')) {
      throw p.error('BRIDGE_ERR_TYPE_MISMATCH', token.start, "'has' tests enumeration flags, and this service declares no enumeration types (state, status and finishStatus are Edm.String): use eq or in")
    }
    if (!p.isKeyword(token, 'in')) return left
    p.next()
    left = parseInRight(p, left, token.start)
  }
}
