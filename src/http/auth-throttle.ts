// Failed sign-ins cost time: per (client address, login) pair, the first few
// failures are free (typing mistakes), then each one makes the pair wait
// twice as long before the next attempt (429 with Retry-After), up to a
// ceiling. Never a lockout: the wait ends, and a pair forgets its failures
// after a quiet spell. Per pair, not per address alone, since the Power BI
// service sends many tenants' refreshes from shared addresses, and not per
// login alone, so nobody can keep another user out.
import { LRUCache } from 'lru-cache'

export interface AuthThrottleOptions {
  /** Failures before any wait (default 3). */
  readonly free?: number
  /** Longest wait, ms (default 60 s). */
  readonly maxDelayMs?: number
  /** A pair without failures for this long starts over (default 15 min). */
  readonly forgetMs?: number
  readonly now?: () => number
}

export interface AuthThrottle {
  /** ms the pair must still wait before another attempt (0: go ahead). */
  waitMs(address: string, login: string): number
  failed(address: string, login: string): void
  succeeded(address: string, login: string): void
}

interface Failures { count: number; until: number }

export function createAuthThrottle(options: AuthThrottleOptions = {}): AuthThrottle {
  const free = options.free ?? 3
  const maxDelayMs = options.maxDelayMs ?? 60_000
  const now = options.now ?? Date.now
  // lru-cache reads a start time of 0 as "no TTL": its clock counts from 1.
  const origin = now()
  const pairs = new LRUCache<string, Failures>({ max: 100_000, ttl: options.forgetMs ?? 15 * 60_000, ttlResolution: 0, perf: { now: () => now() - origin + 1 } })
  const key = (address: string, login: string): string => `${address}\0${login}`
  return {
    waitMs(address, login) {
      const f = pairs.get(key(address, login))
      return f === undefined ? 0 : Math.max(0, f.until - now())
    },
    failed(address, login) {
      const k = key(address, login)
      const f = pairs.get(k) ?? { count: 0, until: 0 }
      f.count++
      f.until = f.count <= free ? 0 : now() + Math.min(maxDelayMs, 1000 * 2 ** (f.count - free - 1))
      pairs.set(k, f)
    },
    succeeded(address, login) {
      pairs.delete(key(address, login))
    }
  }
}
