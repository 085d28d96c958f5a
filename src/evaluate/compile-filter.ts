// ④ $filter in the bridge: a row is kept only when the expression is true;
// false and null (unknown) both drop it (OData 4.01 Part 2 §5.1.2).
import { bridgeError } from '../errors.js'
import type { Expr } from '../odata/index.js'
import { compileExpr, newContext } from './compile-expr.js'
import type { CompileOptions, Row } from './row.js'

export type RowPredicate = (row: Row) => boolean

/** Compiles a parsed $filter once per request; null (no filter) keeps every row. */
export function compileFilter(expr: Expr | null, options: CompileOptions = {}): RowPredicate {
  if (expr === null) return () => true
  const ctx = newContext(options.now, options.target)
  const compiled = compileExpr(expr, ctx)
  if (compiled.type !== 'Edm.Boolean' && compiled.type !== 'null') {
    throw bridgeError('BRIDGE_ERR_TYPE_MISMATCH', `${ctx.target} must be a Boolean expression, not ${compiled.type}`, { target: ctx.target })
  }
  const fn = compiled.fn
  return (row) => fn(row, undefined) === true
}
