// metadata/ holds the service's schema as the bridge serves it: CSDL XML and
// CSDL JSON. This fails while the files differ from what $metadata answers
// (run `npm run metadata`), so every schema change shows in a diff.
import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import t from 'tap'
import { startBridge } from '../fixtures/bridge.js'

const bridge = await startBridge({ sim: { tasks: 10 } })
t.teardown(() => bridge.close())

const file = (name: string): string => readFileSync(new URL(`../../metadata/${name}`, import.meta.url), 'utf8')

async function metadata(query = '', accept?: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`${bridge.feed}$metadata${query}`, accept === undefined ? {} : { headers: { accept } })
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() }
}

t.test('metadata/csdl.xml is what $metadata serves as CSDL XML', async (t) => {
  const served = await metadata('', 'application/xml')
  t.match(served.type, /^application\/xml/)
  t.equal(served.body, file('csdl.xml'), 'metadata/csdl.xml is out of date: run npm run metadata')
})

t.test('metadata/csdl.json is what $metadata serves as CSDL JSON, valid against the OASIS JSON schema', async (t) => {
  const served = await metadata('', 'application/json')
  t.match(served.type, /^application\/json/)
  t.equal(served.body, file('csdl.json'), 'metadata/csdl.json is out of date: run npm run metadata')
  const schema = JSON.parse(readFileSync(new URL('../../node_modules/odata-csdl/schemas/csdl.schema.json', import.meta.url), 'utf8')) as object
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema)
  const json = JSON.parse(served.body) as Record<string, unknown>
  t.ok(validate(json), JSON.stringify(validate.errors?.slice(0, 5)))
  t.equal(json.$Version, '4.0')
  const types = json['BotCity.Insights'] as Record<string, Record<string, unknown>>
  t.same(Object.keys(types.Runner ?? {}).filter((k) => !k.startsWith('$') && !k.startsWith('@')).slice(-1), ['AutomationDetails'])
})

t.test('which form $metadata answers', async (t) => {
  const cases: [string, string | undefined, number, RegExp][] = [
    ['', undefined, 200, /^application\/xml/],
    ['', 'application/xml', 200, /^application\/xml/],
    ['', '*/*', 200, /^application\/xml/],
    // Power Query's detection list names both: XML, which its reader needs.
    ['', 'application/json;odata.metadata=minimal;q=1.0,application/xml;q=0.7,text/plain;q=0.7', 200, /^application\/xml/],
    ['', 'application/json', 200, /^application\/json/],
    ['?$format=json', undefined, 200, /^application\/json/],
    ['?$format=application/json', 'application/xml', 200, /^application\/json/],
    ['?$format=xml', 'application/json', 200, /^application\/xml/],
    ['', 'text/html', 406, /^application\/json/],
    ['?$format=atom', undefined, 406, /^application\/json/]
  ]
  for (const [query, accept, status, type] of cases) {
    const res = await metadata(query, accept)
    t.equal(res.status, status, `${query} Accept: ${accept ?? '(none)'}`)
    t.match(res.type, type, `${query} Accept: ${accept ?? '(none)'}: ${res.type}`)
  }
})
