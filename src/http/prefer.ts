// The Prefer header (RFC 7240; OData 4.01 Part 1 §8.2.8): odata.maxpagesize,
// omit-values=nulls, and odata.include-annotations naming the bridge's
// `bridge.explain` (docs/explain.md). Read leniently, since Power Query joins preferences with
// `;` as well as `,` (powerquery.md).
export interface Preferences {
  readonly maxPageSize: number | null
  readonly omitNulls: boolean
  /** The answer carries its plan, estimate and actual cost (`@bridge.explain`). */
  readonly explain: boolean
}

/** The annotation an explained answer carries. */
export const EXPLAIN_ANNOTATION = 'bridge.explain'

/**
 * Whether an include-annotations list asks for the explain annotation: by
 * name, or by `bridge.*` — not by `*`, which clients send to mean the
 * vocabularies they know, and an explained answer bypasses the answer cache.
 * A `-` prefix excludes (OData 4.01 Part 1 §8.2.8.4).
 */
function wantsExplain(list: string): boolean {
  const items = list.split(',').map((s) => s.trim().toLowerCase())
  if (items.some((i) => i === `-${EXPLAIN_ANNOTATION}` || i === '-bridge.*')) return false
  return items.some((i) => i === EXPLAIN_ANNOTATION || i === 'bridge.*')
}

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const text = Array.isArray(header) ? header.join(',') : header ?? ''
  let maxPageSize: number | null = null
  let omitNulls = false
  let explain = false
  // include-annotations="a,b" holds commas inside its quotes: read it before splitting the rest.
  const rest = text.replace(/(?:odata\.)?include-annotations\s*=\s*"([^"]*)"/gi, (_all, list: string) => {
    explain ||= wantsExplain(list)
    return ''
  })
  for (const item of rest.split(/[,;]/)) {
    const [rawName = '', rawValue = ''] = item.split('=').map((s) => s.trim())
    const name = rawName.toLowerCase()
    const value = rawValue.replace(/^"|"$/g, '').toLowerCase()
    if ((name === 'odata.maxpagesize' || name === 'maxpagesize') && /^\d{1,9}$/.test(value) && Number(value) > 0) maxPageSize = Number(value)
    if (name === 'omit-values' && value === 'nulls') omitNulls = true
    if (name === 'odata.include-annotations' || name === 'include-annotations') explain ||= wantsExplain(value)
  }
  return { maxPageSize, omitNulls, explain }
}

export function preferenceApplied(pageSize: number | null, omitNulls: boolean, explain = false): string | null {
  const parts = [...(pageSize === null ? [] : [`odata.maxpagesize=${pageSize}`]), ...(omitNulls ? ['omit-values=nulls'] : []), ...(explain ? [`odata.include-annotations="${EXPLAIN_ANNOTATION}"`] : [])]
  return parts.length === 0 ? null : parts.join(', ')
}
