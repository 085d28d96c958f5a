// The feed's side of ① parse and ④ evaluate: one request's query options,
// its credential parameter, and the residual work compiled once.
import { bridgeError, isBridgeError } from '../errors.js'
import type { EntitySetDef } from '../model/index.js'
import { property } from '../model/index.js'
import type { Expr, QueryOptions } from '../odata/index.js'
import { parseQueryOptions, parseQueryString } from '../odata/index.js'
import { compileFilter, compileOrderBy, compileSearch } from '../evaluate/index.js'
import type { PropertyDef } from '../model/index.js'
import type { Residual } from './local-window.js'

export interface ParsedRequest {
  readonly query: QueryOptions
  /** The Web API key from the query string, if any (a secret: never logged or echoed). */
  readonly apiKey: string | null
  /** $format as a media type for negotiation, or null. */
  readonly format: string | null
}

export function parseRequest(set: EntitySetDef, rawQuery: string, apiKeyParam: string): ParsedRequest {
  const parsed = parseQueryString(rawQuery)
  let query: QueryOptions
  try {
    query = parseQueryOptions(set, parsed)
  } catch (err) {
    // curl --data-urlencode, URLSearchParams and HTML forms write spaces as `+`; in OData URLs it is a plus.
    if (isBridgeError(err) && (err.code === 'BRIDGE_ERR_SYNTAX' || err.code === 'BRIDGE_ERR_UNKNOWN_PROPERTY') && rawQuery.includes('+')) {
      throw bridgeError(err.code, `${err.message}. Note: a '+' in the URL is a plus sign, not a space; encode spaces as %20.`, { ...(err.target === undefined ? {} : { target: err.target }), ...(err.details === undefined ? {} : { details: err.details }), cause: err })
    }
    throw err
  }
  const params = [
    ...(query.formatMetadata === undefined ? [] : [`odata.metadata=${query.formatMetadata}`]),
    ...(query.formatIeee754Compatible === true ? ['IEEE754Compatible=true'] : [])
  ]
  return {
    query,
    apiKey: parsed.custom.get(apiKeyParam) ?? null,
    format: query.format === null ? null : ['application/json', ...params].join(';')
  }
}

export function residualOf(set: EntitySetDef, query: QueryOptions, now: number): Residual {
  return {
    filter: query.filter === null ? null : compileFilter(query.filter, { now }),
    search: query.search === null ? null : compileSearch(query.search, set),
    compare: query.orderby.length === 0 ? null : compileOrderBy(query.orderby, { now, target: '$orderby' })
  }
}

/** `key eq value`, to find one entity with the collection machinery. */
export function keyFilter(set: EntitySetDef, key: string | number): Expr {
  const def = property(set, set.key) as PropertyDef
  return {
    kind: 'compare',
    op: 'eq',
    left: { kind: 'property', name: def.name, def },
    right: typeof key === 'number' ? { kind: 'literal', type: 'int', value: key } : { kind: 'literal', type: 'string', value: key }
  }
}
