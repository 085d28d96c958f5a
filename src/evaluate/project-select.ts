// ④ $select in the bridge (OData 4.01 Part 2 §5.1.4): only the selected
// properties, in model order. The key is not added unless asked for
// (`includeKey`): the spec requires only the selected properties, and the
// serializer, which sees the unprojected row, can still build @odata.id.
import type { EntitySetDef } from '../model/index.js'
import type { RowValue } from '../model/row.js'
import type { Row } from './row.js'

export interface ProjectOptions {
  /** Also keep the entity key (e.g. for full metadata). Default false. */
  readonly includeKey?: boolean
}

/** null selects every property: rows pass through unchanged. */
export function projectSelect(select: readonly string[] | null, set: EntitySetDef, options: ProjectOptions = {}): (row: Row) => Row {
  if (select === null) return (row) => row
  const wanted = new Set(select)
  if (options.includeKey === true) wanted.add(set.key)
  const names = set.properties.map((p) => p.name).filter((name) => wanted.has(name))
  return (row) => {
    const out: Record<string, RowValue> = {}
    for (const name of names) out[name] = row[name] ?? null
    return out
  }
}
