// buildApp: the Fastify application, with no listening socket of its own, so
// tests build it and server.ts runs it. Plugins in data-flow order.
import { randomUUID } from 'node:crypto'
import compress from '@fastify/compress'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import { bridgeError } from './errors.js'
import { Feed } from './routes/feed.js'
import { createResponseCache } from './http/response-cache.js'
import type { CredentialSource } from './http/credentials.js'
import { skipTokenCodec } from './http/skiptoken.js'
import { bridgeKeys, ephemeralKeys } from './keys.js'
import { createAuthThrottle } from './http/auth-throttle.js'
import { watchSharedCache } from './http/shared-cache-metrics.js'
import { createSharedCache } from './upstream/shared-cache.js'
import { clientAccess } from './upstream/access-client.js'
import type { LedgersView } from './upstream/access-client.js'
import { loggerOptions } from './http/logging.js'
import { sendError } from './http/odata-error.js'
import clientAuth from './http/client-auth.js'
import metricsPlugin, { createMetrics } from './http/metrics.js'
import odataHeaders from './http/odata-headers.js'
import backPressure from './http/back-pressure.js'
import gracefulShutdown from './http/graceful-shutdown.js'
import clientRateLimit from './http/rate-limit.js'
import securityHeaders from './http/security-headers.js'
import serverLimits, { serverLimitOptions } from './http/server-limits.js'
import { bridgeCapabilities } from './odata/capabilities.js'
import { healthRoutes } from './routes/health.js'
import { landingRoutes } from './routes/landing.js'
import { odataRoutes } from './routes/odata.js'
import openapi from './routes/openapi.js'
import { renderCsdl } from './serialize/csdl.js'
import { renderCsdlJson } from './serialize/csdl-json.js'
import { createInsightsClient } from './upstream/client.js'
import { createPageCache } from './upstream/page-cache.js'
import type { InsightsClient } from './upstream/client.js'
import { HeavyGate } from './execute/heavy-gate.js'
import { LoadBook, loadLine } from './monitor/loads.js'
import { Monitor } from './monitor/monitor.js'
import { redisMonitorShare } from './monitor/share.js'
import { UpstreamMinutes } from './monitor/upstream-minutes.js'
import { monitorRoutes } from './routes/monitor.js'

/** Seconds a heavy request refused at the gate is told to wait before retrying. */
const HEAVY_RETRY_AFTER_S = 10

/** How long the order of a load answered in several pages is held: the longest Power BI refresh (Premium, 5 h). */
const LOAD_ORDER_TTL_MS = 5 * 3_600_000

export interface AppOptions {
  readonly config: Config
  /** Base URL of BotCity Insights (the embedded simulator's in demo mode). */
  readonly upstreamUrl: string
  readonly credentials: CredentialSource
  /** Where log lines go (tests capture them); default stdout. Redaction always applies. */
  readonly logStream?: NodeJS.WritableStream
  /** Clock in epoch ms (tests inject one). */
  readonly now?: () => number
}

declare module 'fastify' {
  interface FastifyInstance {
    insights: InsightsClient
  }
}

/** TRUST_PROXY for Fastify: a hop count believes that many proxies nearest the bridge. */
function trustProxyOption(value: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value === 'number') return (_address, hop) => hop < value
  return typeof value === 'boolean' ? value : [...value]
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    logger: loggerOptions({ level: config.logLevel, secretParams: [config.apiKeyParam], ...(options.logStream === undefined ? {} : { stream: options.logStream }) }),
    trustProxy: trustProxyOption(config.trustProxy),
    // A client's x-request-id is used for log correlation only when it is short and plain.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID()
    },
    // Body, header and URL sizes, timeouts, parser-refused requests as OData errors (docs/reliability.md).
    ...serverLimitOptions(),
    // Query strings are read raw by the OData layer: Fastify's parser turns `+` into a space.
    routerOptions: { querystringParser: () => ({}), ignoreTrailingSlash: false, maxParamLength: 8192 },
    frameworkErrors: (error, request, reply) => { sendError(request, reply.header('odata-version', '4.0'), error) }
  })
  const now = options.now ?? Date.now
  const metrics = createMetrics()
  // Loads as things, the upstream's last hour: what /monitor shows (with Redis, of every replica).
  const minutes = new UpstreamMinutes(now)
  // Every key from BRIDGE_SECRET (src/keys.ts); without Redis, nothing outlives the process.
  const keys = config.bridgeSecret === null ? ephemeralKeys() : bridgeKeys(config.bridgeSecret)
  // REDIS_URL: page and token caches shared by the replicas (docs/deploy.md), closed with the app.
  const shared = config.redisUrl === null ? null : createSharedCache({ url: config.redisUrl, prefix: config.redisKeyPrefix, logger: app.log, keys })
  // The task ledgers not yet kept in Redis are kept before it closes.
  let ledgers: LedgersView | null = null
  if (shared !== null) {
    app.addHook('onClose', async () => {
      await ledgers?.flush()
      await shared.close()
    })
    watchSharedCache(metrics.registry, shared)
  }
  const client = createInsightsClient({
    baseUrl: options.upstreamUrl,
    timeoutMs: config.upstreamTimeoutMs,
    retry: { limit: config.upstreamRetries },
    tokenLifetimeMs: config.tokenTtlS * 1000,
    maxConcurrentPerCredential: config.upstreamConcurrency,
    now,
    logger: app.log,
    onCall: (event) => {
      metrics.upstreamCall(event)
      minutes.record(event)
    },
    credentialId: keys.credentialId,
    ...(shared === null ? {} : { tokenCache: shared.tokenCache })
  })
  app.decorate('insights', client)
  // Protection (docs/reliability.md): security headers on every answer, then
  // the cheap refusals (shutting down, URL too long, overloaded) before any work.
  await app.register(securityHeaders)
  await app.register(gracefulShutdown)
  await app.register(serverLimits)
  await app.register(backPressure, { maxEventLoopDelayMs: config.pressureMaxEventLoopDelayMs, maxHeapPercent: config.pressureMaxHeapPercent, onShed: metrics.shed })
  await app.register(odataHeaders)
  await app.register(metricsPlugin, { metrics })
  await app.register(clientAuth, {
    mode: config.mode,
    apiKeys: config.apiKeys,
    allowAnonymous: config.allowAnonymous,
    apiKeyParam: config.apiKeyParam,
    throttle: createAuthThrottle({ now }),
    verify: (credential) => client.login(credential),
    known: (credential) => client.hasSession(credential),
    credentialId: keys.credentialId
  })
  // After authentication: a client is who it found (request.client). Before the routes it applies to.
  await app.register(clientRateLimit, { perMinute: config.rateLimitPerMin })
  // Power Query sends Accept-Encoding: gzip, deflate; OData JSON compresses ~10×.
  await app.register(compress, { threshold: 1024, encodings: ['br', 'gzip', 'deflate'], customTypes: /^(application\/(json|xml)|text\/)/ })
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error))
  app.setNotFoundHandler((request, reply) => sendError(request, reply, bridgeError('BRIDGE_ERR_NOT_FOUND',
    `No resource at ${request.url.split('?')[0]?.slice(0, 120)}: the OData feed is at /odata/.`, { target: 'url' })))
  await app.register(openapi, { config })
  const pageCache = metrics.watchPageCache((shared?.pageCache ?? createPageCache)({ ttlMs: config.cacheTtlS * 1000, maxBytes: config.cacheMaxBytes, now }))
  const share = shared === null ? null : redisMonitorShare({ store: shared.store, key: keys.monitorKey, abandonMs: config.loadAbandonMs })
  const book = new LoadBook({
    now,
    abandonMs: config.loadAbandonMs,
    // One line per ended load, at info: worked out only when info lines are written.
    log: ['trace', 'debug', 'info'].includes(config.logLevel) ? (load) => app.log.info(...loadLine(load)) : () => undefined,
    onEnded: (load) => {
      metrics.loadEnded(load)
      share?.pushRecent(load)
    },
    onChange: () => monitor.changed(),
    ...(share === null ? {} : { sightings: share })
  })
  metrics.watchLoads(() => book.inFlight())
  const feed = new Feed({
    access: clientAccess(
      client,
      pageCache,
      config.upstreamPageSize,
      // Orders of loads answered in several pages: held as long as a Power BI refresh may last.
      (shared?.otherCache ?? createPageCache)({ ttlMs: LOAD_ORDER_TTL_MS, maxBytes: Math.floor(config.cacheMaxBytes / 4), now }),
      { setting: config.upstreamTaskOrder, onFinding: metrics.taskOrder, onContradiction: metrics.taskOrderContradicted },
      { ttlMs: config.cacheTtlS * 1000, verifyMs: config.ledger.verifyMs, maxBytes: config.ledger.maxBytes, now, ...(shared === null ? {} : { store: shared.ledgerStore(2 * config.ledger.verifyMs) }) },
      (view) => {
        ledgers = view
        metrics.watchLedgers(view)
      }
    ),
    credentials: options.credentials,
    credentialId: keys.credentialId,
    codec: skipTokenCodec(keys.skiptokenKey),
    horizonDays: config.horizonDays,
    pageSize: config.pageSize,
    maxPageSize: config.maxPageSize,
    maxLocalRows: config.maxLocalRows,
    maxUpstreamReads: config.maxUpstreamReads,
    maxExpandRows: config.maxExpandRows,
    heavy: metrics.watchHeavyGate(new HeavyGate(config.heavy.max, config.heavy.queue, config.heavy.waitMs, HEAVY_RETRY_AFTER_S)),
    concurrency: config.upstreamConcurrency,
    prefetch: config.cacheTtlS > 0,
    responses: createResponseCache({ ttlMs: config.cacheTtlS * 1000, maxBytes: Math.floor(config.cacheMaxBytes / 4), now }),
    apiKeyParam: config.apiKeyParam,
    onRows: metrics.rowsServed,
    onEstimate: metrics.estimateRatio,
    loads: book,
    now
  })
  const monitor = new Monitor({
    now,
    book,
    minutes,
    caches: () => {
      const page = pageCache.stats()
      const ledger = ledgers?.stats()
      return { pageCache: { bytes: page.bytes, entries: page.entries }, ledger: { tasks: ledger?.tasks ?? 0, bytes: ledger?.bytes ?? 0 } }
    },
    share
  })
  app.addHook('onClose', async () => {
    book.close()
    monitor.close()
  })
  const csdl = renderCsdl(bridgeCapabilities)
  await app.register(odataRoutes, { publicUrl: config.publicUrl, csdl: { xml: csdl, json: renderCsdlJson(csdl) }, feed, deadlineMs: config.requestDeadlineMs })
  await app.register(healthRoutes, { client, mode: config.mode, credentials: options.credentials, ...(shared === null ? {} : { sharedCache: shared.status }) })
  await app.register(landingRoutes, { config, upstreamUrl: options.upstreamUrl })
  await app.register(monitorRoutes, { monitor, mode: config.mode, credentialId: keys.credentialId })
  return app
}
