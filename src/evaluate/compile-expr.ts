// ④ Compiles an expression tree once into closures; rows are then evaluated
// without walking the tree. and/or/not follow the three-valued logic of
// OData 4.01 Part 2 §5.1.1.1.7–9 (null is "unknown"). Every node carries the
// static type the parser worked out (edmType); nothing is typed again here,
// and what a closure does depends on it (integer or decimal division, Date
// arithmetic). A tree that breaks the typing rules is an internal error.
import { bridgeError } from '../errors.js'
import { isCollection, type Expr, type Literal } from '../odata/index.js'
import { compileArith, compileNegate } from './compile-arith.js'
import { compileCall } from './compile-call.js'
import { compileCompare, compileIn } from './compile-compare.js'
import type { Compiled, CompiledExpr, Scope, Value } from './row.js'

export interface Context {
  readonly now: number
  readonly target: string
  /** Names of the lambda variables in scope, innermost last. */
  readonly vars: string[]
}

/**
 * Values compared with these literals are whole milliseconds (Precision 3), so
 * sub-millisecond digits only matter as "strictly between two milliseconds":
 * X.0001 and X.9999 both become X + 0.5, exact in a double at any date
 * (X + 0.0001 is not: it rounds back to X), and lt/le/gt/ge/eq/ne then hold.
 */
function literalValue(lit: Literal): Value {
  if ((lit.type === 'datetimeoffset' || lit.type === 'timeofday') && lit.nanos !== undefined && lit.nanos > 0) {
    return lit.value + 0.5
  }
  return lit.value
}

function variable(expr: Extract<Expr, { kind: 'variable' }>, ctx: Context): CompiledExpr {
  const index = ctx.vars.lastIndexOf(expr.name)
  if (index < 0) throw bridgeError('BRIDGE_ERR_INTERNAL', `Unbound lambda variable '${expr.name}' in ${ctx.target}`, { target: ctx.target })
  const depth = ctx.vars.length - 1 - index
  const fn: Compiled = depth === 0
    ? (_row, scope) => (scope as Scope).value
    : (_row, scope) => {
        let s = scope as Scope
        for (let i = 0; i < depth; i++) s = s.parent as Scope
        return s.value
      }
  return { fn, type: expr.edmType }
}

function requireBoolean(c: CompiledExpr, ctx: Context, op: string): Compiled {
  if (c.type !== 'Edm.Boolean' && c.type !== 'null') {
    throw bridgeError('BRIDGE_ERR_INTERNAL', `'${op}' in ${ctx.target} was given a ${c.type} operand`, { target: ctx.target })
  }
  return c.fn
}

function logical(kind: 'and' | 'or', l: Compiled, r: Compiled): Compiled {
  // and: false wins, else null if any null. or: true wins, else null if any null.
  const decisive = kind === 'or'
  return (row, scope) => {
    const a = l(row, scope)
    if (a === decisive) return decisive
    const b = r(row, scope)
    if (b === decisive) return decisive
    return a === null || b === null ? null : !decisive
  }
}

function lambda(expr: Extract<Expr, { kind: 'lambda' }>, ctx: Context): CompiledExpr {
  const collection = compileExpr(expr.collection, ctx)
  if (!isCollection(collection.type)) {
    throw bridgeError('BRIDGE_ERR_INTERNAL', `${expr.op}() in ${ctx.target} was given a ${collection.type}`, { target: ctx.target })
  }
  const items = collection.fn
  if (expr.variable === null || expr.predicate === null) {
    // any() without argument: true when the collection is not empty (Part 2 §5.1.1, "Lambda Operators" › any).
    return { fn: (row, scope) => ((items(row, scope) as readonly Value[] | null)?.length ?? 0) > 0, type: 'Edm.Boolean' }
  }
  ctx.vars.push(expr.variable)
  const predicate = requireBoolean(compileExpr(expr.predicate, ctx), ctx, expr.op)
  ctx.vars.pop()
  const all = expr.op === 'all'
  const fn: Compiled = (row, scope) => {
    const list = (items(row, scope) as readonly Value[] | null) ?? []
    for (const value of list) {
      const matched = predicate(row, { value, parent: scope }) === true
      if (matched !== all) return !all
    }
    return all
  }
  return { fn, type: 'Edm.Boolean' }
}

/** Compiles one expression; `ctx.vars` carries lambda variables while compiling a predicate. */
export function compileExpr(expr: Expr, ctx: Context): CompiledExpr {
  switch (expr.kind) {
    case 'literal': {
      const value = literalValue(expr)
      return { fn: () => value, type: expr.edmType, constant: value }
    }
    case 'property': {
      const name = expr.name
      return { fn: (row) => row[name] ?? null, type: expr.edmType, property: name }
    }
    case 'variable':
      return variable(expr, ctx)
    case 'compare':
      return { fn: compileCompare(expr.op, compileExpr(expr.left, ctx), compileExpr(expr.right, ctx)), type: 'Edm.Boolean' }
    case 'and':
    case 'or': {
      const l = requireBoolean(compileExpr(expr.left, ctx), ctx, expr.kind)
      const r = requireBoolean(compileExpr(expr.right, ctx), ctx, expr.kind)
      return { fn: logical(expr.kind, l, r), type: 'Edm.Boolean' }
    }
    case 'not': {
      const o = requireBoolean(compileExpr(expr.operand, ctx), ctx, 'not')
      return { fn: (row, scope) => { const v = o(row, scope); return v === null ? null : !v }, type: 'Edm.Boolean' }
    }
    case 'arith':
      return compileArith(expr.op, expr.edmType, compileExpr(expr.left, ctx), compileExpr(expr.right, ctx), ctx.target)
    case 'negate':
      return compileNegate(expr.edmType, compileExpr(expr.operand, ctx))
    case 'in':
      return { fn: compileIn(compileExpr(expr.left, ctx), expr.list.map((item) => compileExpr(item, ctx))), type: 'Edm.Boolean' }
    case 'call':
      return compileCall(expr, expr.args.map((arg) => compileExpr(arg, ctx)), ctx.now, ctx.target)
    case 'lambda':
      return lambda(expr, ctx)
    default: {
      const never: never = expr
      throw new Error(`unknown expression ${String(never)}`)
    }
  }
}

export function newContext(now: number | undefined, target: string | undefined): Context {
  return { now: now ?? Date.now(), target: target ?? '$filter', vars: [] }
}
