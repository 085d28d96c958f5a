// @odata.nextLink: the client's own query (as it sent it, minus $skiptoken and
// any API key, which Power Query appends itself) plus our $skiptoken; and the
// identity of a query, to which a skiptoken is bound.
import { createHash } from 'node:crypto'
import { decodedOrNull } from '../odata/index.js'
import type { QueryPair } from '../odata/index.js'

/** The raw `name=value` pairs of a query string other than $skiptoken and the secret parameters. */
export function carriedPairs(pairs: readonly QueryPair[], secretParams: readonly string[]): string[] {
  const drop = new Set(['$skiptoken', 'skiptoken', ...secretParams.map((s) => s.toLowerCase())])
  const name = (p: QueryPair): string => (decodedOrNull(p.rawName) ?? p.rawName).toLowerCase()
  // A pair given twice (Power Query's Query option on a nextLink) is carried once.
  return [...new Set(pairs.filter((p) => !drop.has(name(p))).map((p) => p.raw))]
}

export function nextLink(root: string, path: string, pairs: readonly string[], token: string): string {
  return `${root}${path}?${[...pairs, `$skiptoken=${encodeURIComponent(token)}`].join('&')}`
}

export function queryId(path: string, pairs: readonly string[], credentialId: string): string {
  return createHash('sha256').update(path).update('\0').update([...pairs].sort().join('&')).update('\0').update(credentialId).digest('base64url')
}
