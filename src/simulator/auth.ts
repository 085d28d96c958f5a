// Who a data call is: `token` (or `Authorization: Bearer`) plus `organization`.
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyRequest } from 'fastify'
import type { SimContext } from './context.js'
import { SpringError } from './spring-error.js'
import type { Workspace } from './workspace.js'

const callers = new WeakMap<FastifyRequest, Workspace>()

export function authenticate(ctx: SimContext, request: FastifyRequest): void {
  callers.set(request, resolveCaller(ctx, request.headers))
}

/** The workspace the gate authenticated this request as. */
export function callerOf(request: FastifyRequest): Workspace {
  return callers.get(request) as Workspace
}

function resolveCaller(ctx: SimContext, headers: IncomingHttpHeaders): Workspace {
  const token = headerValue(headers.token) ?? bearer(headerValue(headers.authorization))
  if (token === undefined) throw new SpringError(401, 'Missing token')
  const workspace = ctx.tokens.resolve(token, ctx.realNow())
  if (workspace === undefined) throw new SpringError(401, 'Invalid or expired token')
  const organization = headerValue(headers.organization)
  if (organization === undefined) throw new SpringError(401, 'Missing organization')
  if (!workspace.isOrganization(organization)) throw new SpringError(401, 'Token does not belong to this organization')
  return workspace
}

/** Node joins repeated custom headers; only set-cookie arrives as an array. */
function headerValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function bearer(value: string | undefined): string | undefined {
  const match = value === undefined ? null : /^Bearer\s+(\S+)$/i.exec(value)
  return match?.[1]
}
