// GET /api/v2/maestro/version → {version}, no authentication.
import type { FastifyInstance } from 'fastify'
import type { VersionResponse } from '../../upstream/wire.js'
import { UPSTREAM_PATHS } from '../../upstream/wire.js'

export const SIMULATED_VERSION = '2.31.0'

export function versionRoute(app: FastifyInstance): void {
  app.get(UPSTREAM_PATHS.version, async (): Promise<VersionResponse> => ({ version: SIMULATED_VERSION }))
}
