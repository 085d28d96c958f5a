// The query string of a request, split once (odata/query-string.ts) and kept
// with the request: authentication reads the API-key parameter from it, the
// feed parses its options and carries its pairs into nextLinks.
import type { FastifyRequest } from 'fastify'
import { splitQuery } from '../odata/index.js'
import type { QueryPair } from '../odata/index.js'

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
