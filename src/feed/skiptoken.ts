// $skiptoken: opaque to clients, signed (HMAC-SHA256) so it cannot be forged or
// edited, and bound to the query it continues so it cannot be replayed against
// another one. The state inside is whatever the executor needs to resume
// exactly (snapshot time, cursor, upstream position).
import { createHmac, timingSafeEqual } from 'node:crypto'
import { bridgeError } from '../errors.js'

export interface SkipTokenCodec {
  encode(queryId: string, state: unknown): string
  decode(queryId: string, token: string): unknown
}

const invalid = () => bridgeError('BRIDGE_ERR_SKIPTOKEN_INVALID',
  'The $skiptoken is not valid for this query: follow @odata.nextLink exactly as the bridge sent it, or restart the query without $skiptoken.', { target: '$skiptoken' })

export function skipTokenCodec(secret: string): SkipTokenCodec {
  const sign = (queryId: string, body: string): Buffer => createHmac('sha256', secret).update(queryId).update('\0').update(body).digest().subarray(0, 16)
  return {
    encode(queryId, state) {
      const body = Buffer.from(JSON.stringify(state)).toString('base64url')
      return `${body}.${sign(queryId, body).toString('base64url')}`
    },
    decode(queryId, token) {
      const dot = token.indexOf('.')
      if (dot <= 0 || token.length > 4096) throw invalid()
      const body = token.slice(0, dot)
      const mac = Buffer.from(token.slice(dot + 1), 'base64url')
      const expected = sign(queryId, body)
      if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw invalid()
      try {
        return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown
      } catch {
        throw invalid()
      }
    }
  }
}
