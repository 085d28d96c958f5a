// UpstreamAccess over the Insights client for one credential, through the
// page cache (keys carry the credential id, so workspaces never share an
// entry; the credential itself goes along so a shared cache can seal what it
// stores). The client bounds the calls in flight per credential.
import { LRUCache } from 'lru-cache'
import type { InsightsClient, PagedRoute, ReadParams } from './client.js'
import { OrderMarks } from './order-marks.js'
import type { SpringPage, WireTask } from './wire.js'
import type { Credential } from './credential.js'
import type { PageCache, Stamped } from './page-cache.js'
import type { UpstreamAccess } from './access.js'
import { configuredOrder } from './task-order.js'
import type { TaskOrder, TaskOrderFinding } from './task-order.js'
import type { TaskOrderSetting } from '../config.js'
import { takeTurn } from '../take-turns.js'

export interface AccessFactory {
  (credential: Credential, signal?: AbortSignal): UpstreamAccess
}

/**
 * How pages are asked for: 'auto' probes once per upstream and route whether a
 * larger `size` is honoured (the client remembers the finding); a number asks
 * for that size. `undefined` means "send no size": the upstream's default.
 */
export type UpstreamPageSize = 'auto' | number

/** How the Tasks order is known (UPSTREAM_TASK_ORDER), and who is told of it (metrics). */
export interface TaskOrderOptions {
  readonly setting: TaskOrderSetting
  /** Each request's finding. */
  readonly onFinding?: (finding: TaskOrderFinding) => void
  /** A page contradicted the finding. */
  readonly onContradiction?: () => void
}

/** How long pages read ahead for a load's next request may take to arrive; past it they are dropped (docs/reliability.md). */
export const READ_AHEAD_MS = 30_000

/** Pages a request reads before it takes turns on the event loop with other long work (take-turns.ts). */
export const READS_BEFORE_TURNS = 4

/** A cache key's rendering of a read's parameters: sorted, values JSON-quoted so none can run into the next. */
function paramsKey(params: ReadParams): string {
  return Object.keys(params).sort().map((k) => `${k}=${JSON.stringify(params[k])}`).join(' ')
}

/** Thrown by the read of an order that is not held: get() then answers null. */
const NOT_HELD = Symbol('not held')

/**
 * `orders` holds the orders of loads answered in several pages (see
 * UpstreamAccess.keepOrder): a page cache of its own, with a TTL as long as a
 * load may last.
 */
export function clientAccess(client: InsightsClient, cache: PageCache, pageSize: UpstreamPageSize = 'auto', orders: PageCache = cache, taskOrder: TaskOrderOptions = { setting: 'auto' }): AccessFactory {
  // Marks of the Tasks order are noted in the order found; none when it is no order by date.
  let listing: TaskOrder = 'newest-first'
  const facts = new LRUCache<string, Promise<unknown>>({ max: 10_000 })
  // What reads showed of each credential's upstream: the figures estimates are made from.
  const seen = new LRUCache<string, { marks: OrderMarks; totals: LRUCache<string, number> }>({ max: 256 })
  let noted = new WeakSet<object>()
  const found = (finding: TaskOrderFinding): void => {
    if (finding.order === listing) return
    noted = new WeakSet<object>()
    // Marks noted under another order say nothing of this one.
    listing = finding.order
    seen.forEach((k) => { k.marks = new OrderMarks() })
  }
  return (credential, signal) => {
    const id = client.credentialId(credential)
    const known = (): { marks: OrderMarks; totals: LRUCache<string, number> } => {
      let k = seen.get(id)
      if (k === undefined) {
        k = { marks: new OrderMarks(), totals: new LRUCache<string, number>({ max: 256 }) }
        seen.set(id, k)
      }
      return k
    }
    const noteTotal = (route: string, params: ReadParams, total: number): void => { known().totals.set(`${route} ${paramsKey(params)}`, total) }
    const sizeFor = async (route: PagedRoute): Promise<number | undefined> => {
      if (pageSize !== 'auto') return pageSize
      const finding = await client.pageSize(credential, route)
      return finding.honoured ? finding.pageSize : undefined
    }
    // Pages this request has read: past READS_BEFORE_TURNS, it is long work.
    let reads = 0
    const pageKey = (route: PagedRoute, page: number, params: ReadParams, size: number | undefined): string => `${id} ${route} ${paramsKey(params)} size=${size ?? '-'} page=${page}`
    const readPage = async <T>(route: PagedRoute, page: number, params: ReadParams, fresh: boolean, stop: AbortSignal | undefined): Promise<Stamped<SpringPage<T>>> => {
      const size = await sizeFor(route)
      const read = await cache.get<SpringPage<T>>(pageKey(route, page, params, size),
        (s) => client.page<T>(credential, route, { page, params, signal: s, ...(size === undefined ? {} : { size }) }), fresh, credential, stop)
      noteTotal(route, params, read.value.totalElements)
      // A page this process holds was noted when it was read (a scan over cached pages meets each again).
      if (route === 'tasks' && listing !== 'unknown' && !noted.has(read.value)) {
        noted.add(read.value)
        known().marks.notePage(read.value as SpringPage<unknown> as SpringPage<WireTask>, listing === 'oldest-first')
      }
      // A read from the cache resolves at once: a scan over many would hold the
      // event loop. A request's first reads go on at once, so one that reads a
      // page or two never waits behind long work.
      if (++reads > READS_BEFORE_TURNS) await takeTurn()
      return read
    }
    return {
      async pageSize(route) {
        if (pageSize !== 'auto') return pageSize
        return (await client.pageSize(credential, route)).pageSize
      },
      page: <T>(route: PagedRoute, page: number, params: ReadParams, fresh = false) => readPage<T>(route, page, params, fresh, signal),
      readAhead(route, page, params) {
        // For the next request of the load: stopped when this request's client
        // leaves before its answer is whole, or when no next request came in time.
        // A page the cache holds costs nothing (a scan over cached pages asks for many).
        const ahead = async (): Promise<void> => {
          if (cache.holds(pageKey(route, page, params, await sizeFor(route)))) return
          const within = AbortSignal.timeout(READ_AHEAD_MS)
          await readPage(route, page, params, false, signal === undefined ? within : AbortSignal.any([signal, within]))
        }
        ahead().catch(() => undefined)
      },
      async list<T>(route: 'runners', params: ReadParams): Promise<Stamped<T[]>> {
        const read = await cache.get<T[]>(`${id} ${route} ${paramsKey(params)}`, (s) => client.list<T>(credential, route, { params, signal: s }), false, credential, signal)
        noteTotal(route, params, read.value.length)
        return read
      },
      total: (route, params) => seen.get(id)?.totals.get(`${route} ${paramsKey(params)}`) ?? null,
      async taskOrder() {
        const { setting } = taskOrder
        const finding = setting === 'auto' ? await client.taskOrder(credential) : configuredOrder(setting)
        found(finding)
        taskOrder.onFinding?.(finding)
        return finding
      },
      orderContradicted() {
        if (taskOrder.setting === 'auto') client.forgetTaskOrder()
        taskOrder.onContradiction?.()
      },
      orderMarks: () => seen.get(id)?.marks.list() ?? [],
      upstreamNow: () => client.clock.now(),
      async keepOrder(load, ids) {
        await orders.get(`${id} order ${load}`, async () => [...ids], true, credential)
      },
      async order(load) {
        try {
          return (await orders.get<readonly number[]>(`${id} order ${load}`, async () => { throw NOT_HELD }, false, credential)).value
        } catch (err) {
          if (err === NOT_HELD) return null
          throw err
        }
      },
      remember<T>(name: string, compute: () => Promise<T>): Promise<T> {
        const key = `${id} ${name}`
        let known = facts.get(key) as Promise<T> | undefined
        if (known === undefined) {
          known = compute()
          facts.set(key, known)
          // A failed attempt is not a fact: the next request works it out again.
          known.catch(() => { if (facts.get(key) === known) facts.delete(key) })
        }
        return known
      }
    }
  }
}
