// The connection to Redis, the shared store of several replicas (REDIS_URL),
// and the one rule every use of it follows: Redis is an optimisation, never a
// dependency. A command runs only while the connection is ready, with a short
// timeout; any failure is logged (at most once per interval), counted, and
// answered with the caller's fallback, so requests go to the upstream instead.
import { setTimeout as sleep } from 'node:timers/promises'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import type { UpstreamLogger } from './observability.js'

export interface RedisStoreOptions {
  /** redis://[user:password@]host:port[/db] or rediss://… (TLS). */
  readonly url: string
  /** Prefix of every key the bridge writes (several deployments may share one Redis). */
  readonly prefix: string
  readonly logger?: UpstreamLogger | undefined
  /** Longest wait for one command before the caller falls back (default 1000 ms). */
  readonly commandTimeoutMs?: number
  /** Least interval between two warnings about the same trouble (default 30 s). */
  readonly warnEveryMs?: number
}

export interface RedisStoreStats {
  /** Commands that failed or timed out (the caller fell back to the upstream). */
  errors: number
  /** Commands not attempted because the connection was down. */
  skipped: number
}

export interface RedisStore {
  readonly redis: Redis
  /** `prefix` + parts joined by ':' (callers pass ids and hashes, never secrets). */
  key(...parts: string[]): string
  /** Whether commands are being sent (connected and ready). */
  ready(): boolean
  /** Runs `op` if the connection is ready; on any failure logs, counts and returns `fallback`. */
  attempt<T>(what: string, op: (redis: Redis) => Promise<T>, fallback: T): Promise<T>
  /** SET NX PX: a lock token when taken, null when another holder has it, undefined when Redis did not answer. */
  lock(key: string, ttlMs: number): Promise<string | null | undefined>
  /** Releases a lock only if it still holds `token`. */
  unlock(key: string, token: string): Promise<void>
  /** Resolves once ready, or false after `ms`. */
  whenReady(ms: number): Promise<boolean>
  stats(): RedisStoreStats
  close(): Promise<void>
}

/** Deletes KEYS[1] only while it holds ARGV[1] (a lock's token, or the exact value a caller saw). */
/**
 * Waits while another replica holds `lock`, polling for the value it will
 * write; null when the holder gives up (lock gone, no value), Redis fails to
 * answer (the value would not reach us either) or the wait ends.
 */
export async function awaitHolder<T>(store: RedisStore, lock: string, load: () => Promise<T | null>, waitMs: number, pollMs: number): Promise<T | null> {
  const deadline = Date.now() + waitMs
  const errors = store.stats().errors
  while (Date.now() < deadline && store.ready() && store.stats().errors === errors) {
    await sleep(pollMs)
    const found = await load()
    if (found !== null) return found
    if (await store.attempt('lock check', (r) => r.exists(lock), 0) === 0) return load()
  }
  return null
}

export const DELETE_IF_EQUAL = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const warnEveryMs = options.warnEveryMs ?? 30_000
  const counters: RedisStoreStats = { errors: 0, skipped: 0 }
  const lastWarned = new Map<string, number>()
  const warn = (trouble: string, err: unknown, what?: string): void => {
    const at = Date.now()
    if (at - (lastWarned.get(trouble) ?? -Infinity) < warnEveryMs) return
    lastWarned.set(trouble, at)
    // The message of an ioredis error names host and port at most; the URL (and its password) is never logged.
    options.logger?.warn({ sharedCache: 'redis', op: what, error: err instanceof Error ? err.message : String(err) },
      'Redis shared cache unavailable: serving from the upstream meanwhile')
  }
  const redis = new Redis(options.url, {
    // A command while disconnected fails at once instead of queueing: the caller falls back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: 2000,
    // Reconnect for ever, backing off to 5 s between attempts.
    retryStrategy: (times) => Math.min(100 * times, 5000),
    lazyConnect: false
  })
  redis.on('error', (err: unknown) => warn('connection', err))
  redis.on('ready', () => {
    if (lastWarned.has('connection') || lastWarned.has('command')) {
      options.logger?.info({ sharedCache: 'redis' }, 'Redis shared cache reachable again')
      lastWarned.clear()
    }
  })

  const store: RedisStore = {
    redis,
    key: (...parts) => `${options.prefix}${parts.join(':')}`,
    ready: () => redis.status === 'ready',
    async attempt(what, op, fallback) {
      if (redis.status !== 'ready') {
        counters.skipped++
        return fallback
      }
      try {
        return await op(redis)
      } catch (err) {
        counters.errors++
        warn('command', err, what)
        return fallback
      }
    },
    async lock(key, ttlMs) {
      const token = randomBytes(12).toString('base64url')
      const taken = await store.attempt('lock', (r) => r.set(key, token, 'PX', Math.max(1, Math.round(ttlMs)), 'NX'), undefined)
      return taken === undefined ? undefined : taken === 'OK' ? token : null
    },
    async unlock(key, token) {
      await store.attempt('unlock', (r) => r.eval(DELETE_IF_EQUAL, 1, key, token), 0)
    },
    whenReady(ms) {
      if (redis.status === 'ready') return Promise.resolve(true)
      return new Promise((resolve) => {
        const done = (ok: boolean): void => {
          clearTimeout(timer)
          redis.off('ready', onReady)
          resolve(ok)
        }
        const onReady = (): void => done(true)
        const timer = setTimeout(() => done(false), ms)
        timer.unref?.()
        redis.on('ready', onReady)
      })
    },
    stats: () => ({ ...counters }),
    async close() {
      if (redis.status === 'ready') {
        await redis.quit().catch(() => redis.disconnect())
      } else {
        redis.disconnect()
      }
    }
  }
  return store
}
