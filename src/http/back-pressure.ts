// Back-pressure (@fastify/under-pressure): when the process is saturated (mean
// event-loop delay over the last second, or V8 heap in use, above its limit)
// new requests get 503 BRIDGE_ERR_UNAVAILABLE with Retry-After instead of
// queueing behind work the bridge cannot finish in time. Power Query retries
// 503 after Retry-After on its own (up to three times). Liveness and metrics
// stay answered, so an orchestrator does not restart a busy bridge.
import { getHeapStatistics } from 'node:v8'
import underPressure from '@fastify/under-pressure'
import fp from 'fastify-plugin'
import { bridgeError } from '../errors.js'

export interface BackPressureOptions {
  /** Mean event-loop delay (ms) above which requests are shed; 0: not checked. */
  readonly maxEventLoopDelayMs: number
  /** Share (%) of the V8 heap limit in use above which requests are shed; 0: not checked. */
  readonly maxHeapPercent: number
  /** How often the figures are sampled (ms); tests shorten it. */
  readonly sampleIntervalMs?: number
  /** Told each request shed, and what was over its limit (metrics). */
  readonly onShed?: (cause: 'event_loop' | 'heap') => void
}

/** Seconds a client is told to wait: the figures are sampled every second. */
export const PRESSURE_RETRY_AFTER_S = 2

const EXEMPT = new Set(['/healthz', '/metrics'])

export default fp<BackPressureOptions>(async function backPressure(app, options) {
  if (options.maxEventLoopDelayMs === 0 && options.maxHeapPercent === 0) return
  const heapLimit = getHeapStatistics().heap_size_limit
  let warnedAt = -Infinity
  await app.register(underPressure, {
    sampleInterval: options.sampleIntervalMs ?? 1000,
    ...(options.maxEventLoopDelayMs > 0 ? { maxEventLoopDelay: options.maxEventLoopDelayMs } : {}),
    ...(options.maxHeapPercent > 0 ? { maxHeapUsedBytes: Math.floor(heapLimit * options.maxHeapPercent / 100) } : {}),
    pressureHandler: async (request, _reply, type, value) => {
      if (EXEMPT.has(request.url.split('?', 1)[0] ?? '')) return
      options.onShed?.(type === 'heapUsedBytes' ? 'heap' : 'event_loop')
      // One warning per ten seconds of pressure; each shed request logs at info (sendError).
      if (Date.now() - warnedAt > 10_000) {
        warnedAt = Date.now()
        request.log.warn({ type, value }, 'under pressure: shedding requests with 503')
      }
      throw bridgeError('BRIDGE_ERR_UNAVAILABLE', 'The bridge is overloaded; retry in a moment.', { retryAfterS: PRESSURE_RETRY_AFTER_S })
    }
  })
}, { name: 'back-pressure' })
