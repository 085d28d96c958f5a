import { isHTTPError, isTimeoutError } from 'ky'
import { bridgeError, isBridgeError, type BridgeError } from '../errors.js'
import { parseRetryAfter } from './retry-after.js'
import { redact, upstreamMessage } from './upstream-message.js'
import { UPSTREAM_PATHS, type UpstreamRouteName } from './wire.js'

export interface FailureContext {
  route: UpstreamRouteName
  /** Values that must never appear in a message (key, tokens). */
  secrets: readonly string[]
  timeoutMs: number
}

/** `GET /api/v1/insights/tasks`: how messages name a route. */
export function where(route: UpstreamRouteName): string {
  return `${route === 'login' ? 'POST' : 'GET'} ${UPSTREAM_PATHS[route]}`
}

/** Maps one HTTP failure status to the catalogue (after the client's own retries and re-login). */
export function httpFailure(route: UpstreamRouteName, status: number, said: string | undefined, retryAfterS?: number): BridgeError {
  const at = `HTTP ${status} on ${where(route)}`
  const tail = said === undefined ? '' : `: ${said}`
  if (status === 429) {
    return bridgeError('UPSTREAM_RATE_LIMITED', `BotCity Insights is rate limiting the bridge (${at})${tail}`, { retryAfterS })
  }
  if (route === 'login' && (status === 401 || status === 403)) {
    return bridgeError('UPSTREAM_CREDENTIALS_REJECTED', `BotCity Insights rejected the workspace login or key (${at}).`)
  }
  if (status === 401) {
    return bridgeError('UPSTREAM_CREDENTIALS_REJECTED',
      `BotCity Insights rejected the token of a fresh login (${at}); the workspace login or key may have been revoked.`)
  }
  if (status === 403) {
    return bridgeError('UPSTREAM_FORBIDDEN',
      `BotCity Insights refused access even after a fresh login (${at}): Insights may not be enabled for this workspace or its role.`)
  }
  if (status === 502 || status === 503 || status === 504) {
    return bridgeError('UPSTREAM_UNAVAILABLE', `BotCity Insights is unavailable (${at})${tail}`, { retryAfterS })
  }
  return bridgeError('UPSTREAM_ERROR', `BotCity Insights answered with an error (${at})${tail}`)
}

/** The system error code behind a failed fetch (ECONNREFUSED, ECONNRESET, ENOTFOUND, UND_ERR_SOCKET …). */
function networkReason(error: unknown): string {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = current.cause
  }
  return error instanceof Error ? error.message : String(error)
}

/** A short reason for logs: the HTTP status or the system error code. */
export function failureReason(error: unknown, secrets: readonly string[]): string {
  if (isHTTPError(error)) return `HTTP ${error.response.status}`
  return redact(networkReason(error), secrets)
}

/**
 * Turns whatever an upstream call threw into a BridgeError with a stable code. Ky's errors
 * hold the request (and its token header), so only network errors become a `cause`.
 */
export async function toBridgeError(error: unknown, context: FailureContext): Promise<BridgeError> {
  if (isBridgeError(error)) return error
  if (isTimeoutError(error)) {
    return bridgeError('UPSTREAM_TIMEOUT', `BotCity Insights did not answer ${where(context.route)} within ${context.timeoutMs} ms.`)
  }
  if (isHTTPError(error)) {
    const { response } = error
    const body = await response.text().catch(() => '')
    const retryAfterS = parseRetryAfter(response.headers.get('retry-after'), Date.now())
    return httpFailure(context.route, response.status, upstreamMessage(body, context.secrets), retryAfterS)
  }
  const reason = redact(networkReason(error), context.secrets)
  return bridgeError('UPSTREAM_UNREACHABLE', `BotCity Insights could not be reached for ${where(context.route)} (${reason}).`, { cause: error })
}
