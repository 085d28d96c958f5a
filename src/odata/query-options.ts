// ① Turns the decoded options of one request into QueryOptions (ast.ts),
// validated against the entity set's model.
import type { EntitySetDef } from '../model/index.js'
import type { QueryOptions } from './ast.js'
import { DEFAULT_LIMITS, type ParseLimits } from './limits.js'
import { parseBooleanOption, parseFormat, parseInteger, parseSkiptoken } from './option-values.js'
import { applyColumns, parseApply, parseColumnOrder } from './apply-parser.js'
import { parseExpand } from './expand-parser.js'
import { parseFilter, parseOrderBy } from './parse-expression.js'
import type { ParsedQueryString } from './query-string.js'
import { parseSearch } from './search-parser.js'
import { parseSelect } from './select-parser.js'

/** The custom option that sets the feed horizon (Power Query: OData.Feed's `Query=[days=…]`). */
export const DAYS_OPTION = 'days'

export function parseQueryOptions(set: EntitySetDef, query: ParsedQueryString, limits: ParseLimits = DEFAULT_LIMITS): QueryOptions {
  const get = (name: Parameters<ParsedQueryString['system']['get']>[0]): string | undefined => query.system.get(name)
  const filter = get('$filter')
  const orderby = get('$orderby')
  const select = get('$select')
  const top = get('$top')
  const skip = get('$skip')
  const count = get('$count')
  const search = get('$search')
  const skiptoken = get('$skiptoken')
  const format = get('$format')
  const days = query.custom.get(DAYS_OPTION)
  const apply = get('$apply')
  const expand = get('$expand')
  const steps = apply === undefined ? null : parseApply(set, apply, limits)
  // After a groupby or aggregate, $orderby names result columns, which the model does not know.
  const grouped = steps !== null && steps.some((s) => s.kind !== 'filter')
  return {
    filter: filter === undefined ? null : parseFilter(set, filter, limits),
    orderby: orderby === undefined || grouped ? [] : parseOrderBy(set, orderby, limits),
    select: select === undefined ? null : parseSelect(set, select, limits),
    top: top === undefined ? null : parseInteger('$top', top, 0, limits.maxTop),
    skip: skip === undefined ? null : parseInteger('$skip', skip, 0, limits.maxSkip),
    count: count === undefined ? false : parseBooleanOption('$count', count),
    search: search === undefined ? null : parseSearch(search, limits),
    skiptoken: skiptoken === undefined ? null : parseSkiptoken(skiptoken),
    format: format === undefined ? null : parseFormat(format),
    days: days === undefined ? null : parseInteger(DAYS_OPTION, days, 1, limits.maxDays),
    apply: steps,
    expand: expand === undefined ? null : parseExpand(set, expand, limits),
    ...(grouped && orderby !== undefined ? { applyOrderBy: parseColumnOrder(orderby, applyColumns(steps)) } : {})
  }
}
