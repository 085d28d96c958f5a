// Graceful shutdown (server.ts closes the app through close-with-grace): the
// responses in flight finish, then their connections close; a request that
// still reaches the bridge once it is closing (on a keep-alive connection)
// gets an OData 503 with Retry-After and Connection: close, which Power Query
// retries on its own (it retries 503), instead of Fastify's plain-JSON 503.
// Connections that never carried a byte are closed at once.
import type { Socket } from 'node:net'
import fp from 'fastify-plugin'
import { bridgeError } from '../errors.js'

/** Seconds a client is told to wait: a restarted or sibling instance is usually there by then. */
export const SHUTDOWN_RETRY_AFTER_S = 2

export default fp(async function gracefulShutdown(app) {
  let closing = false
  // Connections that never sent a byte: Node counts a new connection as busy
  // until its first request ends, so the close leaves it open, and stops the
  // timer that would drop it, until the client closes it (a client may open
  // one ahead and never use it). The close ended 10 s later, killed.
  const sockets = new Set<Socket>()
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  app.addHook('preClose', async () => {
    closing = true
    for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy()
  })
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return
    reply.header('connection', 'close')
    throw bridgeError('BRIDGE_ERR_UNAVAILABLE', 'The bridge is shutting down; retry in a moment.', { retryAfterS: SHUTDOWN_RETRY_AFTER_S })
  })
  // A response finishing during the close ends its connection: Node closes only
  // the connections idle when the close starts, and a keep-alive connection
  // that becomes idle later would hold the close open for its idle timeout.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close')
    return payload
  })
}, { name: 'graceful-shutdown' })
