import t from 'tap'
import { redact, upstreamMessage } from '../../src/upstream/upstream-message.js'

t.test('the upstream message: Spring JSON, plain text, never HTML', async (t) => {
  const spring = JSON.stringify({ timestamp: 'x', status: 500, error: 'Internal Server Error', message: 'Database down', path: '/a' })
  t.equal(upstreamMessage(spring, []), 'Database down')
  t.equal(upstreamMessage('{"error":"Bad Gateway","message":""}', []), 'Bad Gateway', 'error when message is empty')
  t.equal(upstreamMessage('{"status":500}', []), undefined)
  t.equal(upstreamMessage('[1,2]', []), undefined)
  t.equal(upstreamMessage('"quoted"', []), 'quoted')
  t.equal(upstreamMessage('upstream connect error\r\n  or disconnect', []), 'upstream connect error or disconnect')
  t.equal(upstreamMessage('<html><body>502 Bad Gateway</body></html>', []), undefined)
  t.equal(upstreamMessage('   ', []), undefined)
  t.equal(upstreamMessage('{"message":"\\u0000\\u0007"}', []), undefined, 'control characters only')
})

t.test('the upstream message is truncated and its secrets redacted', async (t) => {
  const long = upstreamMessage('x'.repeat(500), []) ?? ''
  t.equal(long.length, 200)
  t.ok(long.endsWith('…'))
  t.equal(upstreamMessage('{"message":"Invalid token tok-123 for key k-9"}', ['tok-123', 'k-9']), 'Invalid token [redacted] for key [redacted]')
  const cut = upstreamMessage(`${'y'.repeat(195)}SECRET-TOKEN`, ['SECRET-TOKEN']) ?? ''
  t.notMatch(cut, /SECRET|SECR/, 'redacted before truncation')
})

t.test('redact ignores empty secrets', async (t) => {
  t.equal(redact('abc', ['']), 'abc')
  t.equal(redact('a-b-a', ['a']), '[redacted]-b-[redacted]')
})
