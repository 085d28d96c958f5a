import type { ErrorCode } from '../errors.js'
import type { UpstreamRouteName } from './wire.js'

/** The subset of a pino (or Fastify) logger the client uses. */
export interface UpstreamLogger {
  debug(fields: object, message?: string): void
  info(fields: object, message?: string): void
  warn(fields: object, message?: string): void
  error(fields: object, message?: string): void
  child?(bindings: Record<string, unknown>): UpstreamLogger
}

/** 'aborted': the caller's signal ended the call. */
export type CallOutcome = 'ok' | 'aborted' | ErrorCode

/** One upstream call as seen by metrics: retries and a re-login are part of the same call. */
export interface UpstreamCallEvent {
  route: UpstreamRouteName
  outcome: CallOutcome
  ms: number
  retries: number
  /** 429 answers met (each retried one, and a final one). */
  throttled: number
  relogin: boolean
}
