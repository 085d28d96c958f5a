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
import { TaskLedger } from './task-ledger.js'
import type { LedgerStats } from './task-ledger.js'
import type { LedgerStore } from './ledger-store.js'

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

/** The task ledger's settings (task-ledger.ts); maxBytes 0 turns it off. */
export interface LedgerSettings {
  readonly ttlMs: number
  readonly verifyMs: number
  /** Bound of all ledgers together. */
  readonly maxBytes: number
  readonly now: () => number
  /** Where ledgers are kept for the other replicas and the next start (REDIS_URL). */
  readonly store?: LedgerStore
}

export const NO_LEDGER: LedgerSettings = { ttlMs: 0, verifyMs: 0, maxBytes: 0, now: Date.now }

/** What the ledgers of this process hold (metrics), and the saving of those not yet kept (at shutdown). */
export interface LedgersView {
  stats(): LedgerStats
  flush(): Promise<void>
}

/** A ledger is kept (LedgerSettings.store) once it has not changed for this long, or at the latest this long after it first changed. */
const SAVE_QUIET_MS = 2_000
const SAVE_AT_LATEST_MS = 60_000

/** A ledger of one credential and window, and its keeping in the shared store. */
interface Held {
  readonly ledger: TaskLedger
  readonly credential: Credential
  readonly name: string
  /** Resolves once what the store kept has been taken (or not). */
  ready: Promise<void>
  checkedAt: number
  checking: Promise<void> | null
  savedVersion: number
  save: { timer: NodeJS.Timeout; firstChange: number; lastChange: number } | null
}

/** Epoch ms on the clock read stamps are made on (page-cache.ts). */
const stampClockMs = (): number => performance.timeOrigin + performance.now()

/** paramsKey, once per parameters object (a plan's parameters serve every page read of its request). */
const paramKeys = new WeakMap<ReadParams, string>()
function keyOf(params: ReadParams): string {
  let key = paramKeys.get(params)
  if (key === undefined) {
    key = paramsKey(params)
    paramKeys.set(params, key)
  }
  return key
}

/** Thrown by the read of an order that is not held: get() then answers null. */
const NOT_HELD = Symbol('not held')

/**
 * `orders` holds the orders of loads answered in several pages (see
 * UpstreamAccess.keepOrder): a page cache of its own, with a TTL as long as a
 * load may last.
 */
export function clientAccess(client: InsightsClient, cache: PageCache, pageSize: UpstreamPageSize = 'auto', orders: PageCache = cache, taskOrder: TaskOrderOptions = { setting: 'auto' }, ledgerSettings: LedgerSettings = NO_LEDGER, ledgersView?: (view: LedgersView) => void): AccessFactory {
  // Marks of the Tasks order are noted in the order found; none when it is no order by date.
  let listing: TaskOrder = 'newest-first'
  const facts = new LRUCache<string, Promise<unknown>>({ max: 10_000 })
  // What reads showed of each credential's upstream: the figures estimates are made from.
  const seen = new LRUCache<string, { marks: OrderMarks; totals: LRUCache<string, number> }>({ max: 256 })
  let noted = new WeakSet<object>()
  // One ledger per credential and window of the tasks route, all within maxBytes together.
  const ledgers = new LRUCache<string, Held>({ max: 1024, maxSize: Math.max(1, ledgerSettings.maxBytes), sizeCalculation: (h) => Math.max(1, h.ledger.heldBytes) })
  const shared = ledgerSettings.store
  const saveNow = async (h: Held): Promise<void> => {
    if (h.save !== null) clearTimeout(h.save.timer)
    h.save = null
    const version = h.ledger.version
    const snapshot = h.ledger.snapshot()
    if (shared === undefined || snapshot === null || version === h.savedVersion) return
    h.savedVersion = version
    await shared.save(h.credential, h.name, snapshot)
  }
  const changed = (h: Held): void => {
    if (shared === undefined || h.ledger.version === h.savedVersion) return
    const now = Date.now()
    if (h.save !== null) {
      h.save.lastChange = now
      return
    }
    const arm = (ms: number): NodeJS.Timeout => {
      const timer = setTimeout(() => {
        const s = h.save
        if (s === null) return
        const quietFor = Date.now() - s.lastChange
        if (quietFor < SAVE_QUIET_MS && Date.now() - s.firstChange < SAVE_AT_LATEST_MS) s.timer = arm(SAVE_QUIET_MS - quietFor)
        else saveNow(h).catch(() => undefined)
      }, ms)
      timer.unref()
      return timer
    }
    h.save = { timer: arm(SAVE_QUIET_MS), firstChange: now, lastChange: now }
  }
  ledgersView?.({
    stats: () => {
      const sum: LedgerStats = { tasks: 0, bytes: 0, served: 0, noted: 0, resets: 0, finalChanged: 0 }
      for (const h of ledgers.values()) for (const [k, v] of Object.entries(h.ledger.stats())) sum[k as keyof LedgerStats] += v
      return sum
    },
    flush: async () => {
      await Promise.all([...ledgers.values()].filter((h) => h.save !== null).map((h) => saveNow(h).catch(() => undefined)))
    }
  })
  const found = (finding: TaskOrderFinding): void => {
    if (finding.order === listing) return
    ledgers.clear()
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
    const noteTotal = (route: string, params: ReadParams, total: number): void => { known().totals.set(`${route} ${keyOf(params)}`, total) }
    // The ledger of this credential's tasks read with these parameters: only in the order it mirrors.
    const heldOf = (params: ReadParams, create: boolean): Held | null => {
      if (ledgerSettings.maxBytes <= 0 || ledgerSettings.ttlMs <= 0 || listing !== 'newest-first') return null
      const key = `${id} ${keyOf(params)}`
      let held = ledgers.get(key)
      if (held === undefined && create) {
        const days = Number(params['days'])
        const ledger = new TaskLedger({ ...ledgerSettings, upstreamNow: () => client.clock.now(), windowDays: Number.isFinite(days) ? days : Infinity })
        const h: Held = { ledger, credential, name: `tasks ${keyOf(params)}`, ready: Promise.resolve(), checkedAt: ledgerSettings.now(), checking: null, savedVersion: ledger.version, save: null }
        // What another replica, or this one before a restart, kept.
        if (shared !== undefined) {
          h.ready = shared.load(credential, h.name).then((snapshot) => {
            if (snapshot !== null && h.ledger.restore(snapshot)) h.savedVersion = h.ledger.version
          }).catch(() => undefined)
        }
        held = h
        ledgers.set(key, held)
      }
      return held ?? null
    }
    const ledgerOf = (params: ReadParams, create: boolean): TaskLedger | null => heldOf(params, create)?.ledger ?? null
    /** Takes the ledger another replica kept when it was placed by a later read than this one's, at most once per CACHE_TTL_S. */
    const catchUp = async (h: Held): Promise<void> => {
      await h.ready
      if (shared === undefined || h.ledger.fresh()) return
      if (h.checking === null && ledgerSettings.now() - h.checkedAt >= ledgerSettings.ttlMs) {
        h.checkedAt = ledgerSettings.now()
        h.checking = (async () => {
          const at = await shared.placedAt(credential, h.name)
          if (at === null || at <= (h.ledger.placedAt() ?? -Infinity)) return
          const snapshot = await shared.load(credential, h.name)
          if (snapshot !== null && h.ledger.restore(snapshot)) h.savedVersion = h.ledger.version
        })().catch(() => undefined).finally(() => { h.checking = null })
      }
      await h.checking
    }
    const sizeFor = async (route: PagedRoute): Promise<number | undefined> => {
      if (pageSize !== 'auto') return pageSize
      const finding = await client.pageSize(credential, route)
      return finding.honoured ? finding.pageSize : undefined
    }
    // Pages this request has read: past READS_BEFORE_TURNS, it is long work.
    let reads = 0
    // Pages this request reads ahead for the next, in order, client.concurrency at once.
    const ahead: { waits: () => boolean; run: () => Promise<void> }[] = []
    let aheadInFlight = 0
    const pumpAhead = (): void => {
      while (aheadInFlight < client.concurrency && ahead.length > 0) {
        if (aheadInFlight > 0 && (ahead[0] as { waits: () => boolean }).waits()) return
        const job = ahead.shift() as { run: () => Promise<void> }
        aheadInFlight++
        job.run().catch(() => undefined).finally(() => {
          aheadInFlight--
          pumpAhead()
        })
      }
    }
    const pageKey = (route: PagedRoute, page: number, params: ReadParams, size: number | undefined): string => `${id} ${route} ${keyOf(params)} size=${size ?? '-'} page=${page}`
    const readPage = async <T>(route: PagedRoute, page: number, params: ReadParams, fresh: boolean, stop: AbortSignal | undefined): Promise<Stamped<SpringPage<T>>> => {
      const size = await sizeFor(route)
      const read = await cache.get<SpringPage<T>>(pageKey(route, page, params, size),
        (s) => client.page<T>(credential, route, { page, params, signal: s, ...(size === undefined ? {} : { size }) }), fresh, credential, stop)
      noteTotal(route, params, read.value.totalElements)
      // A page this process holds was noted when it was read (a scan over cached pages meets each again).
      if (route === 'tasks' && listing !== 'unknown' && !noted.has(read.value)) {
        noted.add(read.value)
        const tasks = read.value as SpringPage<unknown> as SpringPage<WireTask>
        known().marks.notePage(tasks, listing === 'oldest-first')
        const held = heldOf(params, true)
        if (held !== null) {
          await held.ready
          held.ledger.note(tasks, read.stamp, read.cached ? stampClockMs() - read.stamp.ended / 1000 : 0)
          ledgers.set(`${id} ${keyOf(params)}`, held)
          changed(held)
        }
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
      async ledgerPage(page, params) {
        const held = heldOf(params, true)
        if (held === null) return null
        await catchUp(held)
        // Pages of another size than this bridge asks for (a replica set otherwise) are not this request's pages.
        const size = await sizeFor('tasks')
        if (size !== undefined && held.ledger.pageSize !== size) return null
        const served = held.ledger.page(page)
        // Pages from the ledger resolve at once, like pages from the cache: take turns.
        if (served !== null && ++reads > READS_BEFORE_TURNS) await takeTurn()
        return served
      },
      ledgerHolds: (page, params) => ledgerOf(params, false)?.holds(page) ?? false,
      ledgerLater: (page, params) => ledgerOf(params, false)?.later(page) ?? false,
      readAhead(route, page, params) {
        // For the next request of the load: stopped when this request's client
        // leaves before its answer is whole, or when no next request came in time.
        // A page the cache holds costs nothing (a scan over cached pages asks for
        // many), nor one the task ledger stands for by its turn: pages go in the
        // order asked, as many at once as the upstream takes, and one read before
        // may have placed the ledger (the first page holding tasks it knows).
        const within = AbortSignal.timeout(READ_AHEAD_MS)
        ahead.push({
          // A page the ledger may stand for once the pages before it are read waits for them.
          waits: () => route === 'tasks' && ledgerOf(params, false)?.later(page) === true,
          run: async () => {
            if (within.aborted || signal?.aborted === true) return
            if (route === 'tasks' && ledgerOf(params, false)?.holds(page) === true) return
            if (cache.holds(pageKey(route, page, params, await sizeFor(route)))) return
            await readPage(route, page, params, false, signal === undefined ? within : AbortSignal.any([signal, within]))
          }
        })
        pumpAhead()
      },
      async list<T>(route: 'runners', params: ReadParams): Promise<Stamped<T[]>> {
        const read = await cache.get<T[]>(`${id} ${route} ${keyOf(params)}`, (s) => client.list<T>(credential, route, { params, signal: s }), false, credential, signal)
        noteTotal(route, params, read.value.length)
        return read
      },
      total: (route, params) => seen.get(id)?.totals.get(`${route} ${keyOf(params)}`) ?? null,
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
