// The OpenAPI 3 document at /openapi.json (@fastify/swagger) and a browsable
// page at /docs (@fastify/swagger-ui). Routes keep no JSON schema of their
// own, so documenting them changes no validation or serialization: the
// operational routes are described here, the OData paths in openapi-odata.ts.
// Register before the routes: swagger sees each one as it is added, so a route
// without an entry below still appears, with a default response.
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import { DEFAULT_LIMITS } from '../odata/limits.js'
import { packageVersion } from '../upstream/user-agent.js'
import { odataComponents, odataPaths, security } from './openapi-odata.js'
import type { FeedAuth, Json, ODataDocOptions } from './openapi-odata.js'
import type { Config } from '../config.js'
import { ENTITY_SETS } from '../model/index.js'

export interface OpenApiOptions {
  readonly config: Config
}

/** Who must sign in to read the feed, as client-auth.ts decides it. */
export function feedAuth(config: Pick<Config, 'mode' | 'allowAnonymous' | 'apiKeys'>): FeedAuth {
  if (config.mode === 'passthrough') return 'workspace'
  if (config.mode === 'demo' || (config.allowAnonymous && config.apiKeys.length === 0)) return 'none'
  return 'api-key'
}

const text = (type: string, description: string): Json => ({ description, content: { [type]: { schema: { type: 'string' } } } })
const get = (tag: string, summary: string, description: string, responses: Json, parameters: Json[] = []): Json =>
  ({ get: { tags: [tag], summary, description, ...(parameters.length === 0 ? {} : { parameters }), responses } })
const errorResponse = (description: string): Json => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ODataError' } } } })

/** The routes outside /odata, by their OpenAPI path. */
const ROUTE_DOCS: Record<string, Json> = {
  '/': get('People', 'Landing page', 'The feed URL to copy, the mode and upstream, the entity sets, curl examples and connection files.', { 200: text('text/html', 'HTML page.') }),
  '/connect/botcity-insights.pbids': get('People', 'Power BI connection file', 'A .pbids file that opens Power BI Desktop connected to this feed.', { 200: text('application/json', 'PBIDS document (attachment).') }),
  '/connect/{set}': get('People', 'Excel connection file', 'An .odc file that opens one entity set in Excel through Power Query.',
    { 200: text('text/x-ms-odc', 'Office Data Connection (attachment).'), 404: errorResponse('Unknown entity set or file name (BRIDGE_ERR_NOT_FOUND).') },
    [{ name: 'set', in: 'path', required: true, schema: { type: 'string', enum: ENTITY_SETS.map((s) => `${s.name}.odc`) } }]),
  '/healthz': get('Operations', 'Liveness', 'The process is alive. Cheap; logged only at warn.', {
    200: { description: 'Alive.', content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } } } }
  }),
  '/readyz': get('Operations', 'Readiness', 'BotCity Insights answers and, with a service account, its login works.', {
    200: { description: 'Ready.', content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string', enum: ['ready'] }, mode: { type: 'string' }, upstream: { type: 'object', properties: { reachable: { type: 'boolean' }, version: { type: 'string' } } } } } } } },
    503: { description: 'Not ready: the upstream is unreachable or the login failed.', content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string', enum: ['unavailable'] }, mode: { type: 'string' }, error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } } } } }
  }),
  '/metrics': get('Operations', 'Prometheus metrics', 'Requests by entity set and status, latency, upstream calls by route and outcome, retries, 429s, logins, page cache, task ledger, loads by outcome and client, shed and heavy requests, rows served, process metrics.', { 200: text('text/plain', 'Prometheus text exposition format 0.0.4.') }),
  '/openapi.json': get('Operations', 'This document', 'The OpenAPI 3 description of the bridge.', { 200: { description: 'OpenAPI document.', content: { 'application/json': { schema: { type: 'object' } } } } }),
  '/docs': get('Operations', 'API browser', 'Swagger UI over this document.', { 200: text('text/html', 'HTML page.') })
}

/** The refresh monitor's routes, behind the feed's authentication. */
function monitorDocs(auth: FeedAuth): Record<string, Json> {
  const behind = (doc: Json): Json => ({ get: { ...(doc.get as Json), ...security(auth), ...(auth === 'none' ? {} : { responses: { ...((doc.get as Json).responses as Json), 401: errorResponse('Not signed in: the feed\'s own credentials (BRIDGE_ERR_UNAUTHORIZED).') } }) } })
  return {
    '/monitor': behind(get('People', 'Refresh monitor', 'Loads in flight with their progress (rows against the plan\'s estimate, upstream reads, time left), recent loads, BotCity over the last hour (calls, latency, errors, 429s, retries), cache sizes; in passthrough mode, the loads of the caller\'s own workspace only. With REDIS_URL, every replica\'s.', { 200: text('text/html', 'HTML page (its script polls /monitor/state every second).') })),
    '/monitor/state': behind(get('Operations', 'Refresh monitor state', 'What /monitor draws, as JSON (src/monitor/state.ts: inFlight, recent, upstream, caches, replicas, scope).', { 200: { description: 'The state.', content: { 'application/json': { schema: { type: 'object' } } } } })),
    '/monitor/assets/{name}': behind(get('People', 'Refresh monitor assets', 'The page\'s script and the uPlot chart library, served by the bridge (no CDN).', { 200: text('text/javascript', 'Script or stylesheet.'), 404: errorResponse('No such asset (BRIDGE_ERR_NOT_FOUND).') },
      [{ name: 'name', in: 'path', required: true, schema: { type: 'string', enum: ['monitor.js', 'uPlot.iife.min.js', 'uPlot.min.css'] } }]))
  }
}

export default fp<OpenApiOptions>(async function openapi(app, { config }) {
  const limits = DEFAULT_LIMITS
  const options: ODataDocOptions = { auth: feedAuth(config), apiKeyParam: config.apiKeyParam, horizonDays: config.horizonDays, pageSize: config.pageSize, maxPageSize: config.maxPageSize, limits }
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'BotCity Insights OData feed',
        version: packageVersion(),
        description: `An OData v4 feed (read-only, JSON) of BotCity Insights: Tasks, Automations and Runners, for Power BI, Excel and curl. The feed is at /odata/. Limits: query string ${limits.maxQueryLength} characters; one option ${limits.maxOptionLength}; expression depth ${limits.maxDepth} and ${limits.maxNodes} nodes; $top and $skip up to ${limits.maxTop}; days 1 to ${limits.maxDays}. Every answer carries OData-Version: 4.0; every error is an OData error body (see ODataError).`
      },
      ...(config.publicUrl === null ? {} : { servers: [{ url: config.publicUrl }] }),
      tags: [{ name: 'OData', description: 'The feed.' }, { name: 'People', description: 'Pages and connection files.' }, { name: 'Operations', description: 'Health, metrics and this document.' }]
    },
    // The /odata routes are one wildcard parsed by resource-path.ts; openapi-odata.ts lists their real paths.
    transform: ({ schema, url }) => ({ schema: url === '/odata' || url.startsWith('/odata/') ? { ...schema, hide: true } : schema, url }),
    transformObject: (doc) => {
      if (!('openapiObject' in doc)) return doc.swaggerObject
      const generated = (doc.openapiObject.paths ?? {}) as Record<string, Json>
      return {
        ...doc.openapiObject,
        'x-odata-limits': { ...limits },
        paths: { ...generated, ...ROUTE_DOCS, ...monitorDocs(options.auth), ...odataPaths(options) },
        components: { ...doc.openapiObject.components, ...odataComponents(options) }
      } as unknown as typeof doc.openapiObject
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } })
  app.get('/openapi.json', { logLevel: 'warn' }, async (_request, reply) => reply.type('application/json; charset=utf-8').send(app.swagger()))
}, { name: 'openapi' })
