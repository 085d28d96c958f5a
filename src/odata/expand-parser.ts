// $expand (OData 4.01 Part 2 §5.1.3; ABNF `expand`, `expandItem`,
// `expandOption`): navigation properties of the model, `*` for all, each with
// optional nested options separated by `;` — $select, $filter, $orderby, $top,
// $skip, $count, $search, parsed against the target entity set. Nested $expand
// and $levels are 501.
import { bridgeError } from '../errors.js'
import { entitySetByName } from '../model/index.js'
import type { EntitySetDef, NavigationDef } from '../model/index.js'
import type { ExpandItem } from './ast.js'
import type { ParseLimits } from './limits.js'
import { parseQueryOptions } from './query-options.js'
import { splitOutside } from './split-outside.js'
import { classifyOption } from './system-options.js'
import type { SupportedOption } from './system-options.js'

const OPTION = '$expand'
const NESTED: ReadonlySet<string> = new Set(['$select', '$filter', '$orderby', '$top', '$skip', '$count', '$search'])

function navigation(set: EntitySetDef, name: string): NavigationDef {
  const nav = set.navigation.find((n) => n.name === name)
  if (nav === undefined) {
    const known = set.navigation.map((n) => n.name).join(', ')
    throw bridgeError('BRIDGE_ERR_UNKNOWN_PROPERTY', `Navigation property '${name.slice(0, 80)}' does not exist on type '${set.typeName}' (it has ${known}).`, { target: OPTION })
  }
  return nav
}

function nestedOptions(target: EntitySetDef, text: string, limits: ParseLimits): ExpandItem['options'] {
  const system = new Map<SupportedOption, string>()
  for (const part of splitOutside(text, ';', OPTION)) {
    const eq = part.indexOf('=')
    if (eq <= 0) throw bridgeError('BRIDGE_ERR_SYNTAX', `Syntax error in ${OPTION}: '${part.slice(0, 60)}' is not an option (name=value)`, { target: OPTION })
    const kind = classifyOption(part.slice(0, eq).trim())
    const name = kind.name.toLowerCase()
    if (name === '$expand' || name === '$levels') throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', `Nested ${name} inside ${OPTION} is not supported.`, { target: OPTION })
    if (kind.kind !== 'supported' || !NESTED.has(name)) {
      throw bridgeError('BRIDGE_ERR_SYNTAX', `'${part.slice(0, eq).slice(0, 40)}' is not allowed inside ${OPTION}; use $select, $filter, $orderby, $top, $skip, $count or $search.`, { target: OPTION })
    }
    if (system.has(kind.name as SupportedOption)) throw bridgeError('BRIDGE_ERR_DUPLICATE_OPTION', `${name} is given twice inside ${OPTION}.`, { target: OPTION })
    system.set(kind.name as SupportedOption, part.slice(eq + 1))
  }
  return parseQueryOptions(target, { system, custom: new Map(), pairs: [] }, limits)
}

export function parseExpand(set: EntitySetDef, text: string, limits: ParseLimits): ExpandItem[] {
  if (text.length > limits.maxOptionLength) {
    throw bridgeError('BRIDGE_ERR_LIMIT_EXCEEDED', `${OPTION} is ${text.length} characters long; the limit is ${limits.maxOptionLength}`, { target: OPTION })
  }
  const items: ExpandItem[] = []
  for (const raw of splitOutside(text, ',', OPTION)) {
    if (raw === '*') {
      for (const nav of set.navigation) if (!items.some((i) => i.nav.name === nav.name)) items.push({ nav, target: entitySetByName(nav.target), options: null })
      continue
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(([\s\S]*)\))?$/.exec(raw)
    if (m === null) {
      if (raw.includes('/')) throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', `Paths, casts and $ref in ${OPTION} ('${raw.slice(0, 60)}') are not supported.`, { target: OPTION })
      throw bridgeError('BRIDGE_ERR_SYNTAX', `Syntax error in ${OPTION}: '${raw.slice(0, 60)}' is not a navigation property`, { target: OPTION })
    }
    const nav = navigation(set, m[1] as string)
    if (items.some((i) => i.nav.name === nav.name)) throw bridgeError('BRIDGE_ERR_DUPLICATE_OPTION', `${nav.name} is expanded twice.`, { target: OPTION })
    const target = entitySetByName(nav.target)
    const options = m[2] === undefined || m[2].trim() === '' ? null : nestedOptions(target, m[2], limits)
    if (options !== null && !nav.collection && (options.top !== null || options.skip !== null || options.orderby.length > 0 || options.count || options.search !== null)) {
      throw bridgeError('BRIDGE_ERR_SYNTAX', `${nav.name} is a single entity: only $select and $filter apply inside its ${OPTION}.`, { target: OPTION })
    }
    items.push({ nav, target, options })
  }
  return items
}
