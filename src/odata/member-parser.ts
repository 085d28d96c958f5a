// Member paths (ABNF firstMemberExpr / memberExpr): properties resolved
// against the model only, lambda variables, `$it/…`, and the collection
// segments any/all (Part 2 §5.1.1, "Lambda Operators") and `/$count`.
import leven from 'leven'
import { bridgeError } from '../errors.js'
import { property } from '../model/index.js'
import { parseCommonExpr } from './expression-parser.js'
import { elementType, isCollection, propertyType, type ExprType } from './expr-type.js'
import type { Token } from './lexer.js'
import type { ParserState, Typed } from './parser-state.js'

/** 400 for a name the model does not define; navigation and qualified names are 501. */
function unknownMember(p: ParserState, token: Token): Error {
  const name = token.text
  if (p.set.navigation.some((n) => n.name === name)) {
    return p.error('BRIDGE_ERR_NOT_IMPLEMENTED', token.start, `navigation property '${name}' cannot be used in ${p.option}: navigation paths and $expand are not supported`)
  }
  if (name.includes('.')) {
    return p.error('BRIDGE_ERR_NOT_IMPLEMENTED', token.start, `qualified names and type casts ('${name}') are not supported`)
  }
  // Right after a comparison operator, an unknown name is most often a value written without quotes.
  const before = p.peek(-2)
  const asValue = before !== token && before.kind === 'ident' && COMPARISONS.has(before.text.toLowerCase())
  return unknownPropertyError(p.set.typeName, p.set.properties.map((d) => d.name), name, p.option, `at position ${token.start}`, asValue)
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le'])

/**
 * The names a misspelling most likely meant: the same name in another case,
 * else the nearest by edit distance (at most a third of the name's length).
 */
export function nearestNames(names: readonly string[], name: string): string[] {
  const lower = name.toLowerCase()
  const sameCase = names.filter((n) => n.toLowerCase() === lower)
  if (sameCase.length > 0) return sameCase
  const limit = Math.max(2, Math.floor(name.length / 3))
  return names.map((n) => ({ n, d: leven(n.toLowerCase(), lower) })).filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n)).slice(0, 3).map((x) => x.n)
}

/**
 * `Property 'stat' does not exist on type 'Task' (did you mean 'state'?)`; a
 * name close to none, compared with (`asValue`), may be a value written
 * without quotes. Where it stands goes in details.
 */
export function unknownPropertyError(typeName: string, names: readonly string[], name: string, option: string, where: string, asValue = false): Error {
  const near = nearestNames(names, name)
  const hint = near.length > 0
    ? ` (did you mean ${near.map((n) => `'${n}'`).join(' or ')}?${near.some((n) => n.toLowerCase() === name.toLowerCase()) ? ' names are case-sensitive' : ''})`
    : asValue ? ` (if ${name} is a value, write it in single quotes: '${name}')` : ''
  return bridgeError('BRIDGE_ERR_UNKNOWN_PROPERTY', `Property '${name}' does not exist on type '${typeName}'${hint}`, {
    target: option,
    details: [{ code: 'BRIDGE_ERR_UNKNOWN_PROPERTY', message: `${option} ${where}${hint}`, target: name }]
  })
}

/** An identifier: a lambda variable in scope (which takes precedence), else a property. */
export function parseMember(p: ParserState, viaIt: boolean): Typed {
  const token = p.next()
  const variable = viaIt ? undefined : [...p.scope].reverse().find((v) => v.name === token.text)
  if (variable !== undefined) {
    if (p.isPunct(p.peek(), '/')) {
      throw p.error('BRIDGE_ERR_TYPE_MISMATCH', token.start, `lambda variable '${token.text}' is ${variable.type} and has no members`)
    }
    return p.node({ kind: 'variable', name: token.text }, variable.type, token.start, token.end)
  }
  const def = property(p.set, token.text)
  if (def === undefined) throw unknownMember(p, token)
  const typed = p.node({ kind: 'property', name: def.name, def }, propertyType(def), token.start, token.end)
  return p.isPunct(p.peek(), '/') ? parseSegment(p, typed) : typed
}

/** `$it/prop` refers to the entity in scope; `$root` and `$this` are 501. */
export function parseDollar(p: ParserState): Typed {
  const token = p.next()
  const name = token.text.toLowerCase()
  if (name === '$it') {
    p.expectPunct('/', "'/' and a property name after $it")
    if (p.peek().kind !== 'ident') throw p.syntax(p.peek().start, `expected a property name after '$it/'`)
    return parseMember(p, true)
  }
  if (name === '$root' || name === '$this') throw p.error('BRIDGE_ERR_NOT_IMPLEMENTED', token.start, `${token.text} is not supported`)
  throw p.syntax(token.start, `unexpected '${token.text}'`)
}

function parseSegment(p: ParserState, base: Typed): Typed {
  const slash = p.next()
  const segment = p.peek()
  if (!isCollection(base.type)) {
    throw p.error('BRIDGE_ERR_TYPE_MISMATCH', slash.start, `${p.span(base)} is ${base.type} and has no members`)
  }
  if (segment.kind === 'dollar' && segment.text.toLowerCase() === '$count') {
    p.next()
    return p.node({ kind: 'call', name: 'length', args: [base.expr] }, 'Edm.Int32', base.start, segment.end, [base])
  }
  if (p.isKeyword(segment, 'any', 'all') && p.isPunct(p.peek(1), '(')) return parseLambda(p, base, elementType(base.type))
  throw p.syntax(segment.start, `expected any(…), all(…) or $count after ${p.span(base)}/`)
}

// anyExpr = 'any' OPEN BWS [ lambdaVariableExpr BWS COLON BWS lambdaPredicateExpr ] BWS CLOSE
// allExpr = 'all' OPEN BWS   lambdaVariableExpr BWS COLON BWS lambdaPredicateExpr   BWS CLOSE
function parseLambda(p: ParserState, collection: Typed, element: ExprType): Typed {
  const op = p.next().text.toLowerCase() as 'any' | 'all'
  const open = p.next()
  if (op === 'any' && p.isPunct(p.peek(), ')')) {
    const close = p.next()
    return p.node({ kind: 'lambda', op, collection: collection.expr, variable: null, predicate: null }, 'Edm.Boolean', collection.start, close.end, [collection])
  }
  const variable = p.next()
  if (variable.kind !== 'ident' || variable.text.includes('.')) {
    throw p.syntax(variable.start, `expected a lambda variable name after '${op}('`)
  }
  if (p.scope.some((v) => v.name === variable.text)) throw p.syntax(variable.start, `lambda variable '${variable.text}' is already in use`)
  p.expectPunct(':', `':' after the lambda variable '${variable.text}'`)
  if (p.isPunct(p.peek(), ')') || p.peek().kind === 'eof') throw p.syntax(p.peek().start, `expected a Boolean expression after '${variable.text}:'`)
  p.enter(open.start)
  p.scope.push({ name: variable.text, type: element })
  const predicate = parseCommonExpr(p)
  p.scope.pop()
  p.leave()
  if (predicate.type !== 'Edm.Boolean' && predicate.type !== 'null') {
    throw p.error('BRIDGE_ERR_TYPE_MISMATCH', predicate.start, `the ${op}() predicate must be Boolean, but ${p.span(predicate)} is ${predicate.type}`)
  }
  const close = p.expectPunct(')', `')' to close ${op}(…)`)
  return p.node(
    { kind: 'lambda', op, collection: collection.expr, variable: variable.text, predicate: predicate.expr },
    'Edm.Boolean', collection.start, close.end, [collection, predicate]
  )
}
