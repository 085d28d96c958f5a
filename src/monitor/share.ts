// With REDIS_URL, what every replica's monitor sees: each replica reports its
// loads in flight, its upstream minutes and its cache sizes every few seconds
// (a value that expires when it stops); ended loads go to one list; and each
// load's last page is noted, so that the replica that answered a page before
// another replica took the load over does not call it abandoned. Values are
// sealed with a key from BRIDGE_SECRET (queries may name automations, runners).
import { sealedBox } from '../upstream/sealed-box.js'
import type { RedisStore } from '../upstream/redis-store.js'
import type { LoadSightings } from './loads.js'
import type { CacheSizes, FinishedLoad, LiveLoad } from './state.js'
import type { MinuteCounts } from './upstream-minutes.js'

/** What one replica tells the others. */
export interface ReplicaReport {
  readonly replica: string
  readonly at: number
  readonly live: readonly LiveLoad[]
  readonly minutes: readonly MinuteCounts[]
  readonly caches: CacheSizes
}

export interface MonitorShare extends LoadSightings {
  publish(report: ReplicaReport): Promise<void>
  /** The reports of the replicas heard from within `freshMs` (null: Redis did not answer). */
  reports(now: number): Promise<ReplicaReport[] | null>
  pushRecent(load: FinishedLoad): void
  /** Ended loads of every replica, newest first (null: Redis did not answer). */
  recent(): Promise<FinishedLoad[] | null>
}

export interface MonitorShareOptions {
  readonly store: RedisStore
  /** BRIDGE_SECRET's monitor key. */
  readonly key: Buffer
  /** LOAD_ABANDON_S in ms: how long a load's last page is remembered (twice that). */
  readonly abandonMs: number
  /** A report older than this is a replica gone (default 30 s). */
  readonly freshMs?: number
  /** Ended loads kept (default 100). */
  readonly recentMax?: number
}

export function redisMonitorShare(options: MonitorShareOptions): MonitorShare {
  const { store } = options
  const box = sealedBox(options.key)
  const freshMs = options.freshMs ?? 30_000
  const recentMax = options.recentMax ?? 100
  const replicasKey = store.key('monitor', 'replicas')
  const recentKey = store.key('monitor', 'recent')
  const reportKey = (replica: string): string => store.key('monitor', 'replica', replica)
  const loadKey = (id: string): string => store.key('monitor', 'load', id)
  const seal = (key: string, value: unknown): Buffer => box.seal(key, JSON.stringify(value))
  const open = <T>(key: string, sealed: Buffer | null): T | null => {
    if (sealed === null) return null
    const text = box.open(key, sealed)
    if (text === null) return null
    try { return JSON.parse(text) as T } catch { return null }
  }
  return {
    async publish(report) {
      const key = reportKey(report.replica)
      await store.attempt('monitor report', (r) => r.multi()
        .set(key, seal(key, report), 'PX', freshMs)
        .zadd(replicasKey, report.at, report.replica)
        .zremrangebyscore(replicasKey, '-inf', report.at - freshMs)
        .exec(), null)
    },
    async reports(now) {
      const replicas = await store.attempt('monitor replicas', (r) => r.zrangebyscore(replicasKey, now - freshMs, '+inf'), null)
      if (replicas === null) return null
      if (replicas.length === 0) return []
      const keys = replicas.map(reportKey)
      const values = await store.attempt('monitor reports', (r) => r.mgetBuffer(...keys), null)
      if (values === null) return null
      return values.map((v, i) => open<ReplicaReport>(keys[i] as string, v)).filter((v): v is ReplicaReport => v !== null)
    },
    pushRecent(load) {
      // The AAD is the load's id: an entry can't pass for another load's.
      const entry = Buffer.concat([Buffer.from(`${load.id}\n`, 'utf8'), seal(`${recentKey}:${load.id}`, load)])
      void store.attempt('monitor recent', (r) => r.multi().lpush(recentKey, entry).ltrim(recentKey, 0, recentMax - 1).exec(), null)
    },
    async recent() {
      const values = await store.attempt('monitor recent', (r) => r.lrangeBuffer(recentKey, 0, recentMax - 1), null)
      if (values === null) return null
      return values.map((v) => {
        const nl = v.indexOf(10)
        return nl < 0 ? null : open<FinishedLoad>(`${recentKey}:${v.subarray(0, nl).toString('utf8')}`, v.subarray(nl + 1))
      }).filter((v): v is FinishedLoad => v !== null)
    },
    saw(id, pages, ended) {
      const key = loadKey(id)
      void store.attempt('monitor load', (r) => r.set(key, seal(key, { pages, ended }), 'PX', 2 * options.abandonMs + 60_000), null)
    },
    async lastSeen(id) {
      const key = loadKey(id)
      return open<{ pages: number; ended: boolean }>(key, await store.attempt('monitor load', (r) => r.getBuffer(key), null))
    }
  }
}
