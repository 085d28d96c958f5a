// Static types of expressions and the typing rules shared by the parser (to
// reject ill-typed queries with a 400) and the evaluator (to pick integer vs
// decimal division, Date arithmetic, …). OData 4.01 Part 2 §5.1.1.1
// (comparisons), §5.1.1.2 (arithmetic), §5.1.1 "Numeric Promotion".
import type { EdmPrimitive, PropertyDef } from '../model/index.js'
import type { ArithOp, ExprType, LiteralValue } from './ast.js'

export type { ExprType }

export function literalType(lit: LiteralValue): ExprType {
  switch (lit.type) {
    case 'null': return 'null'
    case 'boolean': return 'Edm.Boolean'
    case 'string': return 'Edm.String'
    case 'int': return lit.value >= -2_147_483_648 && lit.value <= 2_147_483_647 ? 'Edm.Int32' : 'Edm.Int64'
    case 'decimal': return 'Edm.Decimal'
    case 'double': return 'Edm.Double'
    case 'date': return 'Edm.Date'
    case 'datetimeoffset': return 'Edm.DateTimeOffset'
    case 'timeofday': return 'Edm.TimeOfDay'
    case 'duration': return 'Edm.Duration'
    default: {
      const never: never = lit
      throw new Error(`unknown literal ${String(never)}`)
    }
  }
}

export function propertyType(def: PropertyDef): ExprType {
  return def.collection === true ? `Collection(${def.type})` : def.type
}

export function isCollection(t: ExprType): t is `Collection(${EdmPrimitive})` {
  return t.startsWith('Collection(')
}

/** The element type of a collection type. */
export function elementType(t: `Collection(${EdmPrimitive})`): EdmPrimitive {
  return t.slice('Collection('.length, -1) as EdmPrimitive
}

const NUMERIC_RANK: Partial<Record<ExprType, number>> = { 'Edm.Int32': 1, 'Edm.Int64': 2, 'Edm.Decimal': 3, 'Edm.Double': 4 }

export function isNumeric(t: ExprType): boolean {
  return NUMERIC_RANK[t] !== undefined
}

export function isInteger(t: ExprType): boolean {
  return t === 'Edm.Int32' || t === 'Edm.Int64'
}

/** Numeric promotion: Double > Decimal > Int64 > Int32 (both operands must be numeric). */
export function promote(a: ExprType, b: ExprType): ExprType {
  return (NUMERIC_RANK[a] ?? 0) >= (NUMERIC_RANK[b] ?? 0) ? a : b
}

const DATES = new Set<ExprType>(['Edm.Date', 'Edm.DateTimeOffset'])

/**
 * Whether eq/ne/gt/ge/lt/le/in may compare the two types. Numbers compare
 * across numeric types (promotion); an Edm.Date compares with an
 * Edm.DateTimeOffset as the UTC midnight that starts the day; there is no
 * implicit string/number conversion. Collections are not comparable.
 */
export function comparable(a: ExprType, b: ExprType): boolean {
  if (isCollection(a) || isCollection(b)) return false
  if (a === 'null' || b === 'null' || a === b) return true
  if (isNumeric(a) && isNumeric(b)) return true
  return DATES.has(a) && DATES.has(b)
}

const ARITH_WITH_NULL = new Set<ExprType>(['Edm.Int32', 'Edm.Int64', 'Edm.Decimal', 'Edm.Double', 'Edm.Duration', 'Edm.Date', 'Edm.DateTimeOffset'])

/** Result type of an arithmetic operator, or an error message (Part 2 §5.1.1.2). */
export function arithType(op: ArithOp, a: ExprType, b: ExprType): ExprType | { readonly error: string } {
  const fail = { error: `'${op}' cannot combine ${a} and ${b}` }
  if (a === 'null' || b === 'null') {
    const other = a === 'null' ? b : a
    return other === 'null' || ARITH_WITH_NULL.has(other) ? other : fail
  }
  if (isNumeric(a) && isNumeric(b)) {
    if (op === 'divby') return a === 'Edm.Double' || b === 'Edm.Double' ? 'Edm.Double' : 'Edm.Decimal'
    return promote(a, b)
  }
  const pair = `${a} ${op} ${b}`
  switch (pair) {
    case 'Edm.DateTimeOffset add Edm.Duration':
    case 'Edm.DateTimeOffset sub Edm.Duration':
      return 'Edm.DateTimeOffset'
    case 'Edm.Date add Edm.Duration':
    case 'Edm.Date sub Edm.Duration':
      return 'Edm.Date'
    case 'Edm.Duration add Edm.Duration':
    case 'Edm.Duration sub Edm.Duration':
    case 'Edm.DateTimeOffset sub Edm.DateTimeOffset':
    case 'Edm.Date sub Edm.Date':
      return 'Edm.Duration'
  }
  // A Duration may be multiplied by, or divided by, a number.
  if ((op === 'mul' || op === 'div' || op === 'divby') && a === 'Edm.Duration' && isNumeric(b)) return 'Edm.Duration'
  if (op === 'mul' && isNumeric(a) && b === 'Edm.Duration') return 'Edm.Duration'
  return fail
}

/** Result type of unary minus: numbers and durations (Part 2 §5.1.1.2.3). */
export function negateType(t: ExprType): ExprType | { readonly error: string } {
  return t === 'null' || isNumeric(t) || t === 'Edm.Duration' ? t : { error: `'-' cannot negate ${t}` }
}
