// Explicit limits on one HTTP request (issue 6, "Hostile input"): the size of
// its URL, headers and body, and how long a client may take to send it. Node's
// HTTP parser refuses some requests before Fastify sees them (headers over
// maxHeaderSize, malformed request lines, timeouts); the clientError handler
// here answers those with an OData error too, then closes the connection.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyServerOptions } from 'fastify'
import fp from 'fastify-plugin'
import { bridgeError } from '../errors.js'
import type { ErrorCode } from '../errors.js'
import { DEFAULT_LIMITS } from '../odata/limits.js'
import { errorBody } from './odata-error.js'
import { ODATA_VERSION } from './odata-headers.js'

export const SERVER_LIMITS = Object.freeze({
  /** Characters in the request target (path and query): the query-string limit plus 1 KiB of path. Over it: 414. */
  maxUrlLength: DEFAULT_LIMITS.maxQueryLength + 1024,
  /** Bytes of request line and headers together (Node's maxHeaderSize). Over it: 431, or 414 when the request line alone is. */
  maxHeaderBytes: 32 * 1024,
  /** Bytes of request body: the feed is read-only, and writes are refused before their body is read. Over it: 413. */
  bodyLimit: 1024,
  /** Time to receive the request headers (slow-loris guard). Over it: 408. */
  headersTimeoutMs: 20_000,
  /** Time to receive the whole request. Over it: 408. */
  requestTimeoutMs: 30_000,
  /** Socket inactivity before the bridge closes it: OData.Feed's default Timeout (600 s), the longest a client waits for an answer. */
  connectionTimeoutMs: 600_000,
  /** Idle time of a keep-alive connection between requests (Fastify's default, above common proxies' 60 s). */
  keepAliveTimeoutMs: 72_000
})

const REASONS: Record<number, string> = { 400: 'Bad Request', 405: 'Method Not Allowed', 408: 'Request Timeout', 414: 'URI Too Long', 417: 'Expectation Failed', 431: 'Request Header Fields Too Large' }

interface ClientErrorAnswer { status: number; code: ErrorCode; message: string }

/** The raw bytes the parser was reading: a Buffer at run time, typed by Fastify as its JSON form. */
function packetOf(err: { rawPacket?: unknown }): Buffer | null {
  const raw = err.rawPacket
  if (Buffer.isBuffer(raw)) return raw
  if (typeof raw === 'object' && raw !== null && Array.isArray((raw as { data?: unknown }).data)) return Buffer.from((raw as { data: number[] }).data)
  return null
}

/** What Node's parser refused, in the catalogue's words. */
export function classifyClientError(err: Error & { code?: string; rawPacket?: unknown }): ClientErrorAnswer {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, code: 'BRIDGE_ERR_LIMIT_EXCEEDED', message: `The request was not received within ${SERVER_LIMITS.requestTimeoutMs / 1000} s.` }
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    // When the packet starts a request whose first line does not end within
    // the limit, the URL itself is too long.
    const packet = packetOf(err)
    const lineEnd = packet === null ? -1 : packet.indexOf('\r\n')
    if (packet !== null && /^[A-Z]+ /.test(packet.subarray(0, 16).toString('latin1')) && (lineEnd < 0 || lineEnd > SERVER_LIMITS.maxUrlLength)) {
      return { status: 414, code: 'BRIDGE_ERR_LIMIT_EXCEEDED', message: `The URL is longer than ${SERVER_LIMITS.maxUrlLength} characters; shorten the query (see docs/reliability.md).` }
    }
    return { status: 431, code: 'BRIDGE_ERR_LIMIT_EXCEEDED', message: `The request line and headers exceed ${SERVER_LIMITS.maxHeaderBytes} bytes.` }
  }
  return { status: 400, code: 'BRIDGE_ERR_SYNTAX', message: 'The request is not valid HTTP/1.1 (request line, header or framing).' }
}

const answered = new WeakSet<Duplex>()

/**
 * Writes an OData error straight on the socket (no Fastify request exists),
 * once per connection, with Connection: close; then closes the connection.
 */
function answerOnSocket(socket: Duplex, answer: ClientErrorAnswer, extraHeaders = ''): void {
  if (socket.destroyed || answered.has(socket)) return
  answered.add(socket)
  const body = JSON.stringify(errorBody(bridgeError(answer.code, answer.message)))
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${answer.status} ${REASONS[answer.status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nOData-Version: ${ODATA_VERSION}\r\nX-Content-Type-Options: nosniff\r\n${extraHeaders}Connection: close\r\n\r\n${body}`)
  }
  // Let the answer reach a client still sending its request, then let go.
  setTimeout(() => socket.destroy(), 1000).unref()
}

/**
 * Fastify's clientErrorHandler: Node's parser refused the request. Answers once
 * per connection (the parser reports every further chunk too).
 */
export function clientErrorHandler(this: { log: { debug: (obj: object, msg: string) => void } }, err: Error & { code?: string; rawPacket?: unknown }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return
  const answer = classifyClientError(err)
  this.log.debug({ code: answer.code, status: answer.status, parserError: err.code }, 'request refused by the HTTP parser')
  answerOnSocket(socket, answer)
}

/** The Fastify server options that carry these limits. */
export function serverLimitOptions(): Pick<FastifyServerOptions, 'bodyLimit' | 'connectionTimeout' | 'requestTimeout' | 'keepAliveTimeout' | 'return503OnClosing' | 'clientErrorHandler'> & { http: { maxHeaderSize: number; headersTimeout: number } } {
  return {
    bodyLimit: SERVER_LIMITS.bodyLimit,
    connectionTimeout: SERVER_LIMITS.connectionTimeoutMs,
    requestTimeout: SERVER_LIMITS.requestTimeoutMs,
    keepAliveTimeout: SERVER_LIMITS.keepAliveTimeoutMs,
    // Requests reaching a closing server get our OData 503 (graceful-shutdown.ts), not Fastify's plain one.
    return503OnClosing: false,
    http: { maxHeaderSize: SERVER_LIMITS.maxHeaderBytes, headersTimeout: SERVER_LIMITS.headersTimeoutMs },
    clientErrorHandler
  }
}

/**
 * URLs Node accepted (under maxHeaderBytes) but longer than maxUrlLength: 414
 * before any parsing. And two requests Node answers itself, without a body or
 * OData-Version, unless the server listens for them: CONNECT (Node drops the
 * connection) → 405, and an Expect other than 100-continue (Node sends a bare
 * 417) → 417 with an OData error (RFC 9110 §10.1.1).
 */
export default fp(async function serverLimits(app) {
  app.server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    answerOnSocket(socket, { status: 405, code: 'BRIDGE_ERR_METHOD_NOT_ALLOWED', message: 'CONNECT is not allowed: this is an OData feed, not a proxy.' }, 'Allow: GET, HEAD\r\n')
  })
  app.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const body = JSON.stringify(errorBody(bridgeError('BRIDGE_ERR_SYNTAX', `Expect: ${String(request.headers.expect).slice(0, 60)} is not supported; only 100-continue is.`, { target: 'Expect' })))
    response.writeHead(417, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'odata-version': ODATA_VERSION, 'x-content-type-options': 'nosniff', connection: 'close' })
    response.end(body)
  })
  app.addHook('onRequest', async (request) => {
    if (request.url.length > SERVER_LIMITS.maxUrlLength) {
      throw bridgeError('BRIDGE_ERR_LIMIT_EXCEEDED', `The URL is ${request.url.length} characters long; the limit is ${SERVER_LIMITS.maxUrlLength} (see docs/reliability.md).`, { status: 414, target: 'url' })
    }
  })
}, { name: 'server-limits' })
