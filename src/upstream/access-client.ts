// UpstreamAccess over the Insights client for one credential, through the
// page cache (keys carry the credential id, so workspaces never share an
// entry; the credential itself goes along so a shared cache can seal what it
// stores). The client bounds the calls in flight per credential.
import { LRUCache } from 'lru-cache'
import type { InsightsClient } from './client.js'
import type { Credential } from './credential.js'
import type { PageCache } from './page-cache.js'
import type { UpstreamAccess } from './access.js'

export interface AccessFactory {
  (credential: Credential, signal?: AbortSignal): UpstreamAccess
}

/**
 * How pages are asked for: 'auto' probes once per upstream and route whether a
 * larger `size` is honoured (the client remembers the finding); a number asks
 * for that size. `undefined` means "send no size": the upstream's default.
 */
export type UpstreamPageSize = 'auto' | number

/** How long pages read ahead for a load's next request may take to arrive; past it they are dropped (docs/reliability.md). */
export const READ_AHEAD_MS = 30_000

/** Thrown by the read of an order that is not held: get() then answers null. */
const NOT_HELD = Symbol('not held')

/**
 * `orders` holds the orders of loads answered in several pages (see
 * UpstreamAccess.keepOrder): a page cache of its own, with a TTL as long as a
 * load may last.
 */
export function clientAccess(client: InsightsClient, cache: PageCache, pageSize: UpstreamPageSize = 'auto', orders: PageCache = cache): AccessFactory {
  const facts = new LRUCache<string, Promise<unknown>>({ max: 10_000 })
  return (credential, signal) => {
    const id = client.credentialId(credential)
    const sizeFor = async (route: 'tasks' | 'automation'): Promise<number | undefined> => {
      if (pageSize !== 'auto') return pageSize
      const finding = await client.pageSize(credential, route)
      return finding.honoured ? finding.pageSize : undefined
    }
    return {
      async pageSize(route) {
        if (pageSize !== 'auto') return pageSize
        return (await client.pageSize(credential, route)).pageSize
      },
      taskPage: async (page, days, fresh) => {
        const size = await sizeFor('tasks')
        return cache.get(`${id} tasks days=${days} size=${size ?? '-'} page=${page}`, (s) => client.tasks(credential, { page, days, signal: s, ...(size === undefined ? {} : { size }) }), fresh, credential, signal)
      },
      readAhead(page, days) {
        // For the next request of the load: stopped when this request's client
        // leaves before its answer is whole, or when no next request came in time.
        const within = AbortSignal.timeout(READ_AHEAD_MS)
        const stop = signal === undefined ? within : AbortSignal.any([signal, within])
        void sizeFor('tasks').then((size) => cache.get(`${id} tasks days=${days} size=${size ?? '-'} page=${page}`,
          (s) => client.tasks(credential, { page, days, signal: s, ...(size === undefined ? {} : { size }) }), false, credential, stop)).catch(() => undefined)
      },
      automationPage: async (page, params) => {
        const size = await sizeFor('automation')
        return cache.get(`${id} automation filterBy=${params.filterBy} automation=${JSON.stringify(params.automation ?? null)} size=${size ?? '-'} page=${page}`,
          (s) => client.automations(credential, {
            page,
            ...(size === undefined ? {} : { size }),
            filterBy: params.filterBy,
            ...(params.automation === undefined ? {} : { automation: params.automation }),
            signal: s
          }), false, credential, signal)
      },
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
      },
      runners: (params) =>
        cache.get(`${id} runners filterBy=${params.filterBy} runner=${JSON.stringify(params.runner ?? null)}`,
          (s) => client.runners(credential, {
            filterBy: params.filterBy,
            ...(params.runner === undefined ? {} : { runner: params.runner }),
            signal: s
          }), false, credential, signal)
    }
  }
}
