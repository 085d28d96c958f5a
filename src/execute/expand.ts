// $expand: for a page of source rows, read the related rows of each expanded
// navigation property (the read the planner plans for it: planExpand), then
// match them by the model's relation and apply the nested
// $orderby/$skip/$top/$count.
import { bridgeError } from '../errors.js'
import { compileOrderBy } from '../evaluate/index.js'
import type { ExpandItem } from '../odata/index.js'
import { EMPTY_QUERY } from '../plan/planner.js'
import type { ExecResult } from './context.js'
import { keyTieBreak } from './local-window.js'
import type { Row, RowValue } from '../model/row.js'
import type { ExpandedValue, ExpandedValues } from '../serialize/payload.js'

export interface ExpandDeps {
  /** Reads the rows an expand item relates to the source values (every one: next is null unless too many). */
  readonly read: (item: ExpandItem, sourceValues: ReadonlySet<string | number>) => Promise<ExecResult>
  /** Related rows one item may read for a page (EXPAND_MAX_ROWS). */
  readonly maxRows: number
}

/** The values a row relates through: one value, or each element of a collection property. */
function values(v: RowValue | undefined): (string | number)[] {
  if (v === null || v === undefined) return []
  if (Array.isArray(v)) return v as string[]
  return [v as string | number]
}

/** The query that reads an expansion's rows as a set of its own. */
function alternative(item: ExpandItem): string {
  const { nav, target } = item
  if (target.name === 'Tasks') return nav.name === 'Tasks' ? "Automations('label')/Tasks or Tasks?$filter=activityLabel eq 'label'" : `${target.name} filtered by ${nav.via.to}`
  return `${target.name}?$filter=${nav.via.to} eq …`
}

export async function expandPage(rows: readonly Row[], items: readonly ExpandItem[], deps: ExpandDeps, now: number): Promise<ExpandedValues[]> {
  const out: Record<string, ExpandedValue>[] = rows.map(() => ({}))
  for (const item of items) {
    const { nav, target } = item
    const nested = item.options ?? EMPTY_QUERY
    const sourceValues = new Set(rows.flatMap((r) => values(r[nav.via.from])))
    let related: Row[] = []
    if (sourceValues.size > 0) {
      const result = await deps.read(item, sourceValues)
      if (result.next !== null) {
        throw bridgeError('BRIDGE_ERR_WINDOW_TOO_LARGE', `Expanding ${nav.name} relates this page to more than ${deps.maxRows} ${target.name}, the most one expansion reads (EXPAND_MAX_ROWS); an answer that large is better read as a set of its own, paged: ${alternative(item)}. Or narrow the expansion with a $filter inside it (e.g. $expand=${nav.name}($filter=…)), a shorter days=N, or fewer rows per page ($top, Prefer: odata.maxpagesize).`, { target: '$expand' })
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
