// OData-Version: 4.0 exactly once on every response, errors included
// (OData 4.01 Part 1 §8.1.5; powerquery.md checklist item 1), and the
// read-only rule for write methods, checked before any body is parsed.
import fp from 'fastify-plugin'
import { bridgeError } from '../errors.js'
import { isFeedUrl } from './feed-path.js'

export const ODATA_VERSION = '4.0'

export default fp(async function odataHeaders(app) {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('odata-version', ODATA_VERSION)
    return payload
  })
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS' && isFeedUrl(request.url)) {
      reply.header('allow', 'GET, HEAD')
      throw bridgeError('BRIDGE_ERR_METHOD_NOT_ALLOWED', `${request.method} is not allowed: the BotCity Insights feed is read-only (GET and HEAD only).`)
    }
  })
}, { name: 'odata-headers' })
