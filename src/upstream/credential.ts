/** A workspace's Developer Environment login and key. */
export interface Credential {
  readonly login: string
  readonly key: string
}

/** The id of a credential as the bridge's keys make it (src/keys.ts): never the credential itself. */
export type CredentialIdOf = (credential: Credential) => string
