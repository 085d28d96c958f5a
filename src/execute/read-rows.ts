// The wire → row conversion of each entity set: every model property checked
// against its EDM type, DateTimeOffset values turned into epoch milliseconds,
// anything else the upstream sends dropped (model/row.ts).
import { bridgeError } from '../errors.js'
import { parseInstant } from '../upstream/wire-instant.js'
import type { EntitySetDef, PropertyDef } from '../model/index.js'
import type { Row, RowValue } from '../model/row.js'

const ZONE = /(Z|[+-]\d{2}:?\d{2})$/i

function toInstant(set: EntitySetDef, p: PropertyDef, value: unknown): number | null {
  if (value === null || value === undefined) return null
  if (typeof value !== 'string') throw badValue(set, p, value)
  const text = p.wire === 'utc-without-zone' && !ZONE.test(value) ? `${value}Z` : value
  const ms = parseInstant(text)
  if (!Number.isFinite(ms) || !ZONE.test(text)) throw badValue(set, p, value)
  return ms
}

function badValue(set: EntitySetDef, p: PropertyDef, value: unknown): Error {
  return bridgeError('UPSTREAM_BAD_RESPONSE', `BotCity Insights sent ${set.typeName}.${p.name} = ${JSON.stringify(value)?.slice(0, 60)}, which is not a valid ${p.type}.`)
}

/**
 * Rows already made from wire objects, per entity set: a page the cache holds
 * is read by many requests (a scan over the whole history by each), and each
 * made every row again; the garbage, and the rows held by local sorts being
 * copied by each young-generation collection, held the event loop for up to
 * 29 ms at a time (the heavy mix of issue 16). Rows are read-only, so they
 * are shared; they go when their page goes. They stay within CACHE_MAX_MB:
 * the cache sizes a page at twice its JSON length, and 20,000 tasks measured
 * 13.7 MB so, against 6.1 MB of heap for the wire objects and 4.6 MB for
 * their rows.
 */
const made = new WeakMap<EntitySetDef, WeakMap<object, Row>>()

/** The wire → row conversion of one entity set, each wire object converted once. */
export function rowReader(set: EntitySetDef): (wire: Record<string, unknown>) => Row {
  let rows = made.get(set)
  if (rows === undefined) {
    rows = new WeakMap()
    made.set(set, rows)
  }
  const known = rows
  const convert = converter(set)
  return (wire) => {
    let row = known.get(wire)
    if (row === undefined) {
      row = convert(wire)
      known.set(wire, row)
    }
    return row
  }
}

/** Compiles the wire → row conversion of one entity set. */
function converter(set: EntitySetDef): (wire: Record<string, unknown>) => Row {
  const steps = set.properties.map((p) => {
    if (p.type === 'Edm.DateTimeOffset') return (w: Record<string, unknown>, out: Record<string, RowValue>) => { out[p.name] = toInstant(set, p, w[p.name]) }
    if (p.collection === true) {
      return (w: Record<string, unknown>, out: Record<string, RowValue>) => {
        const v = w[p.name]
        if (v !== null && v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) throw badValue(set, p, v)
        out[p.name] = (v as string[] | null | undefined) ?? []
      }
    }
    const expected = p.type === 'Edm.String' ? 'string' : p.type === 'Edm.Boolean' ? 'boolean' : 'number'
    return (w: Record<string, unknown>, out: Record<string, RowValue>) => {
      const v = w[p.name]
      if (v === undefined || v === null) {
        if (!p.nullable) throw badValue(set, p, v ?? null)
        out[p.name] = null
      } else if (typeof v !== expected) {
        throw badValue(set, p, v)
      } else {
        out[p.name] = v as RowValue
      }
    }
  })
  return (wire) => {
    const out: Record<string, RowValue> = {}
    for (const step of steps) step(wire, out)
    return out
  }
}
