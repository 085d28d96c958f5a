// $skiptoken: opaque to clients — the state inside (snapshot, positions, ids)
// is encrypted and authenticated (AES-256-GCM under a key from BRIDGE_SECRET,
// src/keys.ts), so it can be neither read, forged nor edited, and it is bound
// to the query it continues (the query's id is the additional authenticated
// data), so it cannot be replayed against another one.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { bridgeError } from '../errors.js'

export interface SkipTokenCodec {
  encode(queryId: string, state: unknown): string
  decode(queryId: string, token: string): unknown
}

const VERSION = 2
const IV_BYTES = 12
const TAG_BYTES = 16

const invalid = () => bridgeError('BRIDGE_ERR_SKIPTOKEN_INVALID',
  'The $skiptoken is not valid for this query: follow @odata.nextLink exactly as the bridge sent it, or restart the query without $skiptoken.', { target: '$skiptoken' })

export function skipTokenCodec(key: Buffer): SkipTokenCodec {
  return {
    encode(queryId, state) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(queryId, 'utf8'))
      const body = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()])
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString('base64url')
    },
    decode(queryId, token) {
      if (token.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid()
      const sealed = Buffer.from(token, 'base64url')
      if (sealed.length <= 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw invalid()
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + IV_BYTES))
          .setAAD(Buffer.from(queryId, 'utf8'))
          .setAuthTag(sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES))
        const text = Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
        return JSON.parse(text) as unknown
      } catch {
        throw invalid()
      }
    }
  }
}
