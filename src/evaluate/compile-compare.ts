// Comparison operators (OData 4.01 Part 2 §5.1.1.1.1–6): eq/ne treat null as
// equal only to itself; gt/lt return false when any operand is null; ge/le are
// "gt or eq" / "lt or eq" (so `null ge null` is true); NaN equals nothing.
// Strings compare ordinally (UTF-16 code units), false < true.
import type { CompareOp } from '../odata/index.js'
import type { Compiled, CompiledExpr, Row, Value } from './row.js'

type Op = (a: number, b: number) => boolean

const ORDER: Record<Exclude<CompareOp, 'eq' | 'ne'>, Op> = {
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b
}

const FLIP: Record<CompareOp, CompareOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' }

/** A property compared with a non-null constant: the hot path of typical filters. */
function propertyVersusConstant(op: CompareOp, name: string, c: Exclude<Value, null>): Compiled {
  const k = c as number
  switch (op) {
    case 'eq': return (row: Row) => row[name] === k
    case 'ne': return (row: Row) => row[name] !== k
    case 'gt': return (row: Row) => { const v = row[name]; return v != null && (v as number) > k }
    case 'ge': return (row: Row) => { const v = row[name]; return v != null && (v as number) >= k }
    case 'lt': return (row: Row) => { const v = row[name]; return v != null && (v as number) < k }
    case 'le': return (row: Row) => { const v = row[name]; return v != null && (v as number) <= k }
    default: {
      const never: never = op
      throw new Error(`unknown comparison ${String(never)}`)
    }
  }
}

export function compileCompare(op: CompareOp, left: CompiledExpr, right: CompiledExpr): Compiled {
  if (left.property !== undefined && right.constant !== undefined && right.constant !== null) {
    return propertyVersusConstant(op, left.property, right.constant)
  }
  if (right.property !== undefined && left.constant !== undefined && left.constant !== null) {
    return propertyVersusConstant(FLIP[op], right.property, left.constant)
  }
  const l = left.fn
  const r = right.fn
  switch (op) {
    case 'eq': return (row, scope) => l(row, scope) === r(row, scope)
    case 'ne': return (row, scope) => l(row, scope) !== r(row, scope)
    case 'gt':
    case 'lt': {
      const test = ORDER[op]
      return (row, scope) => {
        const a = l(row, scope)
        if (a === null) return false
        const b = r(row, scope)
        return b !== null && test(a as number, b as number)
      }
    }
    case 'ge':
    case 'le': {
      const test = ORDER[op]
      return (row, scope) => {
        const a = l(row, scope)
        const b = r(row, scope)
        return a === null || b === null ? a === b : test(a as number, b as number)
      }
    }
    default: {
      const never: never = op
      throw new Error(`unknown comparison ${String(never)}`)
    }
  }
}

/** `x in (v1, …)`: true when x eq some vi (Part 2 §5.1.1.1.11). Many constants become a Set lookup. */
export function compileIn(left: CompiledExpr, list: readonly CompiledExpr[]): Compiled {
  const l = left.fn
  const constants = list.every((item) => item.constant !== undefined && !Number.isNaN(item.constant))
  if (constants && list.length > 8) {
    const set = new Set(list.map((item) => item.constant))
    return (row, scope) => set.has(l(row, scope))
  }
  const fns = list.map((item) => item.fn)
  return (row, scope) => {
    const v = l(row, scope)
    for (const fn of fns) if (fn(row, scope) === v) return true
    return false
  }
}
