// The Prefer header (RFC 7240; OData 4.01 Part 1 §8.2.8): odata.maxpagesize and
// omit-values=nulls. Read leniently, since Power Query joins preferences with
// `;` as well as `,` (powerquery.md).
export interface Preferences {
  readonly maxPageSize: number | null
  readonly omitNulls: boolean
}

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const text = Array.isArray(header) ? header.join(',') : header ?? ''
  let maxPageSize: number | null = null
  let omitNulls = false
  for (const item of text.split(/[,;]/)) {
    const [rawName = '', rawValue = ''] = item.split('=').map((s) => s.trim())
    const name = rawName.toLowerCase()
    const value = rawValue.replace(/^"|"$/g, '').toLowerCase()
    if ((name === 'odata.maxpagesize' || name === 'maxpagesize') && /^\d{1,9}$/.test(value) && Number(value) > 0) maxPageSize = Number(value)
    if (name === 'omit-values' && value === 'nulls') omitNulls = true
  }
  return { maxPageSize, omitNulls }
}

export function preferenceApplied(pageSize: number | null, omitNulls: boolean): string | null {
  const parts = [...(pageSize === null ? [] : [`odata.maxpagesize=${pageSize}`]), ...(omitNulls ? ['omit-values=nulls'] : [])]
  return parts.length === 0 ? null : parts.join(', ')
}
