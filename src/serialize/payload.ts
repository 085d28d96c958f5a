// OData JSON payloads (OData JSON Format 4.0): @odata.context first and
// absolute (powerquery.md checklist 4), metadata levels minimal/full/none (§3.1),
// IEEE754Compatible (§3.2), omit-values=nulls (Part 1 §8.2.8.6), and
// DateTimeOffset written with `Z` (checklist 9).
import { NAMESPACE } from '../model/index.js'
import type { EntitySetDef, PropertyDef } from '../model/index.js'
import type { Row, RowValue } from '../model/row.js'
import type { JsonFormat } from './format.js'
import type { AggregateColumn } from '../evaluate/aggregate.js'

/** The related rows of one entity for each expanded navigation property. */
export type ExpandedValue =
  | { readonly kind: 'single'; readonly row: Row | null }
  | { readonly kind: 'many'; readonly rows: readonly Row[]; readonly count: number | null }

export type ExpandedValues = Readonly<Record<string, ExpandedValue>>

export interface PayloadOptions {
  readonly root: string
  readonly set: EntitySetDef
  readonly format: JsonFormat
  /** Properties to write; null = all. */
  readonly select: readonly string[] | null
  readonly omitNulls: boolean
  /** Expanded navigation properties, each written with its target's options. */
  readonly expand?: readonly { readonly name: string; readonly options: PayloadOptions }[]
}

/** Key as it appears in a URL: Tasks(17296058), Automations('O''Neil') (URL Conventions §4.3.1). */
export function keySegment(set: EntitySetDef, key: string | number): string {
  return typeof key === 'number' ? `${set.name}(${key})` : `${set.name}('${encodeURIComponent(key.replace(/'/g, "''"))}')`
}

/** Type annotations full metadata needs: everything JSON can't say by itself (JSON Format §4.5.3). */
function typeAnnotation(p: PropertyDef): string | null {
  if (p.collection === true) return `#Collection(${p.type.slice(4)})`
  if (p.type === 'Edm.String' || p.type === 'Edm.Boolean' || p.type === 'Edm.Double') return null
  return `#${p.type.slice(4)}`
}

function writeValue(p: PropertyDef, v: RowValue, ieee754: boolean): unknown {
  if (v === null) return null
  if (p.type === 'Edm.DateTimeOffset') return new Date(v as number).toISOString()
  if (ieee754 && (p.type === 'Edm.Int64' || p.type === 'Edm.Decimal')) return String(v)
  return v
}

/** The select list of a context URL: selected properties, then each expanded navigation with its own list (JSON Format 4.0 §10). */
function selectList(options: PayloadOptions): string {
  const items = [...(options.select ?? []), ...(options.expand ?? []).map((e) => `${e.name}(${selectList(e.options)})`)]
  return items.join(',')
}

export function contextUrl(options: PayloadOptions, suffix: '' | '/$entity'): string {
  const list = selectList(options)
  return `${options.root}$metadata#${options.set.name}${list === '' ? '' : `(${list})`}${suffix}`
}

/** Compiles the writer of one entity for these options, expanded navigation properties included. */
export function entityWriter(options: PayloadOptions): (row: Row, expanded?: ExpandedValues) => Record<string, unknown> {
  const base = structuralWriter(options)
  const navs = (options.expand ?? []).map((e) => ({ name: e.name, write: entityWriter(e.options) }))
  if (navs.length === 0) return (row) => base(row)
  return (row, expanded) => {
    const out = base(row)
    for (const nav of navs) {
      const v = expanded?.[nav.name]
      if (v === undefined) continue
      if (v.kind === 'single') {
        out[nav.name] = v.row === null ? null : nav.write(v.row)
      } else {
        if (v.count !== null) out[`${nav.name}@odata.count`] = options.format.ieee754 ? String(v.count) : v.count
        out[nav.name] = v.rows.map((r) => nav.write(r))
      }
    }
    return out
  }
}

function structuralWriter(options: PayloadOptions): (row: Row) => Record<string, unknown> {
  const { set, format, omitNulls } = options
  const props = set.properties.filter((p) => options.select === null || options.select.includes(p.name))
  const keyProp = set.properties.find((p) => p.name === set.key) as PropertyDef
  const full = format.metadata === 'full'
  return (row) => {
    const out: Record<string, unknown> = {}
    if (full) {
      const id = `${options.root}${keySegment(set, row[keyProp.name] as string | number)}`
      out['@odata.type'] = `#${NAMESPACE}.${set.typeName}`
      out['@odata.id'] = id
      out['@odata.readLink'] = id
    }
    for (const p of props) {
      const v = row[p.name] ?? null
      if (v === null && omitNulls) continue
      if (full) {
        const t = typeAnnotation(p)
        if (t !== null) out[`${p.name}@odata.type`] = t
      }
      out[p.name] = writeValue(p, v, format.ieee754)
    }
    return out
  }
}

export interface CollectionPage {
  readonly rows: readonly Row[]
  /** Expanded values per row, aligned with rows. */
  readonly expanded?: readonly ExpandedValues[]
  readonly count: number | null
  readonly nextLink: string | null
  /** Instance annotations written after the rows (worked out when the last piece is written). */
  readonly trailer?: () => Readonly<Record<string, unknown>>
}

/** Rows per chunk of a collection written piecewise. */
const ROWS_PER_CHUNK = 250

/**
 * A collection's JSON text in pieces — the head, then rows in chunks, then the
 * tail — so a large page can be sent as it is written (feed.ts) instead of
 * being built into one string first.
 */
function* valueChunks(head: Record<string, unknown>, rows: number, writeRow: (i: number) => string, page: CollectionPage): Generator<string> {
  const headText = JSON.stringify(head)
  yield `${headText.slice(0, -1)}${headText.length > 2 ? ',' : ''}"value":[`
  for (let start = 0; start < rows; start += ROWS_PER_CHUNK) {
    const parts: string[] = []
    for (let i = start; i < Math.min(rows, start + ROWS_PER_CHUNK); i++) parts.push(writeRow(i))
    yield `${start === 0 ? '' : ','}${parts.join(',')}`
  }
  const tail = JSON.stringify({ ...(page.nextLink === null ? {} : { '@odata.nextLink': page.nextLink }), ...page.trailer?.() })
  yield `]${tail.length > 2 ? `,${tail.slice(1)}` : '}'}`
}

function collectionHead(options: PayloadOptions, context: string, count: number | null): Record<string, unknown> {
  const head: Record<string, unknown> = {}
  if (options.format.metadata !== 'none') head['@odata.context'] = context
  if (count !== null) head['@odata.count'] = options.format.ieee754 ? String(count) : count
  return head
}

export function collectionChunks(options: PayloadOptions, page: CollectionPage): Generator<string> {
  const write = entityWriter(options)
  return valueChunks(collectionHead(options, contextUrl(options, ''), page.count), page.rows.length, (i) => JSON.stringify(write(page.rows[i] as Row, page.expanded?.[i])), page)
}

export function entityPayload(options: PayloadOptions, row: Row, expanded?: ExpandedValues): Record<string, unknown> {
  const body = entityWriter(options)(row, expanded)
  return options.format.metadata === 'none' ? body : { '@odata.context': contextUrl(options, '/$entity'), ...body }
}

/** A single property (OData JSON Format §11): {"@odata.context": …, "value": …}. */
export function propertyPayload(options: PayloadOptions, key: string | number, p: PropertyDef, row: Row): Record<string, unknown> {
  const value = writeValue(p, row[p.name] ?? null, options.format.ieee754)
  return options.format.metadata === 'none'
    ? { value }
    : { '@odata.context': `${options.root}$metadata#${keySegment(options.set, key)}/${p.name}`, value }
}

/** Raw value for /$value (URL Conventions §4.6): text/plain. */
export function rawValue(p: PropertyDef, v: RowValue): string {
  return p.type === 'Edm.DateTimeOffset' ? new Date(v as number).toISOString() : String(v)
}

/** A page of $apply results (Data Aggregation 4.0 §3.10): dynamic columns, no entity ids. */
export function aggregateChunks(options: PayloadOptions, columns: readonly AggregateColumn[], page: CollectionPage): Generator<string> {
  const context = `${options.root}$metadata#${options.set.name}(${columns.map((c) => c.name).join(',')})`
  const write = (row: Row): string => {
    const out: Record<string, unknown> = {}
    for (const c of columns) {
      const v = (row[c.name] ?? null) as RowValue
      if (v === null && options.omitNulls) continue
      const def = c.kind === 'property' ? c.def : c.item.property
      const keepsType = c.kind === 'property' || c.item.method === 'min' || c.item.method === 'max'
      out[c.name] = def !== null && keepsType ? writeValue(def, v, options.format.ieee754) : v
    }
    return JSON.stringify(out)
  }
  return valueChunks(collectionHead(options, context, page.count), page.rows.length, (i) => write(page.rows[i] as Row), page)
}
