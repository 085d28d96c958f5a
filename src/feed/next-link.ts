// @odata.nextLink: the client's own query (as it sent it, minus $skiptoken and
// any API key, which Power Query appends itself) plus our $skiptoken; and the
// identity of a query, to which a skiptoken is bound.
import { createHash } from 'node:crypto'

function optionName(pair: string): string {
  const eq = pair.indexOf('=')
  const raw = eq < 0 ? pair : pair.slice(0, eq)
  try {
    return decodeURIComponent(raw).toLowerCase()
  } catch {
    return raw.toLowerCase()
  }
}

/** The raw `name=value` pairs of a query string other than $skiptoken and the secret parameters. */
export function carriedPairs(rawQuery: string, secretParams: readonly string[]): string[] {
  const drop = new Set(['$skiptoken', 'skiptoken', ...secretParams.map((s) => s.toLowerCase())])
  // A pair given twice (Power Query's Query option on a nextLink) is carried once.
  return [...new Set(rawQuery.split('&').filter((p) => p !== '' && !drop.has(optionName(p))))]
}

export function nextLink(root: string, path: string, pairs: readonly string[], token: string): string {
  return `${root}${path}?${[...pairs, `$skiptoken=${encodeURIComponent(token)}`].join('&')}`
}

export function queryId(path: string, pairs: readonly string[], credentialId: string): string {
  return createHash('sha256').update(path).update('\0').update([...pairs].sort().join('&')).update('\0').update(credentialId).digest('base64url')
}
