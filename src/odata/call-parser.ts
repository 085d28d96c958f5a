// Canonical function calls (ABNF methodCallExpr / boolMethodCallExpr),
// type-checked against the signatures in functions.ts.
import type { Expr } from './ast.js'
import { parseCommonExpr } from './expression-parser.js'
import { FUNCTION_NAMES, FUNCTIONS, lookupFunction, UNSUPPORTED_FUNCTIONS, type FunctionName } from './functions.js'
import type { ParserState, Typed } from './parser-state.js'

/**
 * Part 2 §5.1.1, "Date and Time Functions": a service that normalizes DateTimeOffset values to UTC
 * MUST fail these functions for literals written in another offset.
 */
const ZONE_SENSITIVE = new Set<FunctionName>(['year', 'month', 'day', 'hour', 'minute', 'date', 'time'])

function unknownFunction(p: ParserState, name: string, start: number): Error {
  const lower = name.toLowerCase()
  const why = UNSUPPORTED_FUNCTIONS.get(lower)
  if (why !== undefined) return p.error('BRIDGE_ERR_NOT_IMPLEMENTED', start, `${name}() is not supported: ${why}`)
  if (lower === 'any' || lower === 'all') {
    return p.syntax(start, `${lower}() must follow a collection, e.g. automations/${lower}(a: a eq 'x')`)
  }
  if (name.includes('.')) return p.error('BRIDGE_ERR_NOT_IMPLEMENTED', start, `custom functions ('${name}') are not supported`)
  return p.syntax(start, `unknown function '${name}'; the supported functions are ${FUNCTION_NAMES.join(', ')}`)
}

function checkArguments(p: ParserState, name: FunctionName, args: readonly Typed[], start: number): void {
  const first = args[0]
  if (ZONE_SENSITIVE.has(name) && first?.expr.kind === 'literal' && first.expr.type === 'datetimeoffset' && first.expr.offsetMinutes !== 0) {
    throw p.error('BRIDGE_ERR_INVALID_LITERAL', first.start, `${name}() of a DateTimeOffset literal needs the literal in UTC (Z): the bridge evaluates date parts in UTC`)
  }
  const length = args[2]?.expr
  if (name === 'substring' && length?.kind === 'literal' && typeof length.value === 'number' && length.value < 0) {
    throw p.error('BRIDGE_ERR_INVALID_LITERAL', args[2]?.start ?? start, 'the length argument of substring() must not be negative')
  }
}

export function parseCall(p: ParserState): Typed {
  const nameToken = p.next()
  const open = p.next()
  const name = lookupFunction(nameToken.text)
  if (name === undefined) throw unknownFunction(p, nameToken.text, nameToken.start)
  const signature = FUNCTIONS[name]
  p.enter(open.start)
  const args: Typed[] = []
  if (!p.isPunct(p.peek(), ')')) {
    do {
      if (p.isPunct(p.peek(), ')') || p.isPunct(p.peek(), ',') || p.peek().kind === 'eof') {
        throw p.syntax(p.peek().start, `expected an argument of ${name}()`)
      }
      args.push(parseCommonExpr(p))
    } while (p.isPunct(p.peek(), ',') && p.next())
  }
  const close = p.expectPunct(')', `',' or ')' in the arguments of ${name}()`)
  p.leave()
  if (args.length < signature.min || args.length > signature.max) {
    const count = signature.min === signature.max ? `${signature.min}` : `${signature.min} or ${signature.max}`
    throw p.syntax(nameToken.start, `${name}() takes ${count} argument${signature.max === 1 ? '' : 's'}: ${signature.text}`)
  }
  const types = args.map((a) => a.type)
  if (signature.check(types) === null) {
    throw p.error('BRIDGE_ERR_TYPE_MISMATCH', nameToken.start, `${name}(${types.join(', ')}) does not match ${signature.text}`)
  }
  checkArguments(p, name, args, nameToken.start)
  const exprArgs: Expr[] = args.map((a) => a.expr)
  return p.node({ kind: 'call', name, args: exprArgs }, signature.check(types) ?? 'null', nameToken.start, close.end, args)
}
