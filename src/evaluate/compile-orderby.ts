// ④ $orderby in the bridge: items sort by the first key, ties by the next,
// and so on; ascending puts nulls first, descending puts them last (OData
// 4.01 Part 1, "System Query Option $orderby"). The comparator returns 0 for rows equal on every
// key: callers that need a stable, repeatable order (paging!) append the
// entity key as a final ascending item, or use a stable sort over a
// deterministic input order.
import type { OrderByItem } from '../odata/index.js'
import { compareValues } from './compare-values.js'
import { compileExpr, newContext } from './compile-expr.js'
import type { Compiled, CompileOptions, Row } from './row.js'

export type RowComparator = (a: Row, b: Row) => number

export function compileOrderBy(items: readonly OrderByItem[], options: CompileOptions = {}): RowComparator {
  const ctx = newContext(options.now, options.target ?? '$orderby')
  const keys: { readonly get: Compiled; readonly sign: number }[] = items.map((item) => ({
    get: compileExpr(item.expr, ctx).fn,
    sign: item.descending ? -1 : 1
  }))
  return (a, b) => {
    for (const key of keys) {
      const c = compareValues(key.get(a, undefined), key.get(b, undefined))
      if (c !== 0) return key.sign * c
    }
    return 0
  }
}
