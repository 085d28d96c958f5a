// $apply (OData Data Aggregation 4.0 §3, ABNF `applyExpr`) in the subset Power
// Query folds Group By and Distinct into, plus filter():
//   applyExpr   = applyTrafo *( "/" applyTrafo )
//   applyTrafo  = filter( boolCommonExpr ) / aggregate( aggregateExpr *( "," … ) )
//               / groupby( "(" groupingProperty *( "," … ) ")" [ "," aggregate(…) ] )
//   aggregateExpr = property "with" method "as" alias / "$count" "as" alias
// A filter after a groupby or aggregate would need the aggregated type; it is 501.
import { bridgeError } from '../errors.js'
import { property } from '../model/index.js'
import type { EntitySetDef, PropertyDef } from '../model/index.js'
import type { AggregateItem, AggregateMethod, ApplyStep, ColumnOrder } from './ast.js'
import type { ParseLimits } from './limits.js'
import { parseFilter } from './parse-expression.js'
import { splitOutside } from './split-outside.js'

const METHODS: ReadonlySet<string> = new Set(['sum', 'min', 'max', 'average', 'countdistinct'])
const NUMERIC = new Set(['Edm.Int32', 'Edm.Int64', 'Edm.Double', 'Edm.Decimal'])
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/

const syntax = (message: string) => bridgeError('BRIDGE_ERR_SYNTAX', `Syntax error in $apply: ${message}`, { target: '$apply' })

/** `name(args)` → [name, args]. */
function call(text: string): [string, string] {
  const m = /^([A-Za-z$][A-Za-z0-9_]*)\s*\(([\s\S]*)\)$/.exec(text)
  if (m === null) throw syntax(`'${text.slice(0, 40)}' is not a transformation; use filter(…), groupby((…)) or aggregate(…)`)
  return [(m[1] as string).toLowerCase(), m[2] as string]
}

function propertyOf(set: EntitySetDef, name: string): PropertyDef {
  const p = property(set, name)
  if (p === undefined) throw bridgeError('BRIDGE_ERR_UNKNOWN_PROPERTY', `Property '${name.slice(0, 80)}' does not exist on type '${set.typeName}'`, { target: '$apply' })
  return p
}

function aggregateItem(set: EntitySetDef, text: string, aliases: Set<string>): AggregateItem {
  const count = /^\$count\s+as\s+(\S+)$/i.exec(text)
  const m = count ?? /^(\S+)\s+with\s+(\S+)\s+as\s+(\S+)$/i.exec(text)
  if (m === null) throw syntax(`'${text.slice(0, 60)}' is not an aggregate expression; write 'property with sum as Alias' or '$count as Alias'`)
  const alias = (count === null ? m[3] : m[1]) as string
  if (!IDENTIFIER.test(alias)) throw syntax(`'${alias.slice(0, 40)}' is not a valid alias`)
  if (aliases.has(alias) || property(set, alias) !== undefined) throw syntax(`the alias '${alias}' is already a property or alias name`)
  aliases.add(alias)
  if (count !== null) return { alias, method: 'count', property: null }
  const method = (m[2] as string).toLowerCase()
  if (!METHODS.has(method)) {
    throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', `Aggregation method '${m[2] as string}' is not supported; use sum, min, max, average or countdistinct.`, { target: '$apply' })
  }
  const p = propertyOf(set, m[1] as string)
  if (p.collection === true) throw bridgeError('BRIDGE_ERR_TYPE_MISMATCH', `'${p.name}' is a collection and cannot be aggregated.`, { target: '$apply' })
  if ((method === 'sum' || method === 'average') && !NUMERIC.has(p.type)) {
    throw bridgeError('BRIDGE_ERR_TYPE_MISMATCH', `${method} needs a numeric property; '${p.name}' is ${p.type}.`, { target: '$apply' })
  }
  return { alias, method: method as AggregateMethod, property: p }
}

function aggregateList(set: EntitySetDef, args: string, aliases: Set<string>): AggregateItem[] {
  return splitOutside(args, ',', '$apply').map((a) => aggregateItem(set, a, aliases))
}

export function parseApply(set: EntitySetDef, text: string, limits: ParseLimits): ApplyStep[] {
  if (text.length > limits.maxOptionLength) {
    throw bridgeError('BRIDGE_ERR_LIMIT_EXCEEDED', `$apply is ${text.length} characters long; the limit is ${limits.maxOptionLength}`, { target: '$apply' })
  }
  const steps: ApplyStep[] = []
  const aliases = new Set<string>()
  for (const part of splitOutside(text.trim(), '/', '$apply')) {
    const [name, args] = call(part)
    const grouped = steps.some((s) => s.kind !== 'filter')
    if (grouped) {
      throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', `$apply: '${name}' after a groupby or aggregate is not supported; put filter() first.`, { target: '$apply' })
    }
    if (name === 'filter') {
      steps.push({ kind: 'filter', expr: parseFilter(set, args, limits, '$apply') })
    } else if (name === 'aggregate') {
      steps.push({ kind: 'aggregate', items: aggregateList(set, args, aliases) })
    } else if (name === 'groupby') {
      const [props = '', ...rest] = splitOutside(args, ',', '$apply')
      const inner = /^\(([\s\S]*)\)$/.exec(props)
      if (inner === null) throw syntax('groupby takes a parenthesised property list first, e.g. groupby((activityLabel,state))')
      const properties = splitOutside(inner[1] as string, ',', '$apply').map((n) => propertyOf(set, n))
      if (properties.some((p) => p.collection === true)) throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', 'Grouping by a collection property is not supported.', { target: '$apply' })
      let aggregate: AggregateItem[] = []
      if (rest.length > 0) {
        const [inName, inArgs] = call(rest.join(','))
        if (inName !== 'aggregate') throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', `groupby(…, ${inName}(…)) is not supported; use aggregate(…).`, { target: '$apply' })
        aggregate = aggregateList(set, inArgs, aliases)
      }
      steps.push({ kind: 'groupby', properties, aggregate })
    } else if (['compute', 'topcount', 'bottomcount', 'topsum', 'bottomsum', 'toppercent', 'bottompercent', 'concat', 'expand', 'search', 'identity', 'orderby', 'top', 'skip', 'nest'].includes(name)) {
      throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', `$apply transformation '${name}' is not supported; use filter, groupby and aggregate.`, { target: '$apply' })
    } else {
      throw syntax(`unknown transformation '${name}'`)
    }
  }
  return steps
}

/** The columns a grouping $apply produces: its grouping properties, then its aggregate aliases. */
export function applyColumns(steps: readonly ApplyStep[]): string[] {
  const grouping = steps.find((s) => s.kind !== 'filter')
  if (grouping === undefined) return []
  return grouping.kind === 'groupby'
    ? [...grouping.properties.map((p) => p.name), ...grouping.aggregate.map((a) => a.alias)]
    : grouping.items.map((a) => a.alias)
}

/** $orderby after a grouping $apply: `column [asc|desc]` items over the result's columns only. */
export function parseColumnOrder(text: string, columns: readonly string[]): ColumnOrder[] {
  return splitOutside(text, ',', '$orderby').map((item) => {
    const [column = '', direction = 'asc', extra] = item.trim().split(/\s+/)
    if (extra !== undefined || !columns.includes(column) || !/^(asc|desc)$/i.test(direction)) {
      throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', `With $apply, $orderby may only name result columns (${columns.join(', ')}), each optionally followed by asc or desc.`, { target: '$orderby' })
    }
    return { column, descending: direction.toLowerCase() === 'desc' }
  })
}
