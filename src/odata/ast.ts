// The query as our own typed tree: readonly discriminated unions with decoded
// JS values. Whatever parses OData text, the rest of the bridge sees only this.
// Grammar references are to the OData 4.01 ABNF (odata-abnf-construction-rules).
import type { EntitySetDef, NavigationDef, PropertyDef } from '../model/index.js'

/** Decoded literal values (ABNF primitiveLiteral). */
export type Literal =
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

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'
export type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'divby' | 'mod'

export type Expr =
  | Literal
  /** A property of the entity in scope (resolved against the model). */
  | { readonly kind: 'property'; readonly name: string; readonly def: PropertyDef }
  /** The lambda variable of any/all (e.g. `a` in `automations/any(a: a eq 'x')`). */
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'not'; readonly operand: Expr }
  | { readonly kind: 'arith'; readonly op: ArithOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'negate'; readonly operand: Expr }
  | { readonly kind: 'in'; readonly left: Expr; readonly list: readonly Expr[] }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: 'lambda'; readonly op: 'any' | 'all'; readonly collection: Expr; readonly variable: string | null; readonly predicate: Expr | null }

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
  readonly format: 'json' | null
  /** `odata.metadata` parameter of $format (e.g. `$format=application/json;odata.metadata=none`), when given. */
  readonly formatMetadata?: 'minimal' | 'full' | 'none'
  /** `IEEE754Compatible` parameter of $format, when given. */
  readonly formatIeee754Compatible?: boolean
  /** Custom option `days=N`: the feed horizon for this request. */
  readonly days: number | null
  /** $apply transformations (OData Data Aggregation 4.0), in order; null when absent. */
  readonly apply?: readonly ApplyStep[] | null
  /** $expand items; null when absent. */
  readonly expand?: readonly ExpandItem[] | null
  /** Raw $orderby when $apply groups: it names result columns (checked against them later). */
  readonly applyOrderBy?: string
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
