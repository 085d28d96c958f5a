import { readFileSync } from 'node:fs'
import t from 'tap'
import { BridgeError, ERROR_CATALOGUE, bridgeError, isBridgeError } from '../src/errors.js'

t.test('every catalogue code is documented in docs/errors.md with its status', async (t) => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')
  for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
    const line = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`))
    t.ok(line, `${code} has a row`)
    t.match(line ?? '', new RegExp(`\\| ${status}`), `${code} row shows ${status}`)
  }
})

t.test('bridgeError carries code, status, target and retry-after', async (t) => {
  const e = bridgeError('UPSTREAM_RATE_LIMITED', 'slow down', { target: 'x', retryAfterS: 3 })
  t.ok(e instanceof BridgeError)
  t.equal(e.statusCode, 503)
  t.equal(e.target, 'x')
  t.equal(e.retryAfterS, 3)
  t.equal(bridgeError('UPSTREAM_CREDENTIALS_REJECTED', 'no', { status: 401 }).statusCode, 401)
  t.ok(isBridgeError(e))
  t.notOk(isBridgeError(new Error('plain')))
  t.notOk(isBridgeError(Object.assign(new Error('x'), { code: 'ENOENT' })))
  t.notOk(isBridgeError('BRIDGE_ERR_SYNTAX'))
})
