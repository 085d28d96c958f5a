// What a read actually cost: the upstream page reads its executor made (each
// an upstream call unless the page cache held it), the calls among them, and
// the upstream rows they brought. Pages read ahead for the load's next request
// are not this read's: they are not counted (the next request counts them as
// cached reads). Logins, retries and the one-time probes (page size, task order) are not reads.
import type { Estimate, ReadPlan } from '../plan/plan.js'
import type { UpstreamAccess } from '../upstream/access.js'
import type { PagedRoute, ReadParams } from '../upstream/client.js'
import type { Stamped } from '../upstream/page-cache.js'
import type { SpringPage } from '../upstream/wire.js'

export interface Actual {
  reads: number
  /** Reads that reached BotCity (the others came from the page cache or the task ledger). */
  calls: number
  /** Reads the task ledger served. */
  ledger: number
  rows: number
}

/** One read of a request: its plan, its estimate once the first page resolved it, and what it cost. */
export interface ReadRecord {
  readonly plan: ReadPlan
  /** The estimate after the first upstream page told the reads (when it was 'unknown until the first page'). */
  resolved: Estimate | null
  readonly actual: Actual
}

/**
 * `access`, counting into `actual` what goes through it; `first` is told the
 * route's total by the first read; `spend` is asked before each read (it
 * throws when the request may read no more), `mayReadAhead` before each page
 * read ahead (a page the request's budget no longer covers is not read ahead).
 */
export function meteredAccess(access: UpstreamAccess, actual: Actual, first: (total: number) => void = () => undefined, spend: () => void = () => undefined, mayReadAhead: () => boolean = () => true): UpstreamAccess {
  const count = (cached: boolean, rows: number, total: number, ledger = false): void => {
    if (actual.reads++ === 0) first(total)
    if (!cached) actual.calls++
    if (ledger) actual.ledger++
    actual.rows += rows
  }
  return {
    pageSize: (route) => access.pageSize(route),
    async page<T>(route: PagedRoute, page: number, params: ReadParams, fresh?: boolean): Promise<Stamped<SpringPage<T>>> {
      spend()
      const read = await access.page<T>(route, page, params, fresh)
      count(read.cached, read.value.content.length, read.value.totalElements)
      return read
    },
    async ledgerPage(page, params) {
      const read = await access.ledgerPage(page, params)
      if (read !== null) {
        spend()
        count(true, read.value.content.length, read.value.totalElements, true)
      }
      return read
    },
    ledgerHolds: (page, params) => access.ledgerHolds(page, params),
    ledgerLater: (page, params) => access.ledgerLater(page, params),
    readAhead: (route, page, params) => { if (mayReadAhead()) access.readAhead(route, page, params) },
    async list<T>(route: 'runners', params: ReadParams): Promise<Stamped<T[]>> {
      spend()
      const read = await access.list<T>(route, params)
      count(read.cached, read.value.length, read.value.length)
      return read
    },
    total: (route, params) => access.total(route, params),
    taskOrder: () => access.taskOrder(),
    orderContradicted: () => access.orderContradicted(),
    orderMarks: () => access.orderMarks(),
    upstreamNow: () => access.upstreamNow(),
    remember: (name, compute) => access.remember(name, compute),
    keepOrder: (load, ids) => access.keepOrder(load, ids),
    order: (load) => access.order(load)
  }
}
