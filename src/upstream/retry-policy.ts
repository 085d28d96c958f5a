import { isHTTPError, type RetryOptions } from 'ky'
import { isBridgeError } from '../errors.js'
import { parseRetryAfter } from './retry-after.js'

export interface RetrySettings {
  /** Retries after the first attempt (0 = none). */
  limit: number
  /** First backoff delay; doubles with each retry, with jitter. */
  baseDelayMs: number
  /** Cap of one backoff delay. */
  maxDelayMs: number
  /** Longest Retry-After honoured; a longer one fails at once, carrying it. */
  maxRetryAfterMs: number
  /** Statuses retried (network errors always are). */
  statusCodes: readonly number[]
}

/** Statuses whose Retry-After header is honoured. */
const AFTER_STATUS_CODES = [429, 503]

/** Keeps at least half of each backoff step ("equal jitter"): retries spread out yet never collapse to zero. */
export function equalJitter(delayMs: number, random: () => number = Math.random): number {
  return delayMs / 2 + random() * (delayMs / 2)
}

/** Whether to retry, in ky's terms: false = never, undefined = ky's rules (status list, Retry-After). */
export function shouldRetry(error: Error, settings: RetrySettings, nowMs: number = Date.now()): false | undefined {
  if (isBridgeError(error) || error.name === 'AbortError') return false
  if (isHTTPError(error) && AFTER_STATUS_CODES.includes(error.response.status)) {
    const waitS = parseRetryAfter(error.response.headers.get('retry-after'), nowMs)
    if (waitS !== undefined && waitS * 1000 > settings.maxRetryAfterMs) return false
  }
  return undefined
}

export function kyRetryOptions(settings: RetrySettings): RetryOptions {
  return {
    limit: settings.limit,
    methods: ['get', 'post'],
    statusCodes: [...settings.statusCodes],
    afterStatusCodes: AFTER_STATUS_CODES,
    maxRetryAfter: settings.maxRetryAfterMs,
    backoffLimit: settings.maxDelayMs,
    delay: (attempt) => settings.baseDelayMs * 2 ** (attempt - 1),
    jitter: (delayMs) => equalJitter(delayMs),
    shouldRetry: ({ error }) => shouldRetry(error, settings)
  }
}
