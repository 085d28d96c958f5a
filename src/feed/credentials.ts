// Which BotCity workspace credential serves a request, per mode: demo and
// service-account use the bridge's own; passthrough takes the client's HTTP
// Basic user/password (or a Web API key `login:key` in the query string) as the
// workspace login/key. Secrets are never logged or echoed.
import type { FastifyRequest } from 'fastify'
import { bridgeError } from '../errors.js'
import type { Credential } from '../upstream/credential.js'

export interface CredentialSource {
  /** True when credentials come from the client (so an upstream rejection is the client's 401). */
  readonly clientSupplied: boolean
  resolve(request: FastifyRequest, apiKey: string | null): Credential
}

export const BASIC_REALM = 'BotCity Insights'

function unauthorized(message: string): Error {
  return bridgeError('BRIDGE_ERR_UNAUTHORIZED', message)
}

function splitPair(text: string): Credential | null {
  const colon = text.indexOf(':')
  if (colon <= 0 || colon === text.length - 1) return null
  return { login: text.slice(0, colon), key: text.slice(colon + 1) }
}

export function fixedCredential(credential: Credential): CredentialSource {
  return { clientSupplied: false, resolve: () => credential }
}

export function passthroughCredentials(): CredentialSource {
  return {
    clientSupplied: true,
    resolve(request, apiKey) {
      const header = request.headers.authorization
      if (typeof header === 'string' && /^basic\s+/i.test(header)) {
        const decoded = Buffer.from(header.replace(/^basic\s+/i, ''), 'base64').toString('utf8')
        // Power Query sends a Key credential as Basic with an empty user name: ":login:key".
        const pair = splitPair(decoded.startsWith(':') ? decoded.slice(1) : decoded)
        if (pair === null) throw unauthorized('The Basic credentials must be your BotCity workspace login as user name and its key as password.')
        return pair
      }
      if (apiKey !== null) {
        const pair = splitPair(apiKey)
        if (pair === null) throw unauthorized('The API key must be your BotCity workspace login and key joined by a colon (login:key).')
        return pair
      }
      throw unauthorized('Sign in with your BotCity workspace login (user name) and key (password), from the Developer Environment page of the Orchestrator.')
    }
  }
}
