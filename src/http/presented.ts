// What a request presents to identify its client, read once: HTTP Basic user
// and password (RFC 7617), a Bearer token (RFC 6750) and the Web API key
// query parameter (Power BI's Web API credentials). Nothing here is checked:
// client-auth.ts decides what it is worth.
import type { FastifyRequest } from 'fastify'
import { decodedOrNull } from '../odata/index.js'
import { requestQuery } from './request-query.js'

export interface Presented {
  readonly basic: { readonly user: string; readonly password: string } | null
  readonly bearer: string | null
  /** The API-key query parameter, decoded. */
  readonly apiKey: string | null
}

/** The decoded value of the first query parameter called `name` (null: none, or not validly encoded). */
function queryParam(request: FastifyRequest, name: string): string | null {
  for (const pair of requestQuery(request).pairs) {
    if (pair.raw.includes('=') && decodedOrNull(pair.rawName) === name) return decodedOrNull(pair.rawValue)
  }
  return null
}

export function presented(request: FastifyRequest, apiKeyParam: string): Presented {
  let basic: Presented['basic'] = null
  let bearer: string | null = null
  const header = request.headers.authorization
  if (typeof header === 'string') {
    const [scheme = '', value = ''] = header.trim().split(/\s+/, 2)
    if (scheme.toLowerCase() === 'bearer' && value !== '') bearer = value
    if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon >= 0) basic = { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
    }
  }
  const param = queryParam(request, apiKeyParam)
  return { basic, bearer, apiKey: param === null || param === '' ? null : param }
}

/** Every secret presented, for comparing with the bridge's API keys. */
export function presentedSecrets(p: Presented): string[] {
  return [p.basic?.password, p.bearer, p.apiKey].filter((s): s is string => s !== undefined && s !== null && s !== '')
}
