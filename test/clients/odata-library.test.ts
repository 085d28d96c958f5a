// Every set read through an independent OData v4 client: ts-odatajs, the
// TypeScript port of Apache Olingo's OData JavaScript client. It parses the
// CSDL XML $metadata itself, reads minimal-metadata JSON against that model
// (resolving @odata.context, typing every property, building entity ids from
// the keys, turning DateTimeOffset into Date) and follows @odata.nextLink in
// its cache source. Results are compared with the simulator's own data.
import t from 'tap'
import { oData } from 'ts-odatajs'
import type { Edmx, HttpOData } from 'ts-odatajs'
import { ODataCacheSource } from 'ts-odatajs/lib/cache/source.js'
import { startBridge } from '../fixtures/bridge.js'
import { automationsOf, plain, runnersOf, tasksOf } from './fixtures/expected.js'
import type { Row } from './fixtures/expected.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const PAGE = 300
const bridge = await startBridge({ sim: { tasks: 5000, historyDays: 120, automations: 40, runners: 7, seed: 23, now: () => NOW }, now: () => NOW, env: { PAGE_SIZE: String(PAGE) } })
t.teardown(() => bridge.close())

const EXPECTED: Record<string, Row[]> = { Tasks: tasksOf(bridge.sim, NOW), Automations: automationsOf(bridge.sim), Runners: runnersOf(bridge.sim) }
const KEYS: Record<string, string> = { Tasks: 'id', Automations: 'label', Runners: 'id' }
const TYPES: Record<string, string> = { Tasks: 'Task', Automations: 'Automation', Runners: 'Runner' }

interface Feed {
  '@odata.context'?: string
  '@odata.nextLink'?: string
  value: Row[]
}

/** oData.read as a promise: the parsed payload and the response. */
function read<T>(request: string | (HttpOData.Request & { recognizeDates?: boolean }), handler?: typeof oData.metadataHandler, metadata?: Edmx.Edmx): Promise<{ data: T; response: HttpOData.Response }> {
  return new Promise((resolve, reject) => {
    oData.read(request, (data: T, response) => resolve({ data, response }), (error) => reject(Object.assign(new Error(error.message), { odata: error })), handler, undefined, metadata)
  })
}

/** The library's own nextLink walk (cache/source.js queryForData): $skip/$top, then every nextLink, concatenated. */
function readRange(source: ODataCacheSource, index: number, count: number): Promise<Feed> {
  return new Promise((resolve, reject) => { source.read(index, count, resolve, reject) })
}

/** Dates the library recognized, back to epoch ms; its annotations dropped. */
function fromLibrary(rows: readonly Row[]): Row[] {
  return plain(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]))))
}

const { data: metadata, response: metadataResponse } = await read<Edmx.Edmx>(`${bridge.feed}$metadata`, oData.metadataHandler)

t.test('$metadata through the library: CSDL XML parsed into its model', async (t) => {
  t.match(metadataResponse.headers?.['Content-Type'] ?? metadataResponse.headers?.['content-type'], /^application\/xml/)
  t.equal(metadata.version, '4.0')
  const schema = metadata.dataServices.schema[0]
  t.equal(schema?.namespace, 'BotCity.Insights')
  const types = Object.fromEntries((schema?.entityType ?? []).map((e) => [e.name, e]))
  for (const [set, key] of Object.entries(KEYS)) {
    const type = types[TYPES[set] ?? '']
    t.strictSame(type?.key?.propertyRef.map((r) => r.name), [key], `${set}: key ${key}`)
  }
  const container = schema?.entityContainer as unknown as { name: string; entitySet: { name: string; entityType: string }[] }
  t.strictSame(container.entitySet.map((s) => [s.name, s.entityType]), Object.entries(TYPES).map(([s, ty]) => [s, `BotCity.Insights.${ty}`]))
})

t.test('the service document through the library', async (t) => {
  const { data } = await read<{ value: { name: string; kind: string; url: string }[] }>(bridge.feed, undefined, metadata)
  t.strictSame(data.value.map((s) => [s.name, s.kind, s.url]), [['Tasks', 'EntitySet', 'Tasks'], ['Automations', 'EntitySet', 'Automations'], ['Runners', 'EntitySet', 'Runners']])
})

for (const set of ['Tasks', 'Automations', 'Runners']) {
  const expected = EXPECTED[set] ?? []

  t.test(`${set}: page by page along @odata.nextLink, typed by the library from $metadata`, async (t) => {
    const rows: Row[] = []
    let next: string | undefined = `${bridge.feed}${set}`
    let pages = 0
    while (next !== undefined) {
      if (++pages > 100) throw new Error('nextLink loop')
      const { data }: { data: Feed } = await read<Feed>({ requestUri: next, recognizeDates: true }, undefined, metadata)
      t.equal(data['@odata.context'], `${bridge.feed}$metadata#${set}`)
      rows.push(...data.value)
      next = data['@odata.nextLink']
      if (next !== undefined) t.match(next, /^http:\/\/127\.0\.0\.1:\d+\/odata\//, 'an absolute nextLink')
    }
    t.equal(pages, Math.max(1, Math.ceil(expected.length / PAGE)), `${pages} pages`)
    t.equal(rows.length, expected.length, `${expected.length} rows`)
    t.strictSame(fromLibrary(rows), plain(expected), 'the simulator\'s rows, in its order')
    const first = rows[0] ?? {}
    t.equal(first['@odata.type'], `#BotCity.Insights.${TYPES[set]}`, 'the library typed the entity from the context URL')
    const key = first[KEYS[set] ?? ''] as string | number
    t.equal(first['@odata.id'], `${bridge.feed}${set}(${typeof key === 'number' ? `${key}L` : `'${key}'`})`, 'and built its id from the key')
    if (set === 'Tasks') {
      t.equal(first['id@odata.type'], '#Int64')
      t.equal(first['dateCreation@odata.type'], '#DateTimeOffset')
      t.type(first.dateCreation, Date, 'DateTimeOffset recognized as a Date')
    }
    if (set === 'Runners') t.equal(first['automations@odata.type'], '#Collection(String)')
  })

  t.test(`${set}: the library's own paging (ODataCacheSource.read follows nextLink)`, async (t) => {
    const source = new ODataCacheSource({ source: `${bridge.feed}${set}`, metadata })
    const all = await readRange(source, 0, 100_000)
    t.equal(all.value.length, expected.length, `${expected.length} rows`)
    t.strictSame(fromLibrary(all.value), plain(expected))
    t.notOk(all['@odata.nextLink'], 'the walk ended on a page without nextLink')
    if (expected.length > PAGE) {
      const window = await readRange(source, 100, PAGE + 50)
      t.strictSame(fromLibrary(window.value), plain(expected.slice(100, 150 + PAGE)), `$skip=100&$top=${PAGE + 50} across pages`)
    }
    const count = await new Promise<number>((resolve, reject) => { source.count(resolve, reject) })
    t.equal(count, expected.length, '/$count')
  })
}

t.test('one entity by key, and an error, through the library', async (t) => {
  const task = EXPECTED.Tasks?.[7] ?? {}
  const { data } = await read<Row>({ requestUri: `${bridge.feed}Tasks(${String(task.id)})`, recognizeDates: true }, undefined, metadata)
  t.equal(data['@odata.context'], `${bridge.feed}$metadata#Tasks/$entity`)
  t.strictSame(fromLibrary([data])[0], plain([task])[0])
  const runner = EXPECTED.Runners?.[0] ?? {}
  const { data: r } = await read<Row>(`${bridge.feed}Runners('${String(runner.id)}')`, undefined, metadata)
  t.strictSame(r.automations, runner.automations)

  const failure = await read<Row>(`${bridge.feed}Tasks?$filter=nosuch%20eq%201`, undefined, metadata).then(() => null, (e: unknown) => (e as { odata: HttpOData.Error }).odata)
  t.equal(Number(failure?.response?.statusCode), 400)
  const body = JSON.parse(String(failure?.response?.body)) as { error: { code: string; message: string } }
  t.match(body, { error: { code: String, message: /nosuch/ } })
})
