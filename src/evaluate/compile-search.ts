// ④ $search in the bridge (OData 4.01 Part 2 §5.1.8 leaves "what is a match"
// to the service): a term or phrase matches when it occurs, case-insensitively,
// in any Edm.String property of the row or any item of a string collection.
import type { EntitySetDef } from '../model/index.js'
import type { SearchExpr } from '../odata/index.js'
import type { Row } from './row.js'

type TextTest = (texts: readonly string[]) => boolean

function compileTree(expr: SearchExpr): TextTest {
  switch (expr.kind) {
    case 'term': {
      const needle = expr.text.toLowerCase()
      return (texts) => texts.some((text) => text.includes(needle))
    }
    case 'and': {
      const l = compileTree(expr.left)
      const r = compileTree(expr.right)
      return (texts) => l(texts) && r(texts)
    }
    case 'or': {
      const l = compileTree(expr.left)
      const r = compileTree(expr.right)
      return (texts) => l(texts) || r(texts)
    }
    case 'not': {
      const o = compileTree(expr.operand)
      return (texts) => !o(texts)
    }
    default: {
      const never: never = expr
      throw new Error(`unknown search node ${String(never)}`)
    }
  }
}

/** Compiles a parsed $search once per request; null (no search) keeps every row. */
export function compileSearch(search: SearchExpr | null, set: EntitySetDef): (row: Row) => boolean {
  if (search === null) return () => true
  const test = compileTree(search)
  const fields = set.properties.filter((p) => p.type === 'Edm.String').map((p) => p.name)
  return (row) => {
    const texts: string[] = []
    for (const field of fields) {
      const value = row[field]
      if (typeof value === 'string') texts.push(value.toLowerCase())
      else if (Array.isArray(value)) {
        for (const item of value) if (typeof item === 'string') texts.push(item.toLowerCase())
      }
    }
    return test(texts)
  }
}
