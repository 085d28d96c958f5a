import t from 'tap'
import { inspect } from 'node:util'
import { HTTPError, TimeoutError, type NormalizedOptions } from 'ky'
import { bridgeError } from '../../src/errors.js'
import { failureReason, httpFailure, toBridgeError } from '../../src/upstream/error-mapping.js'

const TOKEN = 'tok-abcdef-123456'
const KEY = 'key-zyxwvu-987654'
const CONTEXT = { route: 'tasks' as const, secrets: [KEY, TOKEN], timeoutMs: 1234 }

function httpError(status: number, body: string, headers: Record<string, string> = {}): HTTPError {
  const request = new Request('http://upstream.test/api/v1/insights/tasks', { headers: { token: TOKEN } })
  return new HTTPError(new Response(body, { status, headers }), request, {} as NormalizedOptions)
}

function systemError(code: string): TypeError {
  const cause = Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code })
  return new TypeError('fetch failed', { cause })
}

t.test('HTTP statuses map onto the catalogue', async (t) => {
  const cases: [number, 'tasks' | 'login', string][] = [
    [429, 'tasks', 'UPSTREAM_RATE_LIMITED'],
    [401, 'login', 'UPSTREAM_CREDENTIALS_REJECTED'],
    [403, 'login', 'UPSTREAM_CREDENTIALS_REJECTED'],
    [401, 'tasks', 'UPSTREAM_CREDENTIALS_REJECTED'],
    [403, 'tasks', 'UPSTREAM_FORBIDDEN'],
    [502, 'tasks', 'UPSTREAM_UNAVAILABLE'],
    [503, 'tasks', 'UPSTREAM_UNAVAILABLE'],
    [504, 'tasks', 'UPSTREAM_UNAVAILABLE'],
    [500, 'tasks', 'UPSTREAM_ERROR'],
    [400, 'tasks', 'UPSTREAM_ERROR'],
    [404, 'login', 'UPSTREAM_ERROR']
  ]
  for (const [status, route, code] of cases) {
    const error = httpFailure(route, status, 'said')
    t.equal(error.code, code, `${status} on ${route}`)
    t.match(error.message, `HTTP ${status} on ${route === 'login' ? 'POST /api/v2/workspace/login' : 'GET /api/v1/insights/tasks'}`)
  }
  t.match(httpFailure('login', 401, undefined).message, /rejected the workspace login or key/)
  t.match(httpFailure('tasks', 403, undefined).message, /Insights may not be enabled for this workspace or its role/)
  t.equal(httpFailure('tasks', 500, undefined).message, 'BotCity Insights answered with an error (HTTP 500 on GET /api/v1/insights/tasks)')
  t.equal(httpFailure('tasks', 429, undefined, 7).retryAfterS, 7)
  t.equal(httpFailure('tasks', 503, undefined, 2).retryAfterS, 2)
})

t.test('an HTTP error carries the upstream message and Retry-After, never the token or its request', async (t) => {
  const error = await toBridgeError(
    httpError(503, JSON.stringify({ status: 503, message: `token ${TOKEN} is overloaded` }), { 'retry-after': '4' }),
    CONTEXT
  )
  t.equal(error.code, 'UPSTREAM_UNAVAILABLE')
  t.equal(error.message, 'BotCity Insights is unavailable (HTTP 503 on GET /api/v1/insights/tasks): token [redacted] is overloaded')
  t.equal(error.retryAfterS, 4)
  t.equal(error.cause, undefined)
  t.notMatch(inspect(error, { depth: Infinity }), TOKEN)
})

t.test('timeouts, network failures and bridge errors', async (t) => {
  const timeout = await toBridgeError(new TimeoutError(new Request('http://upstream.test/', { headers: { token: TOKEN } })), CONTEXT)
  t.equal(timeout.code, 'UPSTREAM_TIMEOUT')
  t.equal(timeout.message, 'BotCity Insights did not answer GET /api/v1/insights/tasks within 1234 ms.')
  t.notMatch(inspect(timeout, { depth: Infinity }), TOKEN)

  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'UND_ERR_SOCKET']) {
    const error = await toBridgeError(systemError(code), { ...CONTEXT, route: 'login' })
    t.equal(error.code, 'UPSTREAM_UNREACHABLE')
    t.equal(error.message, `BotCity Insights could not be reached for POST /api/v2/workspace/login (${code}).`)
  }
  const odd = await toBridgeError(new Error(`socket hang up near ${KEY}`), CONTEXT)
  t.equal(odd.code, 'UPSTREAM_UNREACHABLE')
  t.notMatch(odd.message, KEY)
  t.match((await toBridgeError('a string', CONTEXT)).message, /\(a string\)/)

  const own = bridgeError('UPSTREAM_BAD_RESPONSE', 'bad')
  t.equal(await toBridgeError(own, CONTEXT), own)
})

t.test('failure reasons for logs', async (t) => {
  t.equal(failureReason(httpError(502, ''), []), 'HTTP 502')
  t.equal(failureReason(systemError('ECONNRESET'), []), 'ECONNRESET')
  t.equal(failureReason(new Error(`bad ${TOKEN}`), [TOKEN]), 'bad [redacted]')
})
