// The resource path below /odata/ (OData 4.01 URL Conventions §4, ABNF
// `resourcePath`), limited to what the feed serves: the service document,
// $metadata, an entity set, one entity by key, a property of it and its raw
// value, and $count of a set.
import { bridgeError } from '../errors.js'
import { entitySet, property } from '../model/index.js'
import type { EntitySetDef, NavigationDef, PropertyDef } from '../model/index.js'

export type ResourcePath =
  | { readonly kind: 'service' }
  | { readonly kind: 'metadata' }
  | { readonly kind: 'collection'; readonly set: EntitySetDef; readonly count: boolean }
  | { readonly kind: 'entity'; readonly set: EntitySetDef; readonly key: string | number; readonly property: PropertyDef | null; readonly value: boolean }
  /** A navigation property of one entity: Automations('x')/Tasks, Tasks(1)/Automation. */
  | { readonly kind: 'navigation'; readonly set: EntitySetDef; readonly key: string | number; readonly nav: NavigationDef }

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw bridgeError('BRIDGE_ERR_SYNTAX', `The URL segment '${raw.slice(0, 60)}' has an invalid percent-encoding.`, { target: 'url' })
  }
}

/** keyPredicate = "(" ( keyValue / key "=" keyValue ) ")" with string keys quoted and '' escaping. */
function parseKey(set: EntitySetDef, text: string): string | number {
  let body = text
  const named = new RegExp(`^${set.key}\\s*=\\s*`)
  if (named.test(body)) body = body.replace(named, '')
  const keyProp = property(set, set.key) as PropertyDef
  if (keyProp.type === 'Edm.String') {
    const m = /^'((?:[^']|'')*)'$/.exec(body)
    if (m === null) throw bridgeError('BRIDGE_ERR_SYNTAX', `The key of ${set.name} is a string: write it quoted, e.g. ${set.name}('value'), doubling any quote inside ('O''Neil').`, { target: set.key })
    return (m[1] as string).replace(/''/g, "'")
  }
  if (!/^-?\d{1,16}$/.test(body) || !Number.isSafeInteger(Number(body))) {
    throw bridgeError('BRIDGE_ERR_INVALID_LITERAL', `The key of ${set.name} is an integer (Edm.Int64): '${body.slice(0, 40)}' is not one, e.g. ${set.name}(17296058).`, { target: set.key })
  }
  return Number(body)
}

export function parseResourcePath(rawPath: string): ResourcePath {
  const segments = rawPath.split('/').filter((s, i, all) => s !== '' || (i > 0 && i < all.length - 1)).map(decodeSegment)
  if (segments.length === 0) return { kind: 'service' }
  const [first, ...rest] = segments as [string, ...string[]]
  if (first === '$metadata' && rest.length === 0) return { kind: 'metadata' }
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$/s.exec(first)
  const set = m === null ? undefined : entitySet(m[1] as string)
  if (m === null || set === undefined) {
    throw bridgeError('BRIDGE_ERR_NOT_FOUND', `No resource '${first.slice(0, 80)}': the feed has the entity sets Tasks, Automations and Runners (names are case-sensitive).`, { target: 'url' })
  }
  if (m[2] === undefined) {
    if (rest.length === 0) return { kind: 'collection', set, count: false }
    if (rest.length === 1 && rest[0] === '$count') return { kind: 'collection', set, count: true }
    throw bridgeError('BRIDGE_ERR_NOT_FOUND', `No resource '${rest.join('/').slice(0, 80)}' below ${set.name}: use ${set.name}(key), ${set.name}/$count or query options.`, { target: 'url' })
  }
  const key = parseKey(set, m[2])
  if (rest.length === 0) return { kind: 'entity', set, key, property: null, value: false }
  const nav = set.navigation.find((n) => n.name === rest[0])
  if (nav !== undefined && rest.length === 1) return { kind: 'navigation', set, key, nav }
  const prop = property(set, rest[0] as string)
  if (prop === undefined) {
    throw bridgeError('BRIDGE_ERR_NOT_FOUND', `Property '${(rest[0] as string).slice(0, 80)}' does not exist on type '${set.typeName}'.`, { target: 'url' })
  }
  if (rest.length === 1) return { kind: 'entity', set, key, property: prop, value: false }
  if (rest.length === 2 && rest[1] === '$value' && prop.collection !== true) return { kind: 'entity', set, key, property: prop, value: true }
  throw bridgeError('BRIDGE_ERR_NOT_FOUND', `No resource '${rest.slice(1).join('/').slice(0, 80)}' below ${set.name}(…)/${prop.name}: only /$value is served there.`, { target: 'url' })
}
