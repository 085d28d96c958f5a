// Expressions the bridge writes itself, typed as the parser would type them:
// the key lookup of Tasks(17296058), the relation of a navigation or $expand,
// and filters joined with `and`.
import type { EntitySetDef, PropertyDef } from '../model/index.js'
import { property } from '../model/index.js'
import type { Expr, Literal } from './ast.js'
import { literalType, propertyType } from './expr-type.js'

/** A literal of a value read from a row or a key: integers are `int`, text is `string`. */
export function literal(value: string | number | boolean | null): Literal {
  if (value === null) return { kind: 'literal', type: 'null', value: null, edmType: 'null' }
  if (typeof value === 'boolean') return { kind: 'literal', type: 'boolean', value, edmType: 'Edm.Boolean' }
  if (typeof value === 'string') return { kind: 'literal', type: 'string', value, edmType: 'Edm.String' }
  const lit = Number.isInteger(value) ? { kind: 'literal' as const, type: 'int' as const, value } : { kind: 'literal' as const, type: 'double' as const, value }
  return { ...lit, edmType: literalType(lit) }
}

export function propertyRef(def: PropertyDef): Expr {
  return { kind: 'property', name: def.name, def, edmType: propertyType(def) }
}

/** `name eq value`. */
export function equals(def: PropertyDef, value: string | number): Expr {
  return { kind: 'compare', op: 'eq', left: propertyRef(def), right: literal(value), edmType: 'Edm.Boolean' }
}

/** `key eq value`: one entity found with the collection machinery. */
export function keyEquals(set: EntitySetDef, key: string | number): Expr {
  return equals(property(set, set.key) as PropertyDef, key)
}

/** `name in (v1, v2, …)`; false for no values. */
export function oneOf(def: PropertyDef, values: readonly (string | number)[]): Expr {
  if (values.length === 0) return literal(false)
  return { kind: 'in', left: propertyRef(def), list: values.map(literal), edmType: 'Edm.Boolean' }
}

/** `collection/any(v: v eq value)` for a collection-valued property. */
export function includes(def: PropertyDef, value: string | number): Expr {
  const element = literal(value)
  const variable: Expr = { kind: 'variable', name: '$it', edmType: def.type }
  return {
    kind: 'lambda',
    op: 'any',
    collection: propertyRef(def),
    variable: '$it',
    predicate: { kind: 'compare', op: 'eq', left: variable, right: element, edmType: 'Edm.Boolean' },
    edmType: 'Edm.Boolean'
  }
}

/** The conjunction of the expressions given (nulls ignored); null when none is. */
export function allOf(...exprs: readonly (Expr | null)[]): Expr | null {
  let out: Expr | null = null
  for (const e of exprs) {
    if (e === null) continue
    out = out === null ? e : { kind: 'and', left: out, right: e, edmType: 'Edm.Boolean' }
  }
  return out
}
