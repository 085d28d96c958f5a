// Prometheus figures of the Redis shared cache (REDIS_URL), read at each scrape
// from the cache's own counters, on the app's registry (http/metrics.ts).
import { Counter, Gauge, type Registry } from 'prom-client'
import type { SharedCache } from '../upstream/shared-cache.js'

const PREFIX = 'botcity_odata_'

export function watchSharedCache(registry: Registry, shared: SharedCache): void {
  const registers = [registry]
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({ name: `${PREFIX}${name}`, help, registers, collect() { this.reset(); this.inc(read()) } })
  }
  new Gauge({ name: `${PREFIX}redis_up`, help: 'Whether Redis, the cache shared by the replicas, answers (1) or not (0: each replica reads from the upstream on its own).', registers, collect() { this.set(shared.status().connected ? 1 : 0) } })
  counter('redis_errors_total', 'Redis commands that failed or timed out; the request was served from the upstream instead.', () => shared.stats().errors)
  counter('redis_skipped_total', 'Redis commands not attempted while Redis was unreachable.', () => shared.stats().skipped)
  counter('page_cache_shared_hits_total', 'Upstream pages found in Redis (read by another replica).', () => shared.stats().page?.sharedHits ?? 0)
  counter('page_cache_lock_waits_total', 'Page misses that waited for another replica reading the same page.', () => shared.stats().page?.lockWaits ?? 0)
  counter('token_cache_shared_hits_total', 'Upstream sessions found in Redis (another replica logged in).', () => shared.stats().token?.sharedHits ?? 0)
}
