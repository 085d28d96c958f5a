// Issue 6, "Hostile input": the extreme cases, one by one, over real HTTP —
// deep nesting, long `or` chains, huge numbers, URLs past every limit, invalid
// UTF-8 and escapes, raw control characters, request-smuggling framings.
// Each answer is clean (clean-answer.ts) with the status and code stated here.
import t from 'tap'
import { SERVER_LIMITS } from '../../src/http/server-limits.js'
import { DEFAULT_LIMITS } from '../../src/odata/limits.js'
import { startBridge } from '../fixtures/bridge.js'
import type { BridgeFixture } from '../fixtures/bridge.js'
import { uncleanAnswer } from './clean-answer.js'
import { rawRequest } from './raw-http.js'
import type { RawRequest } from './raw-http.js'

const sp = (s: string): string => s.replace(/ /g, '%20')
const orChain = (n: number): string => sp(Array.from({ length: n }, (_, i) => `id eq ${i}`).join(' or '))

interface Case {
  readonly name: string
  readonly request: RawRequest
  readonly status: number
  readonly code?: string
}

const CASES: readonly Case[] = [
  // Nesting and size
  { name: '10,000 parentheses: the URL is over its limit', request: { target: `/odata/Tasks?$filter=${'('.repeat(10_000)}${sp('id eq 1')}${')'.repeat(10_000)}` }, status: 414, code: 'BRIDGE_ERR_LIMIT_EXCEEDED' },
  { name: '4,000 parentheses: deeper than the parser allows', request: { target: `/odata/Tasks?$filter=${'('.repeat(4000)}${sp('id eq 1')}${')'.repeat(4000)}` }, status: 400, code: 'BRIDGE_ERR_LIMIT_EXCEEDED' },
  { name: '2,000 nested not', request: { target: `/odata/Tasks?$filter=${sp('not '.repeat(2000))}true` }, status: 400, code: 'BRIDGE_ERR_LIMIT_EXCEEDED' },
  { name: '900 nested calls', request: { target: `/odata/Tasks?$filter=${'tolower('.repeat(900)}state${')'.repeat(900)}%20eq%20'a'` }, status: 400, code: 'BRIDGE_ERR_LIMIT_EXCEEDED' },
  { name: '$search nested 4,000 deep', request: { target: `/odata/Tasks?$search=${'('.repeat(4000)}a${')'.repeat(4000)}` }, status: 400, code: 'BRIDGE_ERR_LIMIT_EXCEEDED' },
  { name: '$orderby nested 4,000 deep', request: { target: `/odata/Tasks?$orderby=${'('.repeat(4000)}id${')'.repeat(4000)}` }, status: 400 },
  { name: 'a 600-term or chain is served', request: { target: `/odata/Tasks?$filter=${orChain(600)}` }, status: 200 },
  { name: 'a 700-term or chain is over the option limit', request: { target: `/odata/Tasks?$filter=${orChain(700)}` }, status: 400, code: 'BRIDGE_ERR_LIMIT_EXCEEDED' },
  { name: 'an in list of 1,500 values is served', request: { target: `/odata/Tasks?$filter=${sp(`id in (${Array.from({ length: 1500 }, (_, i) => i).join(',')})`)}` }, status: 200 },
  { name: 'a query string over its limit, URL under its own', request: { target: `/odata/Tasks?days=1&x=${'a'.repeat(DEFAULT_LIMITS.maxQueryLength)}` }, status: 400, code: 'BRIDGE_ERR_LIMIT_EXCEEDED' },
  { name: 'a 20 KB URL', request: { target: `/odata/Tasks?$filter=${'a'.repeat(20_000)}` }, status: 414, code: 'BRIDGE_ERR_LIMIT_EXCEEDED' },
  { name: 'a 64 KB URL (over Node\'s header limit too)', request: { target: `/odata/Tasks?$filter=${'a'.repeat(64 * 1024)}` }, status: 414, code: 'BRIDGE_ERR_LIMIT_EXCEEDED' },
  { name: 'a 40 KB header', request: { target: '/odata/Tasks?$top=1', headers: [['X-Big', 'a'.repeat(40_000)]] }, status: 431, code: 'BRIDGE_ERR_LIMIT_EXCEEDED' },
  // Node 22 counts some bytes per header against maxHeaderSize besides the text: 900 fit, 1,000 do not.
  { name: '900 small headers', request: { target: '/odata/Tasks?$top=1', headers: Array.from({ length: 900 }, (_, i) => [`X-H${i}`, 'v'] as const) }, status: 200 },
  { name: '5,000 small headers', request: { target: '/odata/Tasks?$top=1', headers: Array.from({ length: 5000 }, (_, i) => [`X-H${i}`, 'v'] as const) }, status: 431, code: 'BRIDGE_ERR_LIMIT_EXCEEDED' },
  { name: 'a 20 KB Authorization header', request: { target: '/odata/Tasks?$top=1', headers: [['Authorization', `Basic ${'A'.repeat(20_000)}`]] }, status: 200 },
  // Percent-escapes and UTF-8
  { name: 'invalid UTF-8 (%C3%28) in a value', request: { target: '/odata/Tasks?$filter=%C3%28' }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'invalid UTF-8 in an option name', request: { target: '/odata/Tasks?%C3%28=1' }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'a lone % in a value', request: { target: '/odata/Tasks?$filter=%' }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: '%2 (one hex digit)', request: { target: '/odata/Tasks?$top=%2' }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: '%00 in an expression', request: { target: '/odata/Tasks?$filter=%00' }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: '%00 inside a string literal is data', request: { target: `/odata/Tasks?$filter=${sp("state eq 'a%00b'")}` }, status: 200 },
  { name: 'a UTF-16 surrogate encoded in UTF-8 (%ED%A0%80)', request: { target: `/odata/Tasks?$filter=${sp("state eq '%ED%A0%80'")}` }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'an overlong encoding of / (%C0%AF)', request: { target: '/odata/Tasks?$filter=%C0%AF' }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'invalid UTF-8 in the path', request: { target: '/odata/Tasks%C3%28' }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'a lone % in the path', request: { target: '/odata/%' }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'invalid UTF-8 in a string key', request: { target: "/odata/Automations('%FF')" }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'an encoded slash in a key', request: { target: "/odata/Automations('a%2Fb')" }, status: 404, code: 'BRIDGE_ERR_NOT_FOUND' },
  // Huge and odd numbers
  { name: '$top past Int64', request: { target: '/odata/Tasks?$top=99999999999999999999999' }, status: 400, code: 'BRIDGE_ERR_INVALID_OPTION_VALUE' },
  { name: '$top = 2^31', request: { target: '/odata/Tasks?$top=2147483648' }, status: 400, code: 'BRIDGE_ERR_INVALID_OPTION_VALUE' },
  { name: '$top = 2^31-1 is served (one page)', request: { target: '/odata/Tasks?$top=2147483647' }, status: 200 },
  { name: '$skip = -1', request: { target: '/odata/Tasks?$skip=-1' }, status: 400, code: 'BRIDGE_ERR_INVALID_OPTION_VALUE' },
  { name: '$top = 1e3', request: { target: '/odata/Tasks?$top=1e3' }, status: 400, code: 'BRIDGE_ERR_INVALID_OPTION_VALUE' },
  { name: 'days = 10^9', request: { target: '/odata/Tasks?days=1000000000' }, status: 400, code: 'BRIDGE_ERR_INVALID_OPTION_VALUE' },
  { name: 'a key past Int64', request: { target: '/odata/Tasks(99999999999999999999999)' }, status: 400, code: 'BRIDGE_ERR_INVALID_LITERAL' },
  { name: 'a key past 2^53', request: { target: '/odata/Tasks(9007199254740993)' }, status: 400, code: 'BRIDGE_ERR_INVALID_LITERAL' },
  { name: '1e400 in a comparison', request: { target: `/odata/Tasks?$filter=${sp('totalItems gt 1e400')}` }, status: 400 },
  { name: 'a 300-digit integer literal', request: { target: `/odata/Tasks?$filter=${sp(`totalItems gt ${'9'.repeat(300)}`)}` }, status: 400 },
  // HTTP framing Node's parser refuses
  { name: 'a raw space in the URL', request: { target: "/odata/Tasks?$filter=state eq 'x'" }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'a raw DEL in the URL', request: { target: '/odata/Tasks?$filter=a\u007fb' }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'a NUL in a header value', request: { target: '/odata/Tasks', headers: [['X-Null', 'a\u0000b']] }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'a space in a header name', request: { target: '/odata/Tasks', headers: [['Bad Header', 'x']] }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'Content-Length with Transfer-Encoding (smuggling)', request: { target: '/odata/Tasks', headers: [['Transfer-Encoding', 'chunked'], ['Content-Length', '5']] }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'two different Content-Length', request: { target: '/odata/Tasks', headers: [['Content-Length', '1'], ['Content-Length', '2']] }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'a negative Content-Length', request: { target: '/odata/Tasks', headers: [['Content-Length', '-1']] }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'a method with a control character', request: { method: 'G\u0001T', target: '/odata/Tasks' }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'the HTTP/2 preface on HTTP/1.1', request: { method: 'PRI', target: '*' }, status: 400, code: 'BRIDGE_ERR_SYNTAX' },
  { name: 'CONNECT', request: { method: 'CONNECT', target: 'example.com:443' }, status: 405, code: 'BRIDGE_ERR_METHOD_NOT_ALLOWED' },
  { name: 'an absolute-form target naming another host', request: { target: 'http://evil.example/odata/Tasks?$top=1' }, status: 404, code: 'BRIDGE_ERR_NOT_FOUND' },
  { name: 'a GET with a body over the body limit (never read)', request: { target: '/odata/Tasks?$top=1', body: 'x'.repeat(SERVER_LIMITS.bodyLimit * 4) }, status: 200 }
]

let bridge: BridgeFixture
t.before(async () => { bridge = await startBridge({ sim: { tasks: 300 }, env: { LOG_LEVEL: 'warn' } }) })
t.teardown(async () => { await bridge.close() })

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const res = await rawRequest(bridge.origin, { timeoutMs: 15_000, ...c.request })
    t.equal(uncleanAnswer(res, c.request.method), null, 'clean answer')
    t.equal(res.status, c.status, `status ${c.status}: ${res.body.slice(0, 200)}`)
    if (c.code !== undefined) t.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, c.code)
  })
}

t.test('a 64 KB URL sent slowly, in pieces, still gets an answer', async (t) => {
  const { connect } = await import('node:net')
  const { hostname, port } = new URL(bridge.origin)
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let got = ''
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('hang')) }, 15_000)
    socket.on('data', (c: Buffer) => { got += c.toString('latin1') })
    socket.on('error', () => { /* the server may close while we still write */ })
    socket.on('close', () => { clearTimeout(timer); resolve(got) })
    socket.write('GET /odata/Tasks?$filter=')
    let sent = 0
    const tick = setInterval(() => {
      if (socket.destroyed || sent >= 64 * 1024) { clearInterval(tick); return }
      socket.write('a'.repeat(4096))
      sent += 4096
    }, 5)
  })
  t.match(answer, /^HTTP\/1\.1 (414|431) /, 'refused as too long')
  t.match(answer, /OData-Version: 4\.0/)
  t.match(answer, /"code":"BRIDGE_ERR_LIMIT_EXCEEDED"/)
})

t.test('the bridge is alive and logged no error after all this', async (t) => {
  t.equal((await rawRequest(bridge.origin, { target: '/healthz' })).status, 200)
  t.same(bridge.logs.filter((line) => /"level":(50|60)/.test(line)).slice(0, 3), [])
})
