// $skiptoken: opaque to clients — the state inside (snapshot, positions, ids)
// is encrypted and authenticated (AES-256-GCM under a key from BRIDGE_SECRET,
// src/keys.ts), so it can be neither read, forged nor edited, and it is bound
// to the query it continues (the query's id is the additional authenticated
// data), so it cannot be replayed against another one.
//
// A token may carry, after a dot, its load's mark (monitor/loads.ts: the
// load's id and running figures), in clear and authenticated by an HMAC over
// the query's id, the sealed state and the mark: it can be neither edited nor
// moved to another token. Apart from the state, so that a page of the answer
// cache, sent again as the page of another load, changes only its mark: an
// HMAC, not a new seal of the whole state.
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto'
import { randomChunk } from '../random.js'
import { bridgeError } from '../errors.js'

export interface SkipTokenCodec {
  /** The sealed state alone. */
  encode(queryId: string, state: unknown): string
  /** A sealed state with a load's mark (null: the state alone). */
  mark(queryId: string, sealed: string, mark: unknown): string
  /** The state, with the mark a token carries as its `L`. */
  decode(queryId: string, token: string): unknown
}

const VERSION = 2
const IV_BYTES = 12
const TAG_BYTES = 16
/** The mark's HMAC, cut to 128 bits (22 base64url characters). */
const MARK_TAG_BYTES = 16
const MARK_TAG_CHARS = 22

const invalid = () => bridgeError('BRIDGE_ERR_SKIPTOKEN_INVALID',
  'The $skiptoken is not valid for this query: follow @odata.nextLink exactly as the bridge sent it, or restart the query without $skiptoken.', { target: '$skiptoken' })

/** The GCM tag of a sealed state (its bytes 13–28, after VERSION and the IV), read off its first 40 characters. */
function stateTag(sealed: string): Buffer {
  return Buffer.from(sealed.slice(0, 40), 'base64url').subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES)
}

export function skipTokenCodec(key: Buffer): SkipTokenCodec {
  // The marks' key, apart from the sealing key.
  const markKey = createHmac('sha256', key).update('skiptoken load mark').digest()
  // Over the query's id, the state's own GCM tag (which binds the state, sealed with the query's id) and the mark.
  const markTag = (queryId: string, sealed: string, mark: string): Buffer =>
    createHmac('sha256', markKey).update(queryId).update('\0').update(stateTag(sealed)).update('\0').update(mark).digest().subarray(0, MARK_TAG_BYTES)
  const open = (queryId: string, sealed: string): unknown => {
    const bytes = Buffer.from(sealed, 'base64url')
    if (bytes.length <= 1 + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) throw invalid()
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + IV_BYTES))
        .setAAD(Buffer.from(queryId, 'utf8'))
        .setAuthTag(bytes.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES))
      const text = Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
      return JSON.parse(text) as unknown
    } catch {
      throw invalid()
    }
  }
  return {
    encode(queryId, state) {
      const iv = randomChunk(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(queryId, 'utf8'))
      const body = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()])
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString('base64url')
    },
    mark(queryId, sealed, mark) {
      if (mark === null) return sealed
      const text = JSON.stringify(mark)
      return `${sealed}.${Buffer.from(text, 'utf8').toString('base64url')}${markTag(queryId, sealed, text).toString('base64url')}`
    },
    decode(queryId, token) {
      if (token.length > 4096 || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]{23,})?$/.test(token)) throw invalid()
      const dot = token.indexOf('.')
      if (dot < 0) return open(queryId, token)
      const sealed = token.slice(0, dot)
      const marked = token.slice(dot + 1)
      const text = Buffer.from(marked.slice(0, -MARK_TAG_CHARS), 'base64url').toString('utf8')
      const tag = Buffer.from(marked.slice(-MARK_TAG_CHARS), 'base64url')
      if (tag.length !== MARK_TAG_BYTES || !timingSafeEqual(tag, markTag(queryId, sealed, text))) throw invalid()
      const state = open(queryId, sealed)
      let mark: unknown
      try { mark = JSON.parse(text) as unknown } catch { throw invalid() }
      return typeof state === 'object' && state !== null ? { ...state, L: mark } : state
    }
  }
}
