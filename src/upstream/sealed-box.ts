// Encryption of what the bridge keeps in a shared store (Redis): upstream
// pages are workspace data, tokens are secrets. Each value is sealed with
// AES-256-GCM under a key derived (HKDF-SHA256) from the workspace's own login
// and key, salted from BRIDGE_SECRET (src/keys.ts), so the store alone reveals
// neither rows nor tokens — not even to whoever also knows a login and can
// guess keys — and one workspace's entries cannot be opened with another's. The store
// key is the additional authenticated data: an entry moved under another key
// (page 3 served as page 4) fails to open.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { Credential } from './credential.js'
import type { BridgeKeys } from '../keys.js'

/** What a value is for: separate keys, so a page can never open as a token. */
export type SealPurpose = 'page' | 'token' | 'ledger'

export interface SealedBox {
  seal(aad: string, plaintext: string): Buffer
  /** The plaintext, or null when the value was not sealed by this credential under this key. */
  open(aad: string, sealed: Buffer): string | null
  sealBytes(aad: string, bytes: Buffer): Buffer
  openBytes(aad: string, sealed: Buffer): Buffer | null
}

const VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16
export function deriveKey(credential: Credential, purpose: SealPurpose, salt: Buffer): Buffer {
  const ikm = Buffer.concat([Buffer.from(credential.login, 'utf8'), Buffer.from([0]), Buffer.from(credential.key, 'utf8')])
  return Buffer.from(hkdfSync('sha256', ikm, salt, `${purpose}`, 32))
}

export function sealedBox(key: Buffer): SealedBox {
  const sealBytes = (aad: string, bytes: Buffer): Buffer => {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad, 'utf8'))
    const body = Buffer.concat([cipher.update(bytes), cipher.final()])
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body])
  }
  const openBytes = (aad: string, sealed: Buffer): Buffer | null => {
    if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) return null
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + IV_BYTES))
        .setAAD(Buffer.from(aad, 'utf8'))
        .setAuthTag(sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES))
      return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()])
    } catch {
      return null
    }
  }
  return {
    seal: (aad, plaintext) => sealBytes(aad, Buffer.from(plaintext, 'utf8')),
    open: (aad, sealed) => openBytes(aad, sealed)?.toString('utf8') ?? null,
    sealBytes,
    openBytes
  }
}

/** Boxes per credential and purpose, derived once and remembered (the key stays in this process's memory only). */
export function sealedBoxes(keys: BridgeKeys, maxCredentials = 1000): (credential: Credential, purpose: SealPurpose) => SealedBox {
  const boxes = new LRUCache<string, SealedBox>({ max: maxCredentials * 2 })
  return (credential, purpose) => {
    const id = `${keys.credentialId(credential)} ${purpose}`
    let box = boxes.get(id)
    if (box === undefined) {
      box = sealedBox(deriveKey(credential, purpose, keys.sealingSalt))
      boxes.set(id, box)
    }
    return box
  }
}
