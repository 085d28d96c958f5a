// Which BotCity workspace credential serves a request, per mode: demo and
// service-account use the bridge's own; passthrough uses the client's, which
// authentication has read and BotCity has accepted (http/client-auth.ts).
// Secrets are never logged or echoed.
import type { FastifyRequest } from 'fastify'
import { bridgeError } from '../errors.js'
import type { Credential } from '../upstream/credential.js'

export interface CredentialSource {
  /** True when credentials come from the client (so an upstream rejection is the client's 401). */
  readonly clientSupplied: boolean
  resolve(request: FastifyRequest): Credential
}

export const BASIC_REALM = 'BotCity Insights'

export function fixedCredential(credential: Credential): CredentialSource {
  return { clientSupplied: false, resolve: () => credential }
}

export function passthroughCredentials(): CredentialSource {
  return {
    clientSupplied: true,
    resolve(request) {
      const credential = request.client?.credential ?? null
      if (credential === null) throw bridgeError('BRIDGE_ERR_UNAUTHORIZED', 'Sign in with your BotCity workspace login (user name) and key (password), from the Developer Environment page of the Orchestrator.')
      return credential
    }
  }
}
