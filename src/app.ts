// buildApp: the Fastify application, with no listening socket of its own, so
// tests build it and server.ts runs it. Plugins in data-flow order.
import { randomBytes } from 'node:crypto'
import compress from '@fastify/compress'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import { bridgeError } from './errors.js'
import { Feed } from './feed/feed.js'
import type { CredentialSource } from './feed/credentials.js'
import { skipTokenCodec } from './feed/skiptoken.js'
import { clientAccess } from './feed/upstream-access-client.js'
import { loggerOptions } from './http/logging.js'
import { sendError } from './http/odata-error.js'
import clientAuth from './http/client-auth.js'
import odataHeaders from './http/odata-headers.js'
import { bridgeCapabilities } from './feed/capabilities.js'
import { healthRoutes } from './routes/health.js'
import { landingRoutes } from './routes/landing.js'
import { odataRoutes } from './routes/odata.js'
import { renderCsdl } from './serialize/csdl.js'
import { createInsightsClient } from './upstream/client.js'
import { createPageCache } from './upstream/page-cache.js'
import type { InsightsClient } from './upstream/client.js'

export interface AppOptions {
  readonly config: Config
  /** Base URL of BotCity Insights (the embedded simulator's in demo mode). */
  readonly upstreamUrl: string
  readonly credentials: CredentialSource
  /** Where log lines go (tests capture them); default stdout. Redaction always applies. */
  readonly logStream?: NodeJS.WritableStream
  /** Clock in epoch ms (tests inject one). */
  readonly now?: () => number
  /** Shown on the landing page in demo mode. */
  readonly demoCredential?: { readonly login: string; readonly key: string }
}

declare module 'fastify' {
  interface FastifyInstance {
    insights: InsightsClient
  }
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    logger: loggerOptions({ level: config.logLevel, secretParams: [config.apiKeyParam], ...(options.logStream === undefined ? {} : { stream: options.logStream }) }),
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    // Query strings are read raw by the OData layer: Fastify's parser turns `+` into a space.
    routerOptions: { querystringParser: () => ({}), ignoreTrailingSlash: false, maxParamLength: 8192 },
    frameworkErrors: (error, request, reply) => { sendError(request, reply.header('odata-version', '4.0'), error) }
  })
  const now = options.now ?? Date.now
  const client = createInsightsClient({
    baseUrl: options.upstreamUrl,
    timeoutMs: config.upstreamTimeoutMs,
    retry: { limit: config.upstreamRetries },
    tokenLifetimeMs: config.tokenTtlS * 1000,
    maxConcurrentPerCredential: config.upstreamConcurrency,
    now,
    logger: app.log
  })
  app.decorate('insights', client)
  await app.register(odataHeaders)
  await app.register(clientAuth, { mode: config.mode, apiKeys: config.apiKeys, allowAnonymous: config.allowAnonymous, apiKeyParam: config.apiKeyParam })
  // Power Query sends Accept-Encoding: gzip, deflate; OData JSON compresses ~10×.
  await app.register(compress, { threshold: 1024, encodings: ['br', 'gzip', 'deflate'], customTypes: /^(application\/(json|xml)|text\/)/ })
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error))
  app.setNotFoundHandler((request, reply) => sendError(request, reply, bridgeError('BRIDGE_ERR_NOT_FOUND',
    `No resource at ${request.url.split('?')[0]?.slice(0, 120)}: the OData feed is at /odata/.`, { target: 'url' })))
  const feed = new Feed({
    access: clientAccess(client, createPageCache({ ttlMs: config.cacheTtlS * 1000, maxBytes: config.cacheMaxBytes, now })),
    credentials: options.credentials,
    codec: skipTokenCodec(config.skiptokenSecret ?? randomBytes(32).toString('hex')),
    horizonDays: config.horizonDays,
    pageSize: config.pageSize,
    maxPageSize: config.maxPageSize,
    maxLocalRows: config.maxLocalRows,
    concurrency: config.upstreamConcurrency,
    prefetch: config.cacheTtlS > 0,
    apiKeyParam: config.apiKeyParam,
    now
  })
  await app.register(odataRoutes, { publicUrl: config.publicUrl, csdl: renderCsdl(bridgeCapabilities), feed })
  await app.register(healthRoutes, { client, mode: config.mode, credentials: options.credentials })
  await app.register(landingRoutes, { config, upstreamUrl: options.upstreamUrl, demoCredential: options.demoCredential ?? null })
  return app
}
