import { bridgeError } from '../errors.js'
import type { SpringPage } from './wire.js'

/** Fetches page `page` (0-based); `size` when the upstream honours it. */
export type PageFetcher<T> = (page: number, size?: number) => Promise<SpringPage<T>>

export interface PageIteratorOptions {
  startPage?: number
  /** Page size to ask for; dropped after the first page if the upstream does not honour it. */
  size?: number
  /** Stop after this many pages even if more remain. */
  maxPages?: number
}

/**
 * The pages of a paged route from `startPage` until the upstream says `last` (or `empty`),
 * as the official SDKs loop: `page = number + 1`. Learns the page size from the responses.
 */
export class PageIterator<T> implements AsyncIterable<SpringPage<T>> {
  /** The upstream's page size, known once a page has arrived. */
  pageSize: number | undefined
  readonly #fetchPage: PageFetcher<T>
  readonly #options: PageIteratorOptions

  constructor(fetchPage: PageFetcher<T>, options: PageIteratorOptions = {}) {
    this.#fetchPage = fetchPage
    this.#options = options
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SpringPage<T>, void, undefined> {
    let number = this.#options.startPage ?? 0
    let size = this.#options.size
    for (let fetched = 1; ; fetched++) {
      const page = await this.#fetchPage(number, size)
      if (page.number !== number) {
        throw bridgeError('UPSTREAM_BAD_RESPONSE', `BotCity Insights answered page ${page.number} when asked for page ${number}.`)
      }
      this.pageSize = page.size
      if (size !== undefined && page.size !== size) size = undefined
      yield page
      if (page.last || page.empty || number + 1 >= page.totalPages) return
      if (this.#options.maxPages !== undefined && fetched >= this.#options.maxPages) return
      number += 1
    }
  }
}

export function iteratePages<T>(fetchPage: PageFetcher<T>, options?: PageIteratorOptions): PageIterator<T> {
  return new PageIterator(fetchPage, options)
}
