// Spring Data's Page envelope. The routes sort inside their query and build
// the page unsorted, so `sort` always reads unsorted (as in the docs' examples).
import type { SpringPage, SpringSort } from '../upstream/wire.js'

const UNSORTED: SpringSort = { sorted: false, empty: true, unsorted: true }

export function springPage<T>(content: T[], page: number, size: number, totalElements: number): SpringPage<T> {
  const totalPages = Math.ceil(totalElements / size)
  return {
    content,
    pageable: { pageNumber: page, pageSize: size, sort: { ...UNSORTED }, offset: page * size, paged: true, unpaged: false },
    totalPages,
    totalElements,
    last: page + 1 >= totalPages,
    size,
    number: page,
    sort: { ...UNSORTED },
    numberOfElements: content.length,
    first: page === 0,
    empty: content.length === 0
  }
}

/** The rows of one page out of a fully computed list. */
export function pageOf<T>(rows: readonly T[], page: number, size: number): SpringPage<T> {
  return springPage(rows.slice(page * size, page * size + size), page, size, rows.length)
}
