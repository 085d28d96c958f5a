// What REDIS_URL turns on: one Redis connection, and the page and token caches
// built over it (redis-page-cache.ts, redis-token-cache.ts) in place of the
// in-process ones. Without REDIS_URL none of this exists and every cache stays
// in memory.
import type { UpstreamLogger } from './observability.js'
import type { PageCache, PageCacheOptions } from './page-cache.js'
import { createSharedPageCache, type SharedPageCache, type SharedPageCacheStats } from './redis-page-cache.js'
import { createRedisStore, type RedisStore } from './redis-store.js'
import { createSharedTokenCache, type SharedTokenCache, type SharedTokenCacheStats } from './redis-token-cache.js'
import { sealedBoxes } from './sealed-box.js'
import { redisLedgerStore, type LedgerStore } from './ledger-store.js'
import type { BridgeKeys } from '../keys.js'
import type { TokenCache, TokenCacheOptions } from './token-cache.js'

export interface SharedCacheOptions {
  readonly url: string
  readonly prefix: string
  readonly logger?: UpstreamLogger | undefined
  /** BRIDGE_SECRET's keys: key names carry keyed credential ids, sealing keys are salted (src/keys.ts). */
  readonly keys: BridgeKeys
  /** Longest wait for one Redis command before falling back to the upstream (default 1000 ms). */
  readonly commandTimeoutMs?: number
}

export interface SharedCacheStatus {
  readonly store: 'redis'
  /** Whether Redis answers now; when not, the replica reads from the upstream on its own. */
  readonly connected: boolean
}

export interface SharedCacheStats {
  /** Redis commands that failed or timed out. */
  errors: number
  /** Redis commands skipped while the connection was down. */
  skipped: number
  page: SharedPageCacheStats | null
  token: SharedTokenCacheStats | null
}

export interface SharedCache {
  readonly store: RedisStore
  /** The page cache to use in place of createPageCache's. */
  pageCache(options: PageCacheOptions): PageCache
  /** Another shared cache for other values (the orders of loads), its figures not counted as pages'. */
  otherCache(options: PageCacheOptions): PageCache
  /** Where task ledgers are kept (ledger-store.ts), each for `ttlMs` after its last save. */
  ledgerStore(ttlMs: number): LedgerStore
  /** For createInsightsClient's `tokenCache`. */
  tokenCache(options: TokenCacheOptions): TokenCache
  status(): SharedCacheStatus
  stats(): SharedCacheStats
  close(): Promise<void>
}

export function createSharedCache(options: SharedCacheOptions): SharedCache {
  const store = createRedisStore({ url: options.url, prefix: options.prefix, logger: options.logger, ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }) })
  const boxes = sealedBoxes(options.keys)
  let pages: SharedPageCache | null = null
  let tokens: SharedTokenCache | null = null
  return {
    store,
    pageCache(pageOptions) {
      pages = createSharedPageCache({ ...pageOptions, store, boxes, credentialId: options.keys.credentialId })
      return pages
    },
    otherCache(otherOptions) {
      return createSharedPageCache({ ...otherOptions, store, boxes, credentialId: options.keys.credentialId })
    },
    ledgerStore(ttlMs) {
      return redisLedgerStore({ store, boxes, credentialId: options.keys.credentialId, ttlMs })
    },
    tokenCache(tokenOptions) {
      tokens = createSharedTokenCache({ ...tokenOptions, store, boxes })
      return tokens
    },
    status: () => ({ store: 'redis', connected: store.ready() }),
    stats: () => ({ ...store.stats(), page: pages?.stats() ?? null, token: tokens?.stats() ?? null }),
    close: () => store.close()
  }
}
