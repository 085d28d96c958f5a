// Residual work over rows held in memory: filter, search, order (with the key
// as last tie-breaker so pages are stable), then $skip/$top and the page cut.
import type { Row } from '../model/row.js'

export interface RowTests {
  readonly filter: ((row: Row) => boolean) | null
  readonly search: ((row: Row) => boolean) | null
  readonly compare: ((a: Row, b: Row) => number) | null
}

export interface WindowRequest {
  readonly skip: number
  /** Rows the client still wants in all (its $top minus what earlier pages gave), or null. */
  readonly top: number | null
  /** Offset into the ordered result where this page starts (from the skiptoken). */
  readonly offset: number
  readonly pageSize: number
  /** How many rows matched, when `all` holds only the first of them, already in order. */
  readonly matched?: number
}

export interface WindowPage {
  readonly rows: Row[]
  /** Rows matching filter and search (before $skip/$top): the $count value. */
  readonly matched: number
  /** Offset of the next page, or null on the last one. */
  readonly nextOffset: number | null
}

export function keyTieBreak(key: string): (a: Row, b: Row) => number {
  return (a, b) => {
    const x = a[key] as string | number
    const y = b[key] as string | number
    return x < y ? -1 : x > y ? 1 : 0
  }
}

export function matches(residual: RowTests): (row: Row) => boolean {
  const { filter, search } = residual
  if (filter !== null && search !== null) return (r) => filter(r) && search(r)
  return filter ?? search ?? (() => true)
}

export function applyWindow(all: readonly Row[], residual: RowTests, key: string, request: WindowRequest): WindowPage {
  const keep = matches(residual)
  const rows = residual.filter === null && residual.search === null ? [...all] : all.filter(keep)
  if (residual.compare !== null) {
    const compare = residual.compare
    const tie = keyTieBreak(key)
    rows.sort((a, b) => compare(a, b) || tie(a, b))
  }
  const total = request.matched ?? rows.length
  const start = request.skip + request.offset
  const end = request.top === null ? total : Math.min(total, request.skip + request.top)
  const pageEnd = Math.min(end, start + request.pageSize)
  return {
    rows: rows.slice(start, pageEnd),
    matched: total,
    nextOffset: pageEnd < end ? pageEnd - request.skip : null
  }
}
