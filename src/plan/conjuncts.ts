// Facts the planner can push upstream are read off the top-level conjuncts of
// $filter (OData 4.01 Part 2 §5.1.1.1: `and` is commutative for our purpose,
// and each conjunct only narrows). Anything not recognised stays residual.
import type { CompareOp, Expr, Literal } from '../odata/ast.js'

/** `property op literal`, normalised so the property is on the left. */
export interface PropertyComparison {
  readonly property: string
  readonly op: CompareOp
  readonly literal: Literal
}

const MIRROR: Record<CompareOp, CompareOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' }

export function conjuncts(expr: Expr | null): Expr[] {
  if (expr === null) return []
  if (expr.kind === 'and') return [...conjuncts(expr.left), ...conjuncts(expr.right)]
  return [expr]
}

export function propertyComparisons(expr: Expr | null): PropertyComparison[] {
  const out: PropertyComparison[] = []
  for (const c of conjuncts(expr)) {
    if (c.kind !== 'compare') continue
    if (c.left.kind === 'property' && c.right.kind === 'literal') out.push({ property: c.left.name, op: c.op, literal: c.right })
    else if (c.right.kind === 'property' && c.left.kind === 'literal') out.push({ property: c.right.name, op: MIRROR[c.op], literal: c.left })
  }
  return out
}

export interface InstantRange {
  /** Inclusive lower bound in epoch ms, or null. */
  readonly from: number | null
  /** Inclusive upper bound in epoch ms, or null. */
  readonly to: number | null
  /** True when the filter says nothing but these bounds (so they replace it exactly). */
  readonly absorbed: boolean
}

/**
 * The tightest inclusive range of a millisecond-precision DateTimeOffset
 * property implied by the conjuncts (`gt x` is `ge` the next millisecond).
 */
export function instantRange(expr: Expr | null, property: string): InstantRange {
  let from: number | null = null
  let to: number | null = null
  const all = conjuncts(expr)
  let used = 0
  for (const c of propertyComparisons(expr)) {
    if (c.property !== property || c.literal.type !== 'datetimeoffset' || c.op === 'ne') continue
    used++
    // Sub-millisecond digits put the literal strictly between two milliseconds
    // (as in the evaluator): lt …:30.0099999Z includes a task at …:30.009.
    const v = c.literal.value + ((c.literal.nanos ?? 0) > 0 ? 0.5 : 0)
    const lower = c.op === 'gt' ? Math.floor(v) + 1 : c.op === 'ge' || c.op === 'eq' ? Math.ceil(v) : null
    const upper = c.op === 'lt' ? Math.ceil(v) - 1 : c.op === 'le' || c.op === 'eq' ? Math.floor(v) : null
    if (lower !== null) from = from === null ? lower : Math.max(from, lower)
    if (upper !== null) to = to === null ? upper : Math.min(to, upper)
  }
  return { from, to, absorbed: used === all.length }
}

/** The value of a `property eq 'string'` conjunct, if there is one. */
export function stringEquality(expr: Expr | null, property: string): string | null {
  for (const c of propertyComparisons(expr)) {
    if (c.property === property && c.op === 'eq' && c.literal.type === 'string') return c.literal.value
  }
  return null
}
