// POST /api/v2/workspace/login {login, key} → {accessToken, organizationLabel}
import type { FastifyInstance } from 'fastify'
import type { SimContext } from '../context.js'
import { SpringError } from '../spring-error.js'
import type { LoginResponse } from '../../upstream/wire.js'
import { UPSTREAM_PATHS } from '../../upstream/wire.js'

export function loginRoute(app: FastifyInstance, ctx: SimContext): void {
  app.post(UPSTREAM_PATHS.login, async (request): Promise<LoginResponse> => {
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>
    const workspace = ctx.workspaces.find((w) => w.spec.login === body.login && w.spec.key === body.key)
    if (workspace === undefined) throw new SpringError(401, 'Invalid login or key')
    return { accessToken: ctx.tokens.issue(workspace, ctx.realNow()), organizationLabel: workspace.spec.organizationLabel }
  })
}
