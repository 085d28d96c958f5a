// The upstream over the last hour, minute by minute: calls, failures, 429s,
// retries and a latency histogram of fixed buckets, so that the minutes of
// several replicas add up (with REDIS_URL) before percentiles are read off.
import type { UpstreamCallEvent } from '../upstream/observability.js'
import type { UpstreamMinute } from './state.js'

const MINUTE_MS = 60_000
/** Minutes kept and shown. */
export const MINUTES = 60
/** Upper bounds (ms) of the latency buckets; one more bucket holds what is slower. */
export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000] as const

/** One minute as kept and shared: counts and the latency histogram's buckets. */
export interface MinuteCounts {
  readonly t: number
  calls: number
  errors: number
  throttled: number
  retries: number
  /** Calls per latency bucket (LATENCY_BOUNDS_MS, then the slower ones). */
  readonly latency: number[]
}

const empty = (t: number): MinuteCounts => ({ t, calls: 0, errors: 0, throttled: 0, retries: 0, latency: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0) })

export class UpstreamMinutes {
  private readonly minutes = new Map<number, MinuteCounts>()

  constructor(private readonly now: () => number) {}

  /** For createInsightsClient's onCall. */
  record(event: UpstreamCallEvent): void {
    const t = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS
    let m = this.minutes.get(t)
    if (m === undefined) {
      m = empty(t)
      this.minutes.set(t, m)
      for (const old of this.minutes.keys()) if (old <= t - MINUTES * MINUTE_MS) this.minutes.delete(old)
    }
    m.calls++
    if (event.outcome !== 'ok' && event.outcome !== 'aborted') m.errors++
    m.throttled += event.throttled
    m.retries += event.retries
    const i = LATENCY_BOUNDS_MS.findIndex((b) => event.ms <= b)
    ;(m.latency[i < 0 ? LATENCY_BOUNDS_MS.length : i] as number)++
  }

  /** The minutes of the last hour that saw a call. */
  counts(): MinuteCounts[] {
    const from = this.now() - MINUTES * MINUTE_MS
    return [...this.minutes.values()].filter((m) => m.t > from)
  }
}

/** The last hour, oldest minute first, from the counts of one or more replicas added together. */
export function lastHour(now: number, ...sources: readonly (readonly MinuteCounts[])[]): UpstreamMinute[] {
  const last = Math.floor(now / MINUTE_MS) * MINUTE_MS
  const sums = new Map<number, MinuteCounts>()
  for (let k = MINUTES - 1; k >= 0; k--) sums.set(last - k * MINUTE_MS, empty(last - k * MINUTE_MS))
  for (const source of sources) {
    for (const m of source) {
      const s = sums.get(m.t)
      if (s === undefined) continue
      s.calls += m.calls
      s.errors += m.errors
      s.throttled += m.throttled
      s.retries += m.retries
      m.latency.forEach((n, i) => { if (i < s.latency.length) (s.latency[i] as number) += n })
    }
  }
  return [...sums.values()].map((s) => ({
    t: s.t, calls: s.calls, errors: s.errors, throttled: s.throttled, retries: s.retries,
    p50: quantile(s.latency, 0.5), p90: quantile(s.latency, 0.9), p99: quantile(s.latency, 0.99)
  }))
}

/**
 * The q-quantile of a bucketed histogram, interpolated linearly inside its
 * bucket as Prometheus's histogram_quantile does (the slowest bucket answers
 * its lower bound). null: no observation.
 */
export function quantile(buckets: readonly number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0)
  if (total === 0) return null
  const rank = q * total
  let below = 0
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i] as number
    if (below + n >= rank && n > 0) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1] as number
      const upper = LATENCY_BOUNDS_MS[i]
      if (upper === undefined) return lower
      return Math.round((lower + (upper - lower) * (rank - below) / n) * 10) / 10
    }
    below += n
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1] as number
}
