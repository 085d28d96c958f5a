import { bridgeError, isBridgeError } from '../errors.js'
import { toBridgeError } from './error-mapping.js'
import type { CallOutcome, UpstreamCallEvent, UpstreamLogger } from './observability.js'
import type { UpstreamRouteName } from './wire.js'

/** What one call accumulates while it runs (retries counted by the HTTP layer's hook). */
export interface CallTrack {
  retries: number
  /** 429 answers met, retried or not. */
  throttled: number
  relogin: boolean
  /** Key and tokens seen by this call: redacted from any message. */
  readonly secrets: string[]
}

export interface ObserverDeps {
  logger: UpstreamLogger | undefined
  onCall: ((event: UpstreamCallEvent) => void) | undefined
  timeoutMs: number
}

export interface CallSpec {
  route: UpstreamRouteName
  /** Logged with the call: parameters and the credential id, never a secret. */
  fields: Record<string, unknown>
  secrets: readonly string[]
  signal?: AbortSignal | undefined
}

function abortFailure(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return bridgeError('UPSTREAM_TIMEOUT', 'BotCity Insights did not answer before the deadline of the request.')
  }
  return reason
}

/**
 * Runs one call: maps its failure to a BridgeError, logs it at debug level and reports it
 * to `onCall`. A call the caller aborted rejects with the signal's reason.
 */
export async function observe<T>(deps: ObserverDeps, spec: CallSpec, run: (track: CallTrack) => Promise<T>): Promise<T> {
  const track: CallTrack = { retries: 0, throttled: 0, relogin: false, secrets: [...spec.secrets] }
  const started = performance.now()
  let outcome: CallOutcome = 'ok'
  try {
    return await run(track)
  } catch (error) {
    if (spec.signal?.aborted === true && !isBridgeError(error)) {
      const failure = abortFailure(spec.signal)
      outcome = isBridgeError(failure) ? failure.code : 'aborted'
      throw failure
    }
    const mapped = await toBridgeError(error, { route: spec.route, secrets: track.secrets, timeoutMs: deps.timeoutMs })
    outcome = mapped.code
    throw mapped
  } finally {
    const event: UpstreamCallEvent = {
      route: spec.route,
      outcome,
      ms: Math.round((performance.now() - started) * 10) / 10,
      retries: track.retries,
      throttled: track.throttled + (outcome === 'UPSTREAM_RATE_LIMITED' ? 1 : 0),
      relogin: track.relogin
    }
    deps.logger?.debug({ ...spec.fields, ...event }, 'upstream call')
    try {
      deps.onCall?.(event)
    } catch {
      // A metrics hook must not break the call it observes.
    }
  }
}
