// Query parameters read as Spring MVC binds them: the first of repeated values,
// empty means the default, and a value that is no Java int is a 400.
import { SpringError } from './spring-error.js'

export type Query = Readonly<Record<string, string | string[] | undefined>>

const JAVA_INT_MAX = 2_147_483_647
/** Spring Data's default max-page-size. */
export const MAX_PAGE_SIZE = 2000

export function firstValue(query: Query, name: string): string | undefined {
  const value = query[name]
  return Array.isArray(value) ? value[0] : value
}

export function allValues(query: Query, name: string): string[] {
  const value = query[name]
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}

/** A non-negative int parameter (page, days, filterBy). */
export function countParam(query: Query, name: string, fallback: number): number {
  const raw = firstValue(query, name)
  if (raw === undefined || raw === '') return fallback
  const value = /^[+-]?\d+$/.test(raw) ? Number(raw) : Number.NaN
  if (!(Math.abs(value) <= JAVA_INT_MAX)) {
    throw new SpringError(400, `Failed to convert value of type 'java.lang.String' to required type 'int'; For input string: "${raw}"`)
  }
  if (value < 0) {
    throw new SpringError(400, name === 'page' ? 'Page index must not be less than zero' : `Parameter '${name}' must not be less than zero`)
  }
  return value
}

/**
 * Rows per page. The real routes may ignore `size`; with honorSize the
 * simulator binds it like Spring's pageable resolver: invalid or < 1 falls
 * back to the default, larger than 2000 is capped.
 */
export function pageSizeParam(query: Query, pageSize: number, honorSize: boolean): number {
  const raw = firstValue(query, 'size')
  if (!honorSize || raw === undefined || !/^\d+$/.test(raw)) return pageSize
  const size = Number(raw)
  return size < 1 ? pageSize : Math.min(size, MAX_PAGE_SIZE)
}
