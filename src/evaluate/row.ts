// What the evaluator works on: rows as the bridge holds them (model/row.ts),
// and what compiled expressions compute from them.
import type { Row } from '../model/row.js'
import type { ExprType } from '../odata/index.js'

export type { Row }

/** A runtime value; Date, DateTimeOffset, TimeOfDay and Duration are milliseconds. */
export type Value = string | number | boolean | null | readonly Value[]

/** The lambda variables in scope at run time, innermost first. */
export interface Scope {
  readonly value: Value
  readonly parent: Scope | undefined
}

/** A compiled expression: evaluated once per row, never re-walking the tree. */
export type Compiled = (row: Row, scope: Scope | undefined) => Value

export interface CompiledExpr {
  readonly fn: Compiled
  readonly type: ExprType
  /** Set when the expression is a literal (its value). */
  readonly constant?: Value
  /** Set when the expression is a plain property access (its name). */
  readonly property?: string
}

export interface CompileOptions {
  /** The instant now() returns, fixed once per request (epoch ms). Default: Date.now() at compile time. */
  readonly now?: number
  /** The option the expression came from, for error targets. Default '$filter'. */
  readonly target?: string
}
