// Security headers (@fastify/helmet) on every answer — feed, errors, the
// landing page — with a Content-Security-Policy the landing page lives with
// (inline style allowed, no inline script on it, no upgrade-insecure-requests
// that would send its links to https on a plain-http bridge) and no HSTS.
import t from 'tap'
import { startBridge } from '../fixtures/bridge.js'
import type { BridgeFixture } from '../fixtures/bridge.js'
import { rawRequest } from './raw-http.js'

let b: BridgeFixture
t.before(async () => { b = await startBridge({ sim: { tasks: 100 }, env: { LOG_LEVEL: 'warn' } }) })
t.teardown(async () => { await b.close() })

const ALWAYS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin'
}

t.test('every kind of answer carries them, OData-Version too', async (t) => {
  const targets: [string, string, number][] = [
    ['GET', '/odata/Tasks?$top=1', 200], ['GET', '/odata/$metadata', 200], ['GET', '/odata/', 200], ['GET', '/', 200],
    ['GET', '/odata/Nope', 404], ['GET', '/odata/Tasks?$filter=(', 400], ['POST', '/odata/Tasks', 405], ['GET', '/connect/Tasks.odc', 200]
  ]
  for (const [method, target, status] of targets) {
    const res = await rawRequest(b.origin, { method, target })
    t.equal(res.status, status, `${method} ${target}`)
    t.match(res.headers, ALWAYS, `${method} ${target}: security headers`)
    t.equal(res.headers['odata-version'], '4.0')
    t.equal(res.headers['strict-transport-security'], undefined, 'no HSTS: it belongs to the TLS terminator')
    t.ok(res.headers['content-security-policy'], 'a CSP')
  }
})

t.test('the CSP fits the landing page', async (t) => {
  const res = await rawRequest(b.origin, { target: '/' })
  const csp = res.headers['content-security-policy'] ?? ''
  t.match(csp, /default-src 'self'/)
  t.match(csp, /style-src [^;]*'unsafe-inline'/, 'its inline <style> is allowed')
  t.match(csp, /script-src 'self'/)
  t.notMatch(csp, /upgrade-insecure-requests/, 'links stay on http')
  t.match(res.body, /<style>/, 'the page does use an inline style')
  t.notMatch(res.body, /<script/i, 'and no script, which the CSP would block')
  t.notMatch(res.body, /\son[a-z]+="/i, 'nor inline event handlers')
})
