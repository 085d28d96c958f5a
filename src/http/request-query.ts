// The query string of a request, split once (odata/query-string.ts) and kept
// with the request: authentication reads the API-key parameter from it, the
// feed parses its options and carries its pairs into nextLinks.
import type { FastifyRequest } from 'fastify'
import { bridgeError, isBridgeError } from '../errors.js'
import type { EntitySetDef } from '../model/index.js'
import { DEFAULT_LIMITS, parseQueryOptions, parseQueryString, splitQuery } from '../odata/index.js'
import type { QueryOptions, QueryPair } from '../odata/index.js'

export interface RequestQuery {
  /** The query string as received (after `?`), still encoded; '' when none. */
  readonly raw: string
  readonly pairs: readonly QueryPair[]
}

const SPLIT = new WeakMap<FastifyRequest, RequestQuery>()

export function requestQuery(request: FastifyRequest): RequestQuery {
  let query = SPLIT.get(request)
  if (query === undefined) {
    const q = request.url.indexOf('?')
    const raw = q < 0 ? '' : request.url.slice(q + 1)
    query = { raw, pairs: splitQuery(raw) }
    SPLIT.set(request, query)
  }
  return query
}

/** The request's query options, parsed against the entity set they apply to. */
export function parseRequestOptions(set: EntitySetDef, input: RequestQuery): QueryOptions {
  const parsed = parseQueryString(input.raw, DEFAULT_LIMITS, input.pairs)
  try {
    return parseQueryOptions(set, parsed)
  } catch (err) {
    // curl --data-urlencode, URLSearchParams and HTML forms write spaces as `+`; in OData URLs it is a plus.
    if (isBridgeError(err) && (err.code === 'BRIDGE_ERR_SYNTAX' || err.code === 'BRIDGE_ERR_UNKNOWN_PROPERTY') && input.raw.includes('+')) {
      throw bridgeError(err.code, `${err.message}. Note: a '+' in the URL is a plus sign, not a space; encode spaces as %20.`, { ...(err.target === undefined ? {} : { target: err.target }), ...(err.details === undefined ? {} : { details: err.details }), cause: err })
    }
    throw err
  }
}
