// $apply in the bridge (OData Data Aggregation 4.0 §3): filter, then groupby
// and/or aggregate over rows in memory. Aggregates skip nulls (§3.1.3): sum,
// min, max and average of no values are null; countdistinct omits null.
import type { PropertyDef } from '../model/index.js'
import type { AggregateItem, ApplyStep } from '../odata/ast.js'
import { compareValues } from './compare-values.js'
import { compileFilter } from './compile-filter.js'
import { takeTurn } from '../take-turns.js'
import type { RowValue } from '../model/row.js'
import type { Row } from './row.js'

/** A column of an aggregated result: a grouping property or an aggregate alias. */
export type AggregateColumn =
  | { readonly kind: 'property'; readonly name: string; readonly def: PropertyDef }
  | { readonly kind: 'aggregate'; readonly name: string; readonly item: AggregateItem }

export interface ApplyResult {
  /** null when $apply only filtered: the rows keep the entity's shape. */
  readonly columns: readonly AggregateColumn[] | null
  readonly rows: readonly Row[]
}

interface Accumulator { add(row: Row): void; result(): RowValue }

function accumulator(item: AggregateItem): Accumulator {
  const name = item.property?.name ?? ''
  switch (item.method) {
    case 'count': {
      let n = 0
      return { add: () => { n++ }, result: () => n }
    }
    case 'countdistinct': {
      const seen = new Set<unknown>()
      return { add: (r) => { const v = r[name]; if (v !== null && v !== undefined) seen.add(v) }, result: () => seen.size }
    }
    case 'sum':
    case 'average': {
      let sum = 0
      let n = 0
      return {
        add: (r) => { const v = r[name]; if (typeof v === 'number') { sum += v; n++ } },
        result: () => (n === 0 ? null : item.method === 'sum' ? sum : sum / n)
      }
    }
    case 'min':
    case 'max': {
      let best: RowValue = null
      const sign = item.method === 'min' ? 1 : -1
      return {
        add: (r) => {
          const v = r[name] ?? null
          if (v !== null && (best === null || sign * compareValues(v, best) < 0)) best = v
        },
        result: () => best
      }
    }
    default: {
      const never: never = item.method
      return never
    }
  }
}

/** Rows grouped between two looks at the clock (take-turns.ts): a grouping of the whole history held the event loop ~14 ms in one piece. */
const GROUP_STRIDE = 2048

export async function applyTransformations(input: readonly Row[], steps: readonly ApplyStep[], now: number): Promise<ApplyResult> {
  let rows = input
  for (const step of steps) {
    if (step.kind === 'filter') {
      const keep = compileFilter(step.expr, { now, target: '$apply' })
      rows = rows.filter(keep)
      continue
    }
    const properties = step.kind === 'groupby' ? step.properties : []
    const items = step.kind === 'groupby' ? step.aggregate : step.items
    const groups = new Map<string, { values: RowValue[]; accs: Accumulator[] }>()
    // aggregate() alone yields one row, even over no input (§3.1.3).
    if (step.kind === 'aggregate') groups.set(JSON.stringify([]), { values: [], accs: items.map(accumulator) })
    let n = 0
    for (const row of rows) {
      if (++n % GROUP_STRIDE === 0) await takeTurn()
      const values = properties.map((p) => row[p.name] ?? null)
      const key = JSON.stringify(values)
      let g = groups.get(key)
      if (g === undefined) {
        g = { values, accs: items.map(accumulator) }
        groups.set(key, g)
      }
      for (const a of g.accs) a.add(row)
    }
    const columns: AggregateColumn[] = [
      ...properties.map((def) => ({ kind: 'property' as const, name: def.name, def })),
      ...items.map((item) => ({ kind: 'aggregate' as const, name: item.alias, item }))
    ]
    const out = [...groups.values()].map((g) => {
      const row: Record<string, RowValue> = {}
      properties.forEach((p, i) => { row[p.name] = g.values[i] ?? null })
      items.forEach((item, i) => { row[item.alias] = (g.accs[i] as Accumulator).result() })
      return row
    })
    // The parser allows nothing after the first groupby/aggregate.
    return { columns, rows: out }
  }
  return { columns: null, rows }
}
