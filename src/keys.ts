// Every key the bridge uses is derived from one secret, BRIDGE_SECRET, which
// replicas share through their configuration — never through Redis, so a
// reader of Redis learns nothing (HKDF-SHA256, RFC 5869, one label per use):
// - credential ids: HMAC of a workspace's login and key, the only form of a
//   credential in logs, metrics and Redis key names; without the secret a
//   reader of those cannot test key guesses offline;
// - the salt of the per-credential keys that seal what Redis holds
//   (upstream/sealed-box.ts);
// - the key that encrypts and authenticates $skiptoken values (http/skiptoken.ts);
// - the key that seals what the monitor shares in Redis (monitor/share.ts).
import { createHmac, hkdfSync, randomBytes } from 'node:crypto'
import type { Credential } from './upstream/credential.js'

export interface BridgeKeys {
  /** A stable, non-reversible id of a credential (16 hex digits), keyed. */
  credentialId(credential: Credential): string
  /** Salt of the keys sealing each credential's entries in Redis. */
  readonly sealingSalt: Buffer
  /** AES-256-GCM key of $skiptoken values. */
  readonly skiptokenKey: Buffer
  /** AES-256-GCM key of what the monitor shares in Redis (loads of every workspace, their queries). */
  readonly monitorKey: Buffer
}

const LABEL = 'botcity-insights-odata'

function derive(secret: Buffer, use: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, LABEL, use, 32))
}

export function bridgeKeys(secret: string | Buffer): BridgeKeys {
  const root = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret
  const idKey = derive(root, 'credential-id')
  return {
    credentialId: (c) => createHmac('sha256', idKey).update(c.login).update('\0').update(c.key).digest('hex').slice(0, 16),
    sealingSalt: derive(root, 'sealing'),
    skiptokenKey: derive(root, 'skiptoken'),
    monitorKey: derive(root, 'monitor')
  }
}

/** Keys from a random secret: for a single process whose ids and tokens need not outlive it. */
export function ephemeralKeys(): BridgeKeys {
  return bridgeKeys(randomBytes(32))
}
