// The query as our own typed tree: readonly discriminated unions with decoded
// JS values. Whatever parses OData text, the rest of the bridge sees only this.
// Grammar references are to the OData 4.01 ABNF (odata-abnf-construction-rules).
import type { EdmPrimitive, EntitySetDef, NavigationDef, PropertyDef } from '../model/index.js'

/** The static type of an expression: `null` is the type of the `null` literal, compatible with every primitive type. */
export type ExprType = EdmPrimitive | 'null' | `Collection(${EdmPrimitive})`

/** Decoded literal values (ABNF primitiveLiteral), before typing. */
export type LiteralValue =
  | { readonly kind: 'literal'; readonly type: 'null'; readonly value: null }
  | { readonly kind: 'literal'; readonly type: 'boolean'; readonly value: boolean }
  | { readonly kind: 'literal'; readonly type: 'string'; readonly value: string }
  /** Integers within ±2^53; larger ones are refused as literals. */
  | { readonly kind: 'literal'; readonly type: 'int'; readonly value: number }
  | { readonly kind: 'literal'; readonly type: 'decimal' | 'double'; readonly value: number }
  /** Edm.Date: value is UTC midnight in epoch ms; text is YYYY-MM-DD. */
  | { readonly kind: 'literal'; readonly type: 'date'; readonly value: number; readonly text: string }
  /** Edm.DateTimeOffset: value is the instant in epoch ms (sub-ms digits kept in `nanos`), offset in minutes as written. */
  | { readonly kind: 'literal'; readonly type: 'datetimeoffset'; readonly value: number; readonly offsetMinutes: number; readonly text: string; readonly nanos?: number }
  /** Edm.TimeOfDay: milliseconds since midnight (sub-ms digits kept in `nanos`). */
  | { readonly kind: 'literal'; readonly type: 'timeofday'; readonly value: number; readonly text: string; readonly nanos?: number }
  /** Edm.Duration: milliseconds (may be negative). */
  | { readonly kind: 'literal'; readonly type: 'duration'; readonly value: number; readonly text: string }

/** Every node carries its static type, worked out once by the parser (or by odata/build.ts). */
interface Typed { readonly edmType: ExprType }

export type Literal = LiteralValue & Typed

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'
export type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'divby' | 'mod'

export type Expr =
  | Literal
  /** A property of the entity in scope (resolved against the model). */
  | { readonly kind: 'property'; readonly name: string; readonly def: PropertyDef; readonly edmType: ExprType }
  /** The lambda variable of any/all (e.g. `a` in `automations/any(a: a eq 'x')`). */
  | { readonly kind: 'variable'; readonly name: string; readonly edmType: ExprType }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Expr; readonly right: Expr; readonly edmType: ExprType }
  | { readonly kind: 'and' | 'or'; readonly left: Expr; readonly right: Expr; readonly edmType: ExprType }
  | { readonly kind: 'not'; readonly operand: Expr; readonly edmType: ExprType }
  | { readonly kind: 'arith'; readonly op: ArithOp; readonly left: Expr; readonly right: Expr; readonly edmType: ExprType }
  | { readonly kind: 'negate'; readonly operand: Expr; readonly edmType: ExprType }
  | { readonly kind: 'in'; readonly left: Expr; readonly list: readonly Expr[]; readonly edmType: ExprType }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly edmType: ExprType }
  | { readonly kind: 'lambda'; readonly op: 'any' | 'all'; readonly collection: Expr; readonly variable: string | null; readonly predicate: Expr | null; readonly edmType: ExprType }

/** A node as the parser builds it, before its type is attached. */
export type UntypedExpr = Expr extends infer E ? (E extends unknown ? Omit<E, 'edmType'> : never) : never

export interface OrderByItem {
  readonly expr: Expr
  readonly descending: boolean
}

/** The parsed system query options of one request (OData 4.01 Part 2 §5). */
export interface QueryOptions {
  readonly filter: Expr | null
  readonly orderby: readonly OrderByItem[]
  /** null = all properties. */
  readonly select: readonly string[] | null
  readonly top: number | null
  readonly skip: number | null
  readonly count: boolean
  /** $search as a list of terms: AND of OR groups of (possibly negated) phrases. */
  readonly search: SearchExpr | null
  readonly skiptoken: string | null
  /** $format: always JSON; its parameters when given. */
  readonly format: FormatChoice | null
  /** Custom option `days=N`: the feed horizon for this request. */
  readonly days: number | null
  /** $apply transformations (OData Data Aggregation 4.0), in order; null when absent. */
  readonly apply?: readonly ApplyStep[] | null
  /** $expand items; null when absent. */
  readonly expand?: readonly ExpandItem[] | null
  /** $orderby when $apply groups: it names columns of the aggregated result, not model properties. */
  readonly applyOrderBy?: readonly ColumnOrder[]
}

/** $format=json with its parameters (`application/json;odata.metadata=none;IEEE754Compatible=true`). */
export interface FormatChoice {
  /** `odata.metadata` (or 4.01 `metadata`), when given. */
  readonly metadata?: 'minimal' | 'full' | 'none'
  /** `IEEE754Compatible`, when given. */
  readonly ieee754Compatible?: boolean
}

export type SearchExpr =
  | { readonly kind: 'term'; readonly text: string }
  | { readonly kind: 'and' | 'or'; readonly left: SearchExpr; readonly right: SearchExpr }
  | { readonly kind: 'not'; readonly operand: SearchExpr }

export interface ParseContext {
  readonly set: EntitySetDef
}

/** Aggregation methods of OData Data Aggregation 4.0 §3.1.3 (plus `$count`). */
export type AggregateMethod = 'sum' | 'min' | 'max' | 'average' | 'countdistinct' | 'count'

/** `property with method as alias`, or `$count as alias` (property null). */
export interface AggregateItem {
  readonly alias: string
  readonly method: AggregateMethod
  readonly property: PropertyDef | null
}

/** `column [asc|desc]`: an item of $orderby over the columns of a grouping $apply. */
export interface ColumnOrder {
  readonly column: string
  readonly descending: boolean
}

/** One $apply transformation (Data Aggregation 4.0 §3). */
export type ApplyStep =
  | { readonly kind: 'filter'; readonly expr: Expr }
  | { readonly kind: 'groupby'; readonly properties: readonly PropertyDef[]; readonly aggregate: readonly AggregateItem[] }
  | { readonly kind: 'aggregate'; readonly items: readonly AggregateItem[] }

/** One navigation property to expand, with its nested options (parsed against the target set). */
export interface ExpandItem {
  readonly nav: NavigationDef
  readonly target: EntitySetDef
  readonly options: QueryOptions | null
}
