// The emulator's own checks must be able to fail: a small fake OData service
// on node:http answers broken responses on purpose, one per checklist item,
// and each must be reported under its item number; the engine's transport
// (gzip/deflate, redirects, Retry-After, the version ladder) is exercised too.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { deflateSync, gzipSync } from 'node:zlib'
import t from 'tap'
import { checkLoad, checkResponse, PowerQuery, V2_ACCEPT, V3_ACCEPT, V4_ACCEPT, V4_SHORT_ACCEPT } from './fixtures/power-query.js'
import type { Exchange, LoadResult } from './fixtures/power-query.js'

const CSDL = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml">
    <edmx:Include Namespace="Org.OData.Capabilities.V1" Alias="Capabilities"/>
  </edmx:Reference>
  <edmx:DataServices>
    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="Fake">
      <EntityType Name="Item">
        <Key><PropertyRef Name="id"/></Key>
        <Property Name="id" Type="Edm.Int64" Nullable="false"/>
        <Property Name="name" Type="Edm.String" Nullable="false"/>
        <Property Name="note" Type="Edm.String"/>
        <Property Name="when" Type="Edm.DateTimeOffset"/>
        <Property Name="day" Type="Edm.Date"/>
        <Property Name="tags" Type="Collection(Edm.String)" Nullable="false"/>
        <Property Name="legacy" Type="Edm.DateTime"/>
        <NavigationProperty Name="Parent" Type="Fake.Item"/>
      </EntityType>
      <EntityType Name="Keyless">
        <Property Name="x" Type="Edm.String"/>
      </EntityType>
      <EntityContainer Name="C">
        <EntitySet Name="Items" EntityType="Fake.Item"/>
      </EntityContainer>
      <Annotations Target="Fake.C">
        <Annotation Term="Capabilities.BatchSupported" Bool="true"/>
      </Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`

type Answer = { status?: number; headers?: [string, string][]; body: string; encode?: 'gzip' | 'deflate' }
const JSON_MIN = ['Content-Type', 'application/json;odata.metadata=minimal'] as [string, string]
const V4 = ['OData-Version', '4.0'] as [string, string]
const row = { id: 1, name: 'a', note: null, when: '2026-01-01T00:00:00Z', day: '2026-01-01', tags: [] }
const feed = (root: string, extra: Record<string, unknown> = {}, value: unknown[] = [row]): string => JSON.stringify({ '@odata.context': `${root}$metadata#Items`, ...extra, value })

let root = ''
const calls: Record<string, number> = {}
const ROUTES: Record<string, (req: { accept: string }) => Answer> = {
  '/svc/': () => ({ headers: [JSON_MIN, V4], body: JSON.stringify({ '@odata.context': `${root}$metadata`, value: [{ name: 'Items', kind: 'EntitySet', url: 'Items' }] }) }),
  '/svc/$metadata': () => ({ headers: [['Content-Type', 'application/xml'], V4], body: CSDL }),
  '/svc/Items?case=ok': () => ({ headers: [JSON_MIN, V4], body: feed(root) }),
  '/svc/Items?case=gzip': () => ({ headers: [JSON_MIN, V4], body: feed(root), encode: 'gzip' }),
  '/svc/Items?case=deflate': () => ({ headers: [JSON_MIN, V4], body: feed(root), encode: 'deflate' }),
  '/svc/Items?case=twice': () => ({ headers: [JSON_MIN, V4, V4], body: feed(root) }),
  '/svc/Items?case=semicolon': () => ({ headers: [JSON_MIN, ['OData-Version', '4.0;']], body: feed(root) }),
  '/svc/Items?case=atom': () => ({ headers: [['Content-Type', 'application/atom+xml'], V4], body: '<feed/>' }),
  '/svc/Items?case=ieee': () => ({ headers: [['Content-Type', 'application/json;odata.metadata=minimal;IEEE754Compatible=true'], V4], body: feed(root, {}, [{ ...row, id: '1' }]) }),
  '/svc/Items?case=late-context': () => ({ headers: [JSON_MIN, V4], body: JSON.stringify({ value: [row], '@odata.context': `${root}$metadata#Items` }) }),
  '/svc/Items?case=relative-context': () => ({ headers: [JSON_MIN, V4], body: JSON.stringify({ '@odata.context': '$metadata#Items', value: [row] }) }),
  '/svc/Items?case=bad-fragment': () => ({ headers: [JSON_MIN, V4], body: JSON.stringify({ '@odata.context': `${root}$metadata#Nope`, value: [row] }) }),
  '/svc/Items?case=unprefixed': () => ({ headers: [JSON_MIN, V4], body: feed(root, { '@nextLink': `${root}Items?p=2` }) }),
  '/svc/Items?case=undeclared': () => ({ headers: [JSON_MIN, V4], body: feed(root, {}, [{ ...row, extra: 1 }]) }),
  '/svc/Items?$apply=groupby((name))': () => ({ headers: [JSON_MIN, V4], body: JSON.stringify({ '@odata.context': `${root}$metadata#Items(name,Total)`, value: [{ name: 'a', Total: 3 }] }) }),
  '/svc/Items?case=null': () => ({ headers: [JSON_MIN, V4], body: feed(root, {}, [{ ...row, name: null }]) }),
  '/svc/Items?case=null-collection': () => ({ headers: [JSON_MIN, V4], body: feed(root, {}, [{ ...row, tags: null }]) }),
  '/svc/Items?case=null-item': () => ({ headers: [JSON_MIN, V4], body: feed(root, {}, [{ ...row, tags: ['a', null] }]) }),
  '/svc/Items?case=int-string': () => ({ headers: [JSON_MIN, V4], body: feed(root, {}, [{ ...row, id: '1' }]) }),
  '/svc/Items?case=no-zone': () => ({ headers: [JSON_MIN, V4], body: feed(root, {}, [{ ...row, when: '2026-01-01T00:00:00' }]) }),
  '/svc/Items?case=bad-date': () => ({ headers: [JSON_MIN, V4], body: feed(root, {}, [{ ...row, day: '2026-01-01T00:00:00Z' }]) }),
  '/svc/Items?case=expanded': () => ({ headers: [JSON_MIN, V4], body: feed(root, {}, [{ ...row, Parent: { id: 2, name: null } }]) }),
  '/svc/Items?case=relative-next': () => ({ headers: [JSON_MIN, V4], body: feed(root, { '@odata.nextLink': 'Items?p=2' }) }),
  '/svc/Items?case=key-in-next&api_key=sekret-key': () => ({ headers: [JSON_MIN, V4], body: feed(root, { '@odata.nextLink': `${root}Items?case=ok&api_key=sekret-key` }) }),
  '/svc/Items?case=empty-next': () => ({ headers: [JSON_MIN, V4], body: feed(root, { '@odata.nextLink': `${root}Items?case=ok` }, []) }),
  '/svc/Items?case=html-error': () => ({ status: 500, headers: [['Content-Type', 'text/html'], V4], body: '<h1>oops</h1>' }),
  '/svc/Items?case=401': () => ({ status: 401, headers: [['Content-Type', 'application/json'], V4], body: '{"error":{"code":"E","message":"who are you"}}' }),
  '/svc/Items?case=redirect': () => ({ status: 302, headers: [['Location', '/svc/Items?case=ok'], V4], body: '' }),
  '/svc/Items?case=busy': () => (calls.busy = (calls.busy ?? 0) + 1) === 1
    ? { status: 503, headers: [['Retry-After', '0'], ['Content-Type', 'application/json'], V4], body: '{"error":{"code":"BUSY","message":"later"}}' }
    : { headers: [JSON_MIN, V4], body: feed(root) },
  '/svc/Items?case=v3-only': (req) => req.accept === V2_ACCEPT
    ? { headers: [['Content-Type', 'application/atom+xml']], body: '<feed/>' }
    : { status: 415, headers: [['Content-Type', 'text/plain']], body: 'no' },
  '/svc/Items?case=top&$top=3': () => ({ headers: [JSON_MIN, V4], body: feed(root, { '@odata.nextLink': `${root}Items?case=top2` }, [row, row]) }),
  '/svc/Items?case=top2': () => ({ headers: [JSON_MIN, V4], body: feed(root, {}, [row, row]) })
}

const server = createServer((req, res) => {
  const route = ROUTES[req.url ?? '']
  const answer = route === undefined ? { status: 404, headers: [['Content-Type', 'application/json'], V4] as [string, string][], body: '{"error":{"code":"NF","message":"none"}}' } : route({ accept: String(req.headers.accept) })
  const body = answer.encode === 'gzip' ? gzipSync(answer.body) : answer.encode === 'deflate' ? deflateSync(answer.body) : Buffer.from(answer.body)
  const headers = [...(answer.headers ?? []), ...(answer.encode === undefined ? [] : [['Content-Encoding', answer.encode]]), ['Content-Length', String(body.length)]]
  res.writeHead(answer.status ?? 200, headers.flat())
  res.end(body)
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
t.teardown(() => new Promise<void>((r) => server.close(() => r())))
root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/svc/`

const pq = new PowerQuery({ url: root })
t.teardown(() => pq.close())
await pq.connect()
const ctx = pq.checkContext()
const itemsOf = (ex: Exchange, extra = {}): number[] => [...new Set(checkResponse(ex, { ...ctx, ...extra }).map((v) => v.item))].sort((a, b) => a - b)
const get = (q: string, headers?: [string, string][]): Promise<Exchange> => pq.get(`${root}Items?${q}`, 'test', headers)

t.test('a sound service passes; its $metadata breaks 10, 11 and 14', async (t) => {
  t.strictSame(itemsOf(pq.exchanges[0] as Exchange), [], 'service document')
  t.strictSame(checkResponse(pq.exchanges[1] as Exchange).map((v) => [v.item, v.message]), [
    [10, 'Fake.Item/legacy is Edm.DateTime'],
    [11, 'entity type Fake.Keyless has no Key'],
    [11, 'entity set Items lacks NavigationPropertyBinding for Parent'],
    [14, 'Fake.C claims BatchSupported']
  ])
  t.strictSame(itemsOf(await get('case=ok')), [])
  const gz = await get('case=gzip')
  t.equal(gz.contentEncoding, 'gzip')
  t.strictSame(itemsOf(gz), [], 'gzip decoded')
  const df = await get('case=deflate')
  t.equal(df.contentEncoding, 'deflate')
  t.strictSame(itemsOf(df), [], 'deflate decoded')
})

t.test('each broken response is reported under its item', async (t) => {
  const cases: [string, number[]][] = [
    ['case=twice', [1]],
    ['case=semicolon', [1]],
    ['case=atom', [3]],
    ['case=ieee', [8]],
    ['case=late-context', [4]],
    ['case=relative-context', [4]],
    ['case=bad-fragment', [4]],
    ['case=unprefixed', [2]],
    ['case=undeclared', [6]],
    ['case=null', [7]],
    ['case=null-collection', [7]],
    ['case=null-item', [7]],
    ['case=int-string', [8]],
    ['case=no-zone', [9]],
    ['case=bad-date', [9]],
    ['case=expanded', [7]],
    ['case=relative-next', [13]],
    ['case=empty-next', [13]],
    ['case=html-error', [16]],
    ['case=401', [17]]
  ]
  for (const [q, items] of cases) t.strictSame(itemsOf(await get(q)), items, `${q} → item ${items.join(', ')}`)
  t.strictSame(itemsOf(await get('$apply=groupby((name))')), [], '$apply turns the declared-property check off')
  t.strictSame(itemsOf(await pq.get(`${root}Items?case=key-in-next&api_key=sekret-key`, 'test'), { apiKey: 'sekret-key' }), [13], 'the Web API key in a nextLink')
})

t.test('the engine: redirects, Retry-After, the version ladder, $top across pages', async (t) => {
  const redirected = await get('case=redirect')
  t.equal(redirected.url, `${root}Items?case=ok`)
  t.equal(redirected.status, 200)
  const busy = await get('case=busy')
  t.equal(busy.status, 200, '503 with Retry-After retried')
  t.equal(busy.step, 'retry-after')

  const before = pq.exchanges.length
  const ladder = await get('case=v3-only')
  const accepts = pq.exchanges.slice(before).map((ex) => ex.requestHeaders.find(([n]) => n === 'Accept')?.[1])
  t.strictSame(accepts, [V4_ACCEPT, V4_SHORT_ACCEPT, V3_ACCEPT, V2_ACCEPT], 'no OData-Version: four GETs, V4 → V3 → V2')
  t.equal(ladder.status, 200)
  t.strictSame(itemsOf(ladder), [1, 3], 'and the Atom answer it ends on is no v4 answer')

  const load: LoadResult = await pq.load(`${root}Items?case=top&$top=3`)
  t.equal(load.rows.length, 4)
  t.strictSame(checkLoad(load).map((v) => v.item), [13], '$top=3 but 4 rows')

  const strict = new PowerQuery({ url: `${root}Items?case=v3-only` })
  t.teardown(() => strict.close())
  const error = await strict.connect().then(() => null, (e: unknown) => e as Error)
  t.match(error?.message, /neither points to an OData service or a feed/, 'no OData-Version: not an OData service')
})
