import t from 'tap'
import { isBridgeError, type BridgeError } from '../../src/errors.js'
import { DEFAULT_LIMITS, parseQueryString } from '../../src/odata/index.js'
import { percentDecode } from '../../src/odata/percent-decode.js'

function fails(raw: string): BridgeError {
  try {
    parseQueryString(raw)
  } catch (err) {
    if (isBridgeError(err)) return err as BridgeError
    throw err
  }
  throw new Error(`expected ${raw} to fail`)
}

t.test('splits at & and the first =, decodes once, keeps + as +', async (t) => {
  const q = parseQueryString('$filter=dateCreation%20ge%202024-01-01T00%3A00%3A00%2B01%3A00&$select=id%2Cstate&x=a=b')
  t.equal(q.system.get('$filter'), 'dateCreation ge 2024-01-01T00:00:00+01:00')
  t.equal(q.system.get('$select'), 'id,state')
  t.equal(q.custom.get('x'), 'a=b')
  t.equal(parseQueryString('$filter=a+b').system.get('$filter'), 'a+b', 'raw + is not a space')
  t.equal(parseQueryString('$filter=%2525').system.get('$filter'), '%25', 'decoded exactly once')
  t.equal(parseQueryString('$filter=%C3%A9t%C3%A9').system.get('$filter'), 'été', 'UTF-8')
  t.equal(parseQueryString('$filter=%F0%9F%98%80').system.get('$filter'), '😀', '4-byte UTF-8')
  t.equal(parseQueryString('&&$top=1&').system.get('$top'), '1', 'empty segments are skipped')
  t.equal(parseQueryString('$count').system.get('$count'), '', 'an option without = has an empty value')
  t.equal(parseQueryString('').system.size, 0)
})

t.test('Power Query URLs', async (t) => {
  const cases: [string, string, string][] = [
    ['$filter=ContactTitle%20eq%20%27Sales%20Representative%27', '$filter', "ContactTitle eq 'Sales Representative'"],
    ['$filter=dateCreation%20ge%202024-01-01T00%3A00%3A00Z%20and%20dateCreation%20lt%202024-02-01T00%3A00%3A00Z', '$filter', 'dateCreation ge 2024-01-01T00:00:00Z and dateCreation lt 2024-02-01T00:00:00Z'],
    ["$filter=activityLabel%20eq%20%27O%27%27Neil%27", '$filter', "activityLabel eq 'O''Neil'"],
    ['$top=1000', '$top', '1000']
  ]
  for (const [raw, name, value] of cases) t.equal(parseQueryString(raw).system.get(name as never), value, raw)
})

t.test('invalid percent-encoding and UTF-8 are 400 naming the option', async (t) => {
  for (const raw of ['$filter=%ZZ', '$filter=%4', '$filter=abc%', '$filter=%C3%28', '$filter=%C0%AF', '$filter=%ED%A0%80', '$filter=%FF', '$filter=%E2%82']) {
    const err = fails(raw)
    t.equal(err.code, 'BRIDGE_ERR_SYNTAX', raw)
    t.equal(err.statusCode, 400)
    t.equal(err.target, '$filter')
    t.match(err.message, /position \d+/)
  }
  t.match(fails('%ZZ=1').message, /in its name/)
  const bad = percentDecode('ab%C3%28')
  t.same(bad, { ok: false, position: 3, reason: 'the percent-escapes are not valid UTF-8' })
})

t.test('system option names are case-insensitive, $ optional for supported ones (4.01)', async (t) => {
  const q = parseQueryString('$Filter=a&$TOP=1&SKIP=2&orderby=x&Count=true')
  t.same([...q.system.keys()].sort(), ['$count', '$filter', '$orderby', '$skip', '$top'])
  t.equal(q.custom.size, 0)
  const custom = parseQueryString('levels=1&id=2&days=3&api_key=k')
  t.same([...custom.custom.entries()], [['levels', '1'], ['id', '2'], ['days', '3'], ['api_key', 'k']], 'unsupported names without $ stay custom')
})

t.test('duplicates are 400, also across spellings', async (t) => {
  for (const raw of ['$filter=a&$filter=b', '$filter=a&$FILTER=b', '$top=1&top=2', 'days=1&days=2', '$top=1&$Top=1']) {
    const err = fails(raw)
    t.equal(err.code, 'BRIDGE_ERR_DUPLICATE_OPTION', raw)
    t.equal(err.statusCode, 400)
  }
})

t.test('unknown $ options are 400 listing the supported ones', async (t) => {
  const err = fails('$foo=1')
  t.equal(err.code, 'BRIDGE_ERR_UNKNOWN_OPTION')
  t.equal(err.target, '$foo')
  t.match(err.message, /\$filter, \$select, \$orderby, \$top, \$skip, \$count, \$search, \$skiptoken, \$format/)
  t.equal(fails('$inlinecount=allpages').code, 'BRIDGE_ERR_UNKNOWN_OPTION')
})

t.test('recognised but unsupported options are 501', async (t) => {
  for (const name of ['$compute', '$levels', '$index', '$deltatoken', '$id', '$LEVELS']) {
    const err = fails(`${name}=x`)
    t.equal(err.code, 'BRIDGE_ERR_NOT_IMPLEMENTED', name)
    t.equal(err.statusCode, 501)
  }
  t.equal(fails('@p=1').statusCode, 501, 'parameter aliases')
  t.equal(parseQueryString('$schemaversion=2.0').system.size, 0, '$schemaversion is accepted and ignored')
})

t.test('limits and empty names', async (t) => {
  const err = fails('x='.padEnd(DEFAULT_LIMITS.maxQueryLength + 1, 'a'))
  t.equal(err.code, 'BRIDGE_ERR_LIMIT_EXCEEDED')
  t.equal(fails('=1').code, 'BRIDGE_ERR_SYNTAX')
})
