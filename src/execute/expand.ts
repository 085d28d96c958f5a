// $expand: for a page of source rows, read the related rows of each expanded
// navigation property (the target set over the same horizon, narrowed by the
// nested $filter and, when the page relates to one value, by that value — so
// Automations('x')/… sends automation=x upstream), then match them by the
// model's relation and apply the nested $orderby/$skip/$top/$count.
import { bridgeError } from '../errors.js'
import { compileOrderBy } from '../evaluate/index.js'
import { property } from '../model/index.js'
import type { EntitySetDef, NavigationDef, PropertyDef } from '../model/index.js'
import { allOf, equals } from '../odata/index.js'
import type { Expr, ExpandItem, QueryOptions } from '../odata/index.js'
import type { ExecContext, ExecResult } from './context.js'
import { keyTieBreak } from './local-window.js'
import type { Row, RowValue } from '../model/row.js'
import type { ExpandedValue, ExpandedValues } from '../serialize/payload.js'

export interface ExpandDeps {
  readonly run: (ctx: ExecContext) => Promise<ExecResult>
  readonly inner: (set: EntitySetDef, query: QueryOptions) => ExecContext
  readonly maxLocalRows: number
}

const EMPTY_QUERY: QueryOptions = { filter: null, orderby: [], select: null, top: null, skip: null, count: false, search: null, skiptoken: null, format: null, days: null, apply: null, expand: null }

/** The values a row relates through: one value, or each element of a collection property. */
function values(v: RowValue | undefined): (string | number)[] {
  if (v === null || v === undefined) return []
  if (Array.isArray(v)) return v as string[]
  return [v as string | number]
}

/** Nested $filter, plus `to eq value` when every source row relates to the same single value. */
function targetFilter(nav: NavigationDef, target: EntitySetDef, sourceValues: Set<string | number>, nested: Expr | null): Expr | null {
  const to = property(target, nav.via.to) as PropertyDef
  if (sourceValues.size !== 1 || to.collection === true) return nested
  return allOf(equals(to, [...sourceValues][0] as string | number), nested)
}

export async function expandPage(source: EntitySetDef, rows: readonly Row[], items: readonly ExpandItem[], deps: ExpandDeps, now: number): Promise<ExpandedValues[]> {
  const out: Record<string, ExpandedValue>[] = rows.map(() => ({}))
  for (const item of items) {
    const { nav, target } = item
    const nested = item.options ?? EMPTY_QUERY
    const sourceValues = new Set(rows.flatMap((r) => values(r[nav.via.from])))
    let related: Row[] = []
    if (sourceValues.size > 0) {
      const query: QueryOptions = { ...EMPTY_QUERY, filter: targetFilter(nav, target, sourceValues, nested.filter), search: nested.search }
      const result = await deps.run(deps.inner(target, query))
      if (result.next !== null) {
        throw bridgeError('BRIDGE_ERR_WINDOW_TOO_LARGE', `Expanding ${nav.name} needs more than ${deps.maxLocalRows} ${target.name} in the bridge; add a $filter inside $expand or a shorter days=N.`, { target: '$expand' })
      }
      related = result.rows
    }
    const index = new Map<string | number, Row[]>()
    for (const r of related) {
      for (const v of values(r[nav.via.to])) {
        const list = index.get(v)
        if (list === undefined) index.set(v, [r])
        else list.push(r)
      }
    }
    const compare = nested.orderby.length === 0 ? null : compileOrderBy(nested.orderby, { now, target: '$expand' })
    const tie = keyTieBreak(target.key)
    rows.forEach((row, i) => {
      const seen = new Set<unknown>()
      const matches: Row[] = []
      for (const v of values(row[nav.via.from])) {
        for (const r of index.get(v) ?? []) {
          if (!seen.has(r[target.key])) {
            seen.add(r[target.key])
            matches.push(r)
          }
        }
      }
      const slot = out[i] as Record<string, ExpandedValue>
      if (!nav.collection) {
        slot[nav.name] = { kind: 'single', row: matches[0] ?? null }
        return
      }
      if (compare !== null) matches.sort((a, b) => compare(a, b) || tie(a, b))
      const skip = nested.skip ?? 0
      const end = nested.top === null ? matches.length : skip + nested.top
      slot[nav.name] = { kind: 'many', rows: matches.slice(skip, end), count: nested.count ? matches.length : null }
    })
  }
  return out
}
