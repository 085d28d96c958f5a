// The $skiptoken codec: a sealed state, and a load's mark after a dot,
// authenticated with the query and the state it rides with.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { skipTokenCodec } from '../../src/http/skiptoken.js'

const codec = skipTokenCodec(randomBytes(32))
const state = { m: 'offset', offset: 100 }
const mark = { i: 'abcdefghijkl', t: 1, f: [100, 1, 5, 5, 0, 0] }

t.test('a state alone, and with a mark', async (t) => {
  const sealed = codec.encode('q1', state)
  t.same(codec.decode('q1', sealed), state)
  t.equal(codec.mark('q1', sealed, null), sealed, 'no mark, the state alone')
  const marked = codec.mark('q1', sealed, mark)
  t.ok(marked.startsWith(`${sealed}.`))
  t.same(codec.decode('q1', marked), { ...state, L: mark })
  t.notMatch(marked, /[^A-Za-z0-9_.-]/, 'URL-safe as it is')
})

t.test('a mark edited, moved or cut is refused', async (t) => {
  const sealed = codec.encode('q1', state)
  const marked = codec.mark('q1', sealed, mark)
  const other = codec.encode('q1', { m: 'offset', offset: 200 })
  const suffix = marked.slice(sealed.length)
  const refused = (token: string, why: string): void => {
    t.throws(() => codec.decode('q1', token), { code: 'BRIDGE_ERR_SKIPTOKEN_INVALID' }, why)
  }
  const forged = `${sealed}.${Buffer.from(JSON.stringify({ ...mark, f: [999999, 1, 5, 5, 0, 0] })).toString('base64url')}${marked.slice(-22)}`
  refused(forged, 'figures edited')
  refused(other + suffix, 'the mark moved to another state')
  refused(marked.slice(0, -1), 'its tag cut')
  refused(`${sealed}.abc`, 'too short to hold a tag')
  t.throws(() => codec.decode('q2', marked), { code: 'BRIDGE_ERR_SKIPTOKEN_INVALID' }, 'another query')
  refused(`${marked}.x`, 'two dots')
})
