// Arithmetic (OData 4.01 Part 2 §5.1.1.2): a null operand gives null;
// integer `div` truncates; `div` by zero fails the request unless the result
// is Edm.Double (then INF/-INF/NaN); `divby` never fails; `mod` by zero
// fails; Date ± Duration stays a Date (time part removed, XML Schema E.3.3).
import { bridgeError } from '../errors.js'
import { MS_PER_DAY } from '../odata/civil-date.js'
import { isInteger, type ArithOp } from '../odata/index.js'
import type { ExprType } from '../odata/index.js'
import type { Compiled, CompiledExpr } from './row.js'

type Binary = (a: number, b: number) => number

function divisionByZero(op: ArithOp, type: ExprType, target: string): Error {
  return bridgeError('BRIDGE_ERR_INVALID_OPTION_VALUE', `Division by zero in ${target}: '${op}' by zero fails for ${type} operands (OData 4.01 Part 2 §5.1.1.2); use divby or a Double operand`, { target })
}

function operation(op: ArithOp, type: ExprType, target: string): Binary {
  const toDate = type === 'Edm.Date'
  switch (op) {
    case 'add': return toDate ? (a, b) => Math.floor((a + b) / MS_PER_DAY) * MS_PER_DAY : (a, b) => a + b
    case 'sub': return toDate ? (a, b) => Math.floor((a - b) / MS_PER_DAY) * MS_PER_DAY : (a, b) => a - b
    case 'mul': return (a, b) => a * b
    case 'divby': return (a, b) => a / b
    case 'div':
      if (type === 'Edm.Double') return (a, b) => a / b
      if (isInteger(type)) {
        return (a, b) => {
          if (b === 0) throw divisionByZero(op, type, target)
          return Math.trunc(a / b)
        }
      }
      return (a, b) => {
        if (b === 0) throw divisionByZero(op, type, target)
        return a / b
      }
    case 'mod':
      return (a, b) => {
        if (b === 0) throw divisionByZero(op, type, target)
        return a % b
      }
    default: {
      const never: never = op
      throw new Error(`unknown operator ${String(never)}`)
    }
  }
}

/** `type` is the node's static type (Edm.Date arithmetic, integer division). */
export function compileArith(op: ArithOp, type: ExprType, left: CompiledExpr, right: CompiledExpr, target: string): CompiledExpr {
  const f = operation(op, type, target)
  const l = left.fn
  const r = right.fn
  const fn: Compiled = (row, scope) => {
    const a = l(row, scope)
    if (a === null) return null
    const b = r(row, scope)
    return b === null ? null : f(a as number, b as number)
  }
  return { fn, type }
}

export function compileNegate(type: ExprType, operand: CompiledExpr): CompiledExpr {
  const o = operand.fn
  return { fn: (row, scope) => { const v = o(row, scope); return v === null ? null : -(v as number) }, type }
}
