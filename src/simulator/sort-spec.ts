// Spring Data's `sort` parameter: "property(,property)*(,asc|desc)?", repeatable.
// A last token that is not a direction is a property, as in Spring, so
// `sort=label,up` fails on the unknown property 'up'.
import { SpringError } from './spring-error.js'

export type SortKey<T> = (row: T) => string | number | null

export interface SortOrder<T> {
  readonly key: SortKey<T>
  readonly descending: boolean
}

export interface Sortable<T> {
  /** Entity name in Spring's message ("No property 'x' found for type 'Automation'"). */
  readonly typeName: string
  readonly keys: Readonly<Record<string, SortKey<T>>>
  readonly defaultSort: string
  /** Final, unique order so pages stay stable across calls. */
  readonly tieBreak: SortKey<T>
}

export function parseSort<T>(sortable: Sortable<T>, values: readonly string[]): Array<SortOrder<T>> {
  const orders = values.flatMap((value) => parseOne(sortable, value))
  return orders.length > 0 ? orders : parseOne(sortable, sortable.defaultSort)
}

function parseOne<T>(sortable: Sortable<T>, value: string): Array<SortOrder<T>> {
  const tokens = value.split(',').map((t) => t.trim()).filter((t) => t !== '')
  const last = tokens[tokens.length - 1]?.toLowerCase()
  const descending = last === 'desc'
  if (last === 'asc' || last === 'desc') tokens.pop()
  return tokens.map((property) => {
    const key = Object.hasOwn(sortable.keys, property) ? sortable.keys[property] : undefined
    if (key === undefined) throw new SpringError(400, `No property '${property}' found for type '${sortable.typeName}'`)
    return { key, descending }
  })
}

export function sortRows<T>(sortable: Sortable<T>, rows: readonly T[], orders: ReadonlyArray<SortOrder<T>>): T[] {
  const all = [...orders, { key: sortable.tieBreak, descending: false }]
  return [...rows].sort((a, b) => {
    for (const order of all) {
      const c = compare(order.key(a), order.key(b))
      if (c !== 0) return order.descending ? -c : c
    }
    return 0
  })
}

/** Nulls first, as MongoDB orders them ascending. */
function compare(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  return a < b ? -1 : 1
}
