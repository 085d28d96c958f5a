import { createHash } from 'node:crypto'

/** A workspace's Developer Environment login and key. */
export interface Credential {
  readonly login: string
  readonly key: string
}

/**
 * A stable, non-reversible id of a credential (sha256 of login, NUL, key; hex prefix):
 * the token cache key and the only form of a credential that may be logged.
 */
export function credentialId(credential: Credential): string {
  return createHash('sha256').update(credential.login).update('\0').update(credential.key).digest('hex').slice(0, 16)
}
