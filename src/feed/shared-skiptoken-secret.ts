// One $skiptoken secret for every replica when SKIPTOKEN_SECRET is not set but
// REDIS_URL is: the first replica to start stores a random secret (SET NX, no
// expiry), every replica then reads that one, so a nextLink issued by one is
// honoured by any other. While Redis cannot be reached a replica signs with a
// secret of its own (its links then work on it alone) and keeps accepting it
// after it has learnt the shared one; after a Redis restart the first replica
// to reconnect puts the secret it knew back.
import { randomBytes } from 'node:crypto'
import type { RedisStore } from '../upstream/redis-store.js'
import type { UpstreamLogger } from '../upstream/observability.js'
import { skipTokenCodec, type SkipTokenCodec } from './skiptoken.js'

export interface SharedSecret {
  /** Secrets accepted, the one to sign with first. */
  secrets(): readonly string[]
  /** Whether every replica signs with the same secret (learnt from Redis). */
  shared(): boolean
}

/** Learns the shared secret; waits at most `waitMs` for Redis at start, then goes on with a local one. */
export async function sharedSkipTokenSecret(store: RedisStore, options: { waitMs: number; logger?: UpstreamLogger }): Promise<SharedSecret> {
  const local = randomBytes(32).toString('hex')
  const key = store.key('skiptoken-secret')
  let shared: string | null = null
  const learn = async (): Promise<void> => {
    const offer = shared ?? randomBytes(32).toString('hex')
    const got = await store.attempt('skiptoken secret', async (r) => {
      await r.set(key, offer, 'NX')
      return r.get(key)
    }, null)
    if (got !== null && got.length >= 16) shared = got
  }
  if (await store.whenReady(options.waitMs)) await learn()
  // Each reconnection: learn it if still unknown, or put it back after a Redis restart.
  store.redis.on('ready', () => { void learn() })
  if (shared === null) {
    options.logger?.warn({ sharedCache: 'redis' },
      'Redis unreachable at start: $skiptoken links are signed with a secret of this replica until it answers; set SKIPTOKEN_SECRET to the same value on every replica to avoid this')
  }
  return {
    secrets: () => (shared === null ? [local] : [shared, local]),
    shared: () => shared !== null
  }
}

/** Signs with the first secret, accepts any of them. */
export function rotatingSkipTokenCodec(secrets: () => readonly string[]): SkipTokenCodec {
  return {
    encode: (queryId, state) => skipTokenCodec(secrets()[0] as string).encode(queryId, state),
    decode(queryId, token) {
      let failure: unknown
      for (const secret of secrets()) {
        try {
          return skipTokenCodec(secret).decode(queryId, token)
        } catch (err) {
          failure = err
        }
      }
      throw failure
    }
  }
}
