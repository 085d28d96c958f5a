import t from 'tap'
import { isBridgeError, type BridgeError } from '../../src/errors.js'
import { AUTOMATIONS, TASKS } from '../../src/model/index.js'
import { parseQueryOptions, parseQueryString, type QueryOptions } from '../../src/odata/index.js'

function parse(raw: string): QueryOptions {
  return parseQueryOptions(TASKS, parseQueryString(raw))
}

function fails(raw: string): BridgeError {
  try {
    parse(raw)
  } catch (err) {
    if (isBridgeError(err)) return err as BridgeError
    throw err
  }
  throw new Error(`expected ${raw} to fail`)
}

t.test('defaults', async (t) => {
  t.same(parse(''), { filter: null, orderby: [], select: null, top: null, skip: null, count: false, search: null, skiptoken: null, format: null, days: null, apply: null, expand: null })
})

t.test('$top and $skip: digits only, within limits', async (t) => {
  t.equal(parse('$top=0').top, 0)
  t.equal(parse('$top=007').top, 7)
  t.equal(parse('$top=2147483647').top, 2147483647)
  t.equal(parse('$skip=35').skip, 35)
  const bad = ['-1', '1.5', '1e3', 'abc', '', ' 5', '+5', '0x10', '2147483648', '99999999999999999999999', '５']
  for (const value of bad) {
    for (const option of ['$top', '$skip']) {
      const err = fails(`${option}=${encodeURIComponent(value)}`)
      t.equal(err.code, 'BRIDGE_ERR_INVALID_OPTION_VALUE', `${option}=${value}`)
      t.equal(err.statusCode, 400)
      t.equal(err.target, option)
    }
  }
  t.match(fails('$top=-1').message, /\$top must be a non-negative integer/)
  t.match(fails('$top=2147483648').message, /between 0 and 2147483647/)
})

t.test('$count', async (t) => {
  t.equal(parse('$count=true').count, true)
  t.equal(parse('$count=FALSE').count, false)
  for (const value of ['yes', '1', '']) t.equal(fails(`$count=${value}`).code, 'BRIDGE_ERR_INVALID_OPTION_VALUE', value)
})

t.test('$format', async (t) => {
  t.same(parse('$format=json').format, {})
  t.same(parse('$format=JSON').format, {})
  t.equal(parse('').format, null)
  t.same(parse('$format=application/json;odata.metadata=full;IEEE754Compatible=true;charset=utf-8').format, { metadata: 'full', ieee754Compatible: true })
  t.same(parse('$format=application/json;metadata=none').format, { metadata: 'none' })
  t.same(parse('$format=application/json;IEEE754Compatible=false').format, { ieee754Compatible: false })
  for (const value of ['xml', 'atom', 'application/xml', 'text/csv', 'application/json;odata.metadata=verbose', 'json;IEEE754Compatible=maybe']) {
    const err = fails(`$format=${encodeURIComponent(value)}`)
    t.equal(err.code, 'BRIDGE_ERR_NOT_ACCEPTABLE', value)
    t.equal(err.statusCode, 406)
  }
})

t.test('days: 1..3650', async (t) => {
  t.equal(parse('days=30').days, 30)
  t.equal(parse('days=3650').days, 3650)
  for (const value of ['0', '3651', '-1', '1.5', 'x', '']) t.equal(fails(`days=${value}`).code, 'BRIDGE_ERR_INVALID_OPTION_VALUE', value)
  t.equal(parse('Days=5').days, null, 'custom options are case-sensitive')
})

t.test('$skiptoken is carried as is', async (t) => {
  t.equal(parse('$skiptoken=abc%3D%3D').skiptoken, 'abc==')
  t.equal(fails('$skiptoken=').code, 'BRIDGE_ERR_INVALID_OPTION_VALUE')
})

t.test('expression options and $select, $search', async (t) => {
  const q = parse("$filter=state%20eq%20%27FINISHED%27&$orderby=dateCreation%20desc,id&$select=id%2Cstate&$search=bot&$top=10")
  t.equal(q.filter?.kind, 'compare')
  t.same(q.orderby.map((o) => o.descending), [true, false])
  t.same(q.select, ['id', 'state'])
  t.same(q.search, { kind: 'term', text: 'bot' })
  t.equal(q.top, 10)
  t.equal(fails('$filter=foo%20eq%201').code, 'BRIDGE_ERR_UNKNOWN_PROPERTY')
  t.equal(parseQueryOptions(AUTOMATIONS, parseQueryString('$select=label,roi')).select?.length, 2)
})
