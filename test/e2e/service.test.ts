// The feed's fixed documents and protocol headers, over real HTTP.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { validateXML } from 'xmllint-wasm'
import { getJson, startBridge } from '../fixtures/bridge.js'

const bridge = await startBridge()
t.teardown(() => bridge.close())

t.test('service document lists the entity sets with an absolute context', async (t) => {
  for (const path of ['odata/', 'odata']) {
    const { status, headers, body } = await getJson(`${bridge.origin}/${path}`)
    t.equal(status, 200, path)
    t.equal(headers.get('odata-version'), '4.0')
    t.match(headers.get('content-type'), /^application\/json;odata\.metadata=minimal/)
    t.equal(Object.keys(body)[0], '@odata.context', '@odata.context comes first')
    t.equal(body['@odata.context'], `${bridge.feed}$metadata`)
    t.same(body.value, [
      { name: 'Tasks', kind: 'EntitySet', url: 'Tasks' },
      { name: 'Automations', kind: 'EntitySet', url: 'Automations' },
      { name: 'Runners', kind: 'EntitySet', url: 'Runners' }
    ])
  }
})

t.test('$metadata is CSDL XML 4.0, valid against the OASIS schema', async (t) => {
  const res = await fetch(`${bridge.feed}$metadata`, { headers: { accept: 'application/xml' } })
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^application\/xml/)
  t.equal(res.headers.get('odata-version'), '4.0')
  const xml = await res.text()
  t.match(xml, /<edmx:Edmx Version="4\.0"/)
  t.match(xml, /<EntityType Name="Task">/)
  t.match(xml, /<Property Name="dateCreation" Type="Edm.DateTimeOffset" Nullable="false" Precision="3">/)
  t.match(xml, /<Property Name="automations" Type="Collection\(Edm.String\)" Nullable="false">/)
  t.match(xml, /Term="Capabilities.FilterFunctions"/)
  t.notMatch(xml, /BatchSupported" Bool="true"/)
  // libxml2's xmllint, built to WebAssembly (no program to install), against the OASIS schemas.
  const schema = (name: string): string => readFileSync(new URL(`../../node_modules/odata-csdl/schemas/${name}`, import.meta.url), 'utf8')
  const result = await validateXML({ xml: [{ fileName: 'metadata.xml', contents: xml }], schema: [schema('edmx.xsd')], preload: [{ fileName: 'edm.xsd', contents: schema('edm.xsd') }] })
  t.same(result.errors.slice(0, 5), [], 'valid against edmx.xsd')
  t.equal(result.valid, true)
  const broken = await validateXML({ xml: [{ fileName: 'metadata.xml', contents: xml.replace('<Key>', '<Kee>').replace('</Key>', '</Kee>') }], schema: [schema('edmx.xsd')], preload: [{ fileName: 'edm.xsd', contents: schema('edm.xsd') }] })
  t.equal(broken.valid, false, 'and the validation can fail: an invalid document is refused')
})

t.test('OData-Version: 4.0 exactly once on every response, errors included', async (t) => {
  const cases: [string, RequestInit | undefined, number][] = [
    [`${bridge.feed}`, undefined, 200],
    [`${bridge.feed}Nope`, undefined, 404],
    [`${bridge.origin}/nowhere`, undefined, 404],
    [`${bridge.feed}Tasks`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }, 405],
    [`${bridge.feed}Tasks`, { method: 'DELETE' }, 405],
    [`${bridge.feed}Tasks(abc)`, undefined, 400],
    [`${bridge.feed}Tasks/%E0%A4%A`, undefined, 400]
  ]
  for (const [url, init, status] of cases) {
    const res = await fetch(url, init)
    t.equal(res.status, status, `${init?.method ?? 'GET'} ${url}`)
    t.equal(res.headers.get('odata-version'), '4.0', `${url}: one OData-Version header`)
    if (status >= 400) {
      const body = await res.json() as { error: { code: string; message: string } }
      t.type(body.error.code, 'string')
      t.type(body.error.message, 'string')
    } else {
      await res.arrayBuffer()
    }
  }
  const res = await fetch(`${bridge.feed}Tasks`, { method: 'PATCH' })
  t.equal(res.headers.get('allow'), 'GET, HEAD')
})

t.test('Atom-only Accept is refused with 406; Power Query\'s Accept gets minimal JSON', async (t) => {
  const atom = await fetch(`${bridge.feed}`, { headers: { accept: 'application/atom+xml' } })
  t.equal(atom.status, 406)
  const pq = await fetch(`${bridge.feed}`, {
    headers: { accept: 'application/json;odata.metadata=minimal;q=1.0,application/json;odata=minimalmetadata;q=0.9,application/atomsvc+xml;q=0.8,application/atom+xml;q=0.8,application/xml;q=0.7,text/plain;q=0.7' }
  })
  t.equal(pq.status, 200)
  t.equal(pq.headers.get('content-type'), 'application/json;odata.metadata=minimal')
})

t.test('landing page and connection files', async (t) => {
  const page = await fetch(`${bridge.origin}/`)
  t.equal(page.status, 200)
  const html = await page.text()
  t.match(html, bridge.feed)
  t.match(html, 'Service-account mode')
  const pbids = await getJson(`${bridge.origin}/connect/botcity-insights.pbids`)
  t.same(pbids.body, { version: '0.1', connections: [{ details: { protocol: 'odata', address: { url: bridge.feed } }, options: {}, mode: null }] })
  const odc = await fetch(`${bridge.origin}/connect/Tasks.odc`)
  t.match(odc.headers.get('content-type'), /^text\/x-ms-odc/)
  t.match(await odc.text(), /OData\.Feed\(&quot;http:\/\/127\.0\.0\.1:\d+\/odata\/&quot;, null, \[Implementation=&quot;2\.0&quot;\]\)/)
  t.equal((await fetch(`${bridge.origin}/connect/Nope.odc`)).status, 404)
})

t.test('health and readiness', async (t) => {
  t.same((await getJson(`${bridge.origin}/healthz`)).body, { status: 'ok' })
  const ready = await getJson(`${bridge.origin}/readyz`)
  t.equal(ready.status, 200)
  t.equal(ready.body.status, 'ready')
})
