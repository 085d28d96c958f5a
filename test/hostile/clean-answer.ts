// What every answer to a hostile request must look like (issue 6): a success,
// or a 4xx / 501 whose body is an OData error {"error":{"code","message"}}
// with a catalogue code; OData-Version: 4.0 exactly once; never a 5xx.
import { ERROR_CATALOGUE } from '../../src/errors.js'
import type { RawResponse } from './raw-http.js'

/** Why an answer is not clean, or null when it is. */
export function uncleanAnswer(res: RawResponse, method = 'GET'): string | null {
  if (res.status >= 500 && res.status !== 501) return `status ${res.status}: ${res.body.slice(0, 300)}`
  if (res.status >= 300 && res.status < 400) return `unexpected redirect ${res.status}`
  if (res.headers['odata-version'] !== '4.0' || res.headerCounts['odata-version'] !== 1) {
    return `OData-Version is ${JSON.stringify(res.headers['odata-version'])} (${res.headerCounts['odata-version'] ?? 0} times)`
  }
  if (res.status < 400 || method === 'HEAD') return null
  if (!/^application\/json/.test(res.headers['content-type'] ?? '')) return `error content-type ${JSON.stringify(res.headers['content-type'])}`
  let body: unknown
  try {
    body = JSON.parse(res.body)
  } catch {
    return `error body is not JSON: ${res.body.slice(0, 200)}`
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
  if (typeof error !== 'object' || error === null) return `no "error" object in ${res.body.slice(0, 200)}`
  if (typeof error.code !== 'string' || !Object.hasOwn(ERROR_CATALOGUE, error.code)) return `error code ${JSON.stringify(error.code)} is not in the catalogue`
  if (typeof error.message !== 'string' || error.message === '') return 'error message missing'
  if (/\n\s+at /.test(error.message)) return 'error message carries a stack trace'
  return null
}
