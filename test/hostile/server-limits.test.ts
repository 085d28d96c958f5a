// The server limits (src/http/server-limits.ts): the running server carries
// them, and what Node's parser refuses (request timeout, header overflow,
// malformed framing) becomes one OData error per connection, with
// OData-Version and Connection: close.
import { Duplex } from 'node:stream'
import t from 'tap'
import { classifyClientError, clientErrorHandler, SERVER_LIMITS } from '../../src/http/server-limits.js'
import { DEFAULT_LIMITS } from '../../src/odata/limits.js'
import { startBridge } from '../fixtures/bridge.js'

const parserError = (code: string, rawPacket?: unknown): Error & { code: string; rawPacket?: unknown } => Object.assign(new Error(code), { code, rawPacket })

t.test('the running bridge carries the limits', async (t) => {
  const b = await startBridge({ sim: { tasks: 10 } })
  t.teardown(() => b.close())
  t.equal(b.app.initialConfig.bodyLimit, SERVER_LIMITS.bodyLimit)
  t.equal(b.app.initialConfig.connectionTimeout, SERVER_LIMITS.connectionTimeoutMs)
  t.equal(b.app.initialConfig.keepAliveTimeout, SERVER_LIMITS.keepAliveTimeoutMs)
  t.equal(b.app.server.headersTimeout, SERVER_LIMITS.headersTimeoutMs)
  t.equal(b.app.server.requestTimeout, SERVER_LIMITS.requestTimeoutMs)
  t.equal(b.app.server.timeout, SERVER_LIMITS.connectionTimeoutMs)
  t.ok(SERVER_LIMITS.maxUrlLength > DEFAULT_LIMITS.maxQueryLength, 'a query at its own limit still fits in a URL')
  t.ok(SERVER_LIMITS.maxHeaderBytes > SERVER_LIMITS.maxUrlLength + 4096, 'and in Node\'s header limit, with room for headers')
})

t.test('what the parser refused, in the catalogue\'s words', async (t) => {
  t.match(classifyClientError(parserError('ERR_HTTP_REQUEST_TIMEOUT')), { status: 408, code: 'BRIDGE_ERR_LIMIT_EXCEEDED' })
  const longLine = Buffer.from(`GET /odata/Tasks?$filter=${'a'.repeat(40_000)}`)
  t.match(classifyClientError(parserError('HPE_HEADER_OVERFLOW', longLine)), { status: 414 }, 'the request line alone is too long')
  t.match(classifyClientError(parserError('HPE_HEADER_OVERFLOW', { type: 'Buffer', data: [...longLine.subarray(0, 20_000)] })), { status: 414 }, 'rawPacket in its JSON form')
  t.match(classifyClientError(parserError('HPE_HEADER_OVERFLOW', Buffer.from(`GET /x HTTP/1.1\r\nX-A: ${'b'.repeat(40_000)}`))), { status: 431 }, 'headers too large')
  t.match(classifyClientError(parserError('HPE_HEADER_OVERFLOW', Buffer.from('b'.repeat(40_000)))), { status: 431 }, 'a later chunk: headers')
  t.match(classifyClientError(parserError('HPE_HEADER_OVERFLOW')), { status: 431 }, 'no packet')
  t.match(classifyClientError(parserError('HPE_INVALID_METHOD')), { status: 400, code: 'BRIDGE_ERR_SYNTAX' })
})

function fakeSocket(): { socket: Duplex; written: () => string } {
  const chunks: Buffer[] = []
  const socket = new Duplex({ read() {}, write(chunk: Buffer, _encoding, callback) { chunks.push(Buffer.from(chunk)); callback() } })
  return { socket, written: () => Buffer.concat(chunks).toString('latin1') }
}

t.test('one OData answer per connection, then the connection closes', async (t) => {
  const log = { debug: () => {} }
  const { socket, written } = fakeSocket()
  clientErrorHandler.call({ log }, parserError('ERR_HTTP_REQUEST_TIMEOUT'), socket)
  clientErrorHandler.call({ log }, parserError('HPE_HEADER_OVERFLOW'), socket)
  const text = written()
  t.equal(text.match(/HTTP\/1\.1 /g)?.length, 1, 'answered once')
  t.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n/)
  t.match(text, /\r\nOData-Version: 4\.0\r\n/)
  t.match(text, /\r\nConnection: close\r\n/)
  t.match(text, /\r\nContent-Type: application\/json\r\n/)
  const body = text.slice(text.indexOf('\r\n\r\n') + 4)
  t.match(JSON.parse(body), { error: { code: 'BRIDGE_ERR_LIMIT_EXCEEDED', message: /not received within 30 s/ } })
  t.match(text, new RegExp(`Content-Length: ${Buffer.byteLength(body)}\r\n`))
  await new Promise((r) => setTimeout(r, 1100))
  t.ok(socket.destroyed, 'closed after a grace second')

  const reset = fakeSocket()
  clientErrorHandler.call({ log }, parserError('ECONNRESET'), reset.socket)
  t.equal(reset.written(), '', 'nothing written to a reset connection')
})
