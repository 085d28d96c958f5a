// Spring Data's Page envelope. The routes sort inside their query and build
// the page unsorted, so `sort` reads unsorted (as in the docs' examples) unless
// a route says the page was sorted by a `sort` parameter it honoured.
import type { SpringPage, SpringSort } from '../upstream/wire.js'

const UNSORTED: SpringSort = { sorted: false, empty: true, unsorted: true }
const SORTED: SpringSort = { sorted: true, empty: false, unsorted: false }

export function springPage<T>(content: T[], page: number, size: number, totalElements: number, sorted = false): SpringPage<T> {
  const totalPages = Math.ceil(totalElements / size)
  const sort = sorted ? SORTED : UNSORTED
  return {
    content,
    pageable: { pageNumber: page, pageSize: size, sort: { ...sort }, offset: page * size, paged: true, unpaged: false },
    totalPages,
    totalElements,
    last: page + 1 >= totalPages,
    size,
    number: page,
    sort: { ...sort },
    numberOfElements: content.length,
    first: page === 0,
    empty: content.length === 0
  }
}

/** The rows of one page out of a fully computed list. */
export function pageOf<T>(rows: readonly T[], page: number, size: number): SpringPage<T> {
  return springPage(rows.slice(page * size, page * size + size), page, size, rows.length)
}
