// The feed's side of ① parse and ④ evaluate: one request's query options,
// its credential parameter, and the residual work compiled once.
import { bridgeError, isBridgeError } from '../errors.js'
import type { EntitySetDef } from '../model/index.js'
import type { QueryOptions } from '../odata/index.js'
import { DEFAULT_LIMITS, parseQueryOptions, parseQueryString } from '../odata/index.js'
import type { QueryPair } from '../odata/index.js'
import { compileFilter, compileOrderBy, compileSearch } from '../evaluate/index.js'
import type { Residual } from '../execute/local-window.js'

export interface ParsedRequest {
  readonly query: QueryOptions
}

export function parseRequest(set: EntitySetDef, input: { readonly raw: string; readonly pairs: readonly QueryPair[] }): ParsedRequest {
  const parsed = parseQueryString(input.raw, DEFAULT_LIMITS, input.pairs)
  try {
    return { query: parseQueryOptions(set, parsed) }
  } catch (err) {
    // curl --data-urlencode, URLSearchParams and HTML forms write spaces as `+`; in OData URLs it is a plus.
    if (isBridgeError(err) && (err.code === 'BRIDGE_ERR_SYNTAX' || err.code === 'BRIDGE_ERR_UNKNOWN_PROPERTY') && input.raw.includes('+')) {
      throw bridgeError(err.code, `${err.message}. Note: a '+' in the URL is a plus sign, not a space; encode spaces as %20.`, { ...(err.target === undefined ? {} : { target: err.target }), ...(err.details === undefined ? {} : { details: err.details }), cause: err })
    }
    throw err
  }
}

export function residualOf(set: EntitySetDef, query: QueryOptions, now: number): Residual {
  return {
    filter: query.filter === null ? null : compileFilter(query.filter, { now }),
    search: query.search === null ? null : compileSearch(query.search, set),
    compare: query.orderby.length === 0 ? null : compileOrderBy(query.orderby, { now, target: '$orderby' })
  }
}
