import { isHTTPError } from 'ky'
import type { Credential } from './credential.js'
import type { Session, TokenCache } from './token-cache.js'

/** The headers of the docs (`token`, `organization`); official SDKs send the same. */
export function authHeaders(session: Session): Record<string, string> {
  return { token: session.token, organization: session.organization }
}

export function isAuthRejection(error: unknown): boolean {
  return isHTTPError(error) && (error.response.status === 401 || error.response.status === 403)
}

/**
 * Runs a data call with the credential's session. On 401/403 the token is dropped and the
 * call repeated once with a fresh login; a second rejection is the caller's to map.
 */
export async function withSession<T>(
  tokens: TokenCache,
  credential: Credential,
  call: (session: Session) => Promise<T>,
  onRelogin: () => void
): Promise<T> {
  const session = await tokens.get(credential)
  try {
    return await call(session)
  } catch (error) {
    if (!isAuthRejection(error)) throw error
    tokens.invalidate(credential, session)
    onRelogin()
    return call(await tokens.get(credential))
  }
}
