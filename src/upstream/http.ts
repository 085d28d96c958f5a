import ky, { HTTPError, type KyInstance } from 'ky'
import { bufferedFetch, type FetchLike } from './buffered-fetch.js'
import type { CallTrack } from './call-observer.js'
import { failureReason } from './error-mapping.js'
import type { UpstreamLogger } from './observability.js'
import { kyRetryOptions, type RetrySettings } from './retry-policy.js'

export interface HttpSettings {
  baseUrl: string
  userAgent: string
  /** Per attempt, body included. */
  timeoutMs: number
  retry: RetrySettings
  fetch?: FetchLike | undefined
  logger?: UpstreamLogger | undefined
}

/** The ky instance every call goes through: base URL, headers, timeout and retry policy. */
export function createHttp(settings: HttpSettings): KyInstance {
  return ky.create({
    prefixUrl: settings.baseUrl,
    timeout: settings.timeoutMs,
    retry: kyRetryOptions(settings.retry),
    fetch: bufferedFetch(settings.fetch),
    headers: { 'user-agent': settings.userAgent, accept: 'application/json' },
    hooks: {
      beforeRetry: [
        ({ options, error, retryCount }) => {
          const track = options.context.track as CallTrack
          track.retries += 1
          if (error instanceof HTTPError && error.response.status === 429) track.throttled += 1
          settings.logger?.debug(
            { route: options.context.route, retry: retryCount, reason: failureReason(error, track.secrets) },
            'upstream retry'
          )
        }
      ]
    }
  })
}
