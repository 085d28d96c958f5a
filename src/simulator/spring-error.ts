// Errors in Spring Boot's default shape: {timestamp, status, error, message, path}.
import { STATUS_CODES } from 'node:http'
import { isoWithOffset } from './wire-dates.js'

export interface SpringErrorBody {
  timestamp: string
  status: number
  error: string
  message: string
  path: string
}

/** An error a route answers with; the error handler renders it. */
export class SpringError extends Error {
  constructor (readonly status: number, message: string, readonly retryAfterS?: number) {
    super(message)
    this.name = 'SpringError'
  }
}

export function springErrorBody(status: number, message: string, url: string, nowMs: number): SpringErrorBody {
  return {
    timestamp: isoWithOffset(nowMs),
    status,
    error: STATUS_CODES[status] ?? 'Unknown',
    message,
    path: pathOf(url)
  }
}

/** The request path without its query string, as Spring reports it. */
export function pathOf(url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}
