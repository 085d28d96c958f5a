// Everything below /odata: one route that parses the resource path itself, so
// keys like Tasks(17296058) and Automations('a''b') are read by OData rules,
// not by the router's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { serviceRoot } from '../http/base-url.js'
import { feedPath } from '../http/feed-path.js'
import { requestSignal } from '../http/request-signal.js'
import { bridgeError } from '../errors.js'
import { negotiateJson, negotiateMetadata, sendJson } from '../http/negotiate.js'
import { DEFAULT_LIMITS, parseQueryString } from '../odata/index.js'
import { requestQuery } from '../http/request-query.js'
import { parseResourcePath } from '../odata/resource-path.js'
import { serviceDocument } from './service.js'
import type { Feed } from './feed.js'

export interface ODataRouteOptions {
  publicUrl: string | null
  /** $metadata as CSDL XML and as CSDL JSON (the files in metadata/). */
  csdl: { readonly xml: string; readonly json: string }
  feed: Feed
  /** REQUEST_DEADLINE_S in ms. */
  deadlineMs: number
}

export async function odataRoutes(app: FastifyInstance, options: ODataRouteOptions): Promise<void> {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const url = request.url
    const q = url.indexOf('?')
    const path = feedPath(url)
    if (path === null) throw bridgeError('BRIDGE_ERR_NOT_FOUND', `No resource at ${url.slice(0, q < 0 ? 120 : Math.min(q, 120))}: the OData feed is at /odata/.`, { target: 'url' })
    const query = requestQuery(request)
    const resource = parseResourcePath(path)
    const root = serviceRoot(request, options.publicUrl)
    switch (resource.kind) {
      case 'metadata':
        return negotiateMetadata(request, parseQueryString(query.raw, DEFAULT_LIMITS, query.pairs).system.get('$format')) === 'json'
          ? reply.header('content-type', 'application/json; charset=utf-8').send(options.csdl.json)
          : reply.type('application/xml; charset=utf-8').send(options.csdl.xml)
      case 'service': {
        // Credentials were checked on the way in (http/client-auth.ts): the Power BI
        // service tests a connection here, and a wrong key fails here, not at the first refresh.
        const format = negotiateJson(request, null)
        return sendJson(reply, format, serviceDocument(root))
      }
      case 'collection':
      case 'entity':
      case 'navigation':
        return options.feed.serve({ request, reply, resource, query, root, signal: requestSignal(reply, options.deadlineMs) })
      default: {
        const never: never = resource
        return never
      }
    }
  }
  app.get('/odata', handler)
  app.get('/odata/*', handler)
}
