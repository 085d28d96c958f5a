// /openapi.json: a structurally valid OpenAPI 3 document that lists every
// route, the OData paths, the query options with their limits and the error
// body; /docs serves Swagger UI; documenting changed no request handling.
import t from 'tap'
import { ERROR_CATALOGUE } from '../../src/errors.js'
import { ENTITY_SETS } from '../../src/model/index.js'
import { DEFAULT_LIMITS } from '../../src/odata/limits.js'
import { feedAuth } from '../../src/routes/openapi.js'
import { getJson, startBridge } from '../fixtures/bridge.js'

type Json = Record<string, unknown>

const bridge = await startBridge()
t.teardown(() => bridge.close())
const { status, headers, body: doc } = await getJson(`${bridge.origin}/openapi.json`)
const paths = doc.paths as Record<string, Record<string, Json>>
const components = doc.components as Record<string, Record<string, Json>>

/** Follows a local $ref ("#/components/…"); fails on a dangling one. */
function resolve(node: Json): Json {
  const ref = node.$ref
  if (typeof ref !== 'string') return node
  let target: unknown = doc
  for (const part of ref.replace(/^#\//, '').split('/')) target = (target as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')]
  if (target === undefined) throw new Error(`dangling $ref ${ref}`)
  return target as Json
}

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refsIn(n, out)
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v)
      else refsIn(v, out)
    }
  }
  return out
}

t.test('served as JSON with OData-Version', async (t) => {
  t.equal(status, 200)
  t.match(headers.get('content-type'), /^application\/json/)
  t.equal(headers.get('odata-version'), '4.0')
})

t.test('an OpenAPI 3 document, structurally valid', async (t) => {
  t.match(doc.openapi, /^3\.0\.\d+$/)
  t.match(doc.info, { title: String, version: String })
  t.type(paths, 'object')
  for (const ref of refsIn(doc)) {
    t.match(ref, /^#\/components\//, `local ref ${ref}`)
    t.doesNotThrow(() => resolve({ $ref: ref }), ref)
  }
  for (const [path, item] of Object.entries(paths)) {
    t.match(path, /^\//, `${path} starts with /`)
    for (const [method, op] of Object.entries(item)) {
      t.ok(['get', 'head', 'put', 'post', 'delete', 'options', 'patch', 'trace', 'parameters'].includes(method), `${method} ${path}`)
      if (method === 'parameters') continue
      const responses = op.responses as Record<string, Json>
      t.ok(Object.keys(responses).length > 0, `${path} has responses`)
      for (const [code, r] of Object.entries(responses)) {
        t.match(code, /^([1-5]\d\d|default)$/, `${path} ${code}`)
        t.type(resolve(r).description, 'string', `${path} ${code} has a description`)
      }
      const params = ((op.parameters ?? []) as Json[]).map(resolve)
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
      const declared = params.filter((p) => p.in === 'path').map((p) => p.name)
      t.same(declared.sort(), [...templated].sort(), `${path}: path parameters match the template`)
      for (const p of params) {
        t.ok(['query', 'header', 'path', 'cookie'].includes(p.in as string), `${path} ${String(p.name)} in`)
        if (p.in === 'path') t.equal(p.required, true, `${path} ${String(p.name)} required`)
        t.ok(p.schema !== undefined || p.content !== undefined, `${path} ${String(p.name)} has a schema`)
      }
    }
  }
  for (const [name, scheme] of Object.entries(components.securitySchemes ?? {})) {
    t.ok(['http', 'apiKey'].includes(scheme.type as string), `security scheme ${name}`)
  }
})

t.test('every route is described, and each described route answers', async (t) => {
  const operational = ['/', '/healthz', '/readyz', '/metrics', '/openapi.json', '/docs', '/connect/botcity-insights.pbids', '/connect/{set}', '/monitor', '/monitor/state', '/monitor/assets/{name}']
  for (const path of operational) t.ok(paths[path]?.get, path)
  for (const path of operational.filter((p) => !p.includes('{'))) {
    const res = await fetch(`${bridge.origin}${path}`)
    await res.arrayBuffer()
    t.not(res.status, 404, `${path} answers`)
  }
  t.equal((await fetch(`${bridge.origin}/connect/Tasks.odc`)).status, 200)
  t.notOk(Object.keys(paths).some((p) => p.includes('*') || p.startsWith('/docs/')), 'no wildcard or Swagger UI asset paths')
})

t.test('the OData paths, per entity set', async (t) => {
  for (const path of ['/odata/', '/odata', '/odata/$metadata']) t.ok(paths[path]?.get, path)
  for (const set of ENTITY_SETS) {
    const key = set.properties.find((p) => p.name === set.key)?.type === 'Edm.String' ? `('{${set.key}}')` : `({${set.key}})`
    for (const path of [`/odata/${set.name}`, `/odata/${set.name}/$count`, `/odata/${set.name}${key}`, `/odata/${set.name}${key}/{property}`, `/odata/${set.name}${key}/{property}/$value`]) {
      t.ok(paths[path]?.get, path)
      t.match(paths[path]?.get, { tags: ['OData'] })
    }
    const ok = resolve(((paths[`/odata/${set.name}`]?.get?.responses as Record<string, Json>)['200']) as Json)
    t.same((ok.content as Record<string, Json>)['application/json']?.schema, { $ref: `#/components/schemas/${set.name}Collection` })
    const entity = components.schemas?.[set.typeName] as { properties: Record<string, unknown> }
    t.same(Object.keys(entity.properties), set.properties.map((p) => p.name), `${set.typeName} properties`)
  }
  t.match(components.schemas?.Task, { properties: { id: { type: 'integer', format: 'int64' }, dateCreation: { type: 'string', format: 'date-time' }, finishStatus: { nullable: true } } })
})

t.test('query options with their limits', async (t) => {
  const params = components.parameters as Record<string, Json>
  const names = ((paths['/odata/Tasks']?.get?.parameters ?? []) as Json[]).map((p) => resolve(p).name)
  for (const option of ['$filter', '$select', '$orderby', '$top', '$skip', '$count', '$search', '$skiptoken', '$format', 'days', 'Prefer']) {
    t.ok(names.includes(option), `Tasks documents ${option}`)
  }
  t.match(params.top, { name: '$top', in: 'query', schema: { type: 'integer', minimum: 0, maximum: DEFAULT_LIMITS.maxTop } })
  t.match(params.skip, { name: '$skip', schema: { type: 'integer', minimum: 0, maximum: DEFAULT_LIMITS.maxSkip } })
  t.match(params.days, { name: 'days', schema: { type: 'integer', minimum: 1, maximum: DEFAULT_LIMITS.maxDays, default: 30 } })
  t.match(params.filter, { name: '$filter', schema: { type: 'string', maxLength: DEFAULT_LIMITS.maxOptionLength } })
  t.match(params.filter?.description, new RegExp(`depth ${DEFAULT_LIMITS.maxDepth}, ${DEFAULT_LIMITS.maxNodes} nodes`))
  t.match(params.prefer, { in: 'header', description: /odata\.maxpagesize=N .*default 1000, at most 5000/ })
  t.same(doc['x-odata-limits'], { ...DEFAULT_LIMITS })
  t.match((doc.info as Json).description, /query string 16384 characters/)
  t.match(paths['/odata/Tasks']?.get?.description, /at most 16384 characters/)
})

t.test('the OData error body, with every catalogue code', async (t) => {
  const schema = components.schemas?.ODataError as { required: string[]; properties: { error: { required: string[]; properties: Record<string, Json> } } }
  t.same(schema.required, ['error'])
  t.same(schema.properties.error.required, ['code', 'message'])
  t.same(Object.keys(schema.properties.error.properties).sort(), ['code', 'details', 'message', 'target'])
  t.same(schema.properties.error.properties.code?.enum, Object.keys(ERROR_CATALOGUE))
  for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
    const response = components.responses?.[`Error${status}`]
    t.ok(response, `a response for ${status}`)
    t.match(response?.description, code, `${code} listed under ${status}`)
    t.same(paths['/odata/Tasks']?.get?.responses && (paths['/odata/Tasks'].get.responses as Json)[String(status)], { $ref: `#/components/responses/Error${status}` })
  }
  // A real error answers in that shape.
  const { status: code, body } = await getJson(`${bridge.feed}Tasks?$top=abc`)
  t.equal(code, 400)
  const error = body.error as Json
  t.ok(Object.keys(ERROR_CATALOGUE).includes(error.code as string), 'a catalogue code, not a schema-validation error')
  t.type(error.message, 'string')
  t.ok(Object.keys(error).every((k) => k in schema.properties.error.properties), 'no key outside the schema')
})

t.test('request handling is unchanged: raw query strings, OData-Version everywhere', async (t) => {
  const { status, headers, body } = await getJson(`${bridge.feed}Tasks?$top=2&$select=id,state&$filter=id%20gt%200`)
  t.equal(status, 200)
  t.equal(headers.get('odata-version'), '4.0')
  t.equal((body.value as unknown[]).length, 2)
  const plus = await getJson(`${bridge.feed}Tasks?$top=1&$filter=activityLabel eq 'a+b'`)
  t.equal(plus.status, 200, '+ stays a plus sign')
  for (const path of ['/docs', '/docs/', '/docs/json', '/docs/static/swagger-ui.css', '/metrics', '/docs/nope']) {
    const res = await fetch(`${bridge.origin}${path}`)
    await res.arrayBuffer()
    t.equal(res.headers.get('odata-version'), '4.0', `${path} carries OData-Version`)
  }
  const missing = await getJson(`${bridge.origin}/docs/nope`)
  t.equal(missing.status, 404)
  t.match(missing.body, { error: { code: 'BRIDGE_ERR_NOT_FOUND' } }, 'our 404 body below /docs too')
})

t.test('/docs is Swagger UI over the same document', async (t) => {
  const res = await fetch(`${bridge.origin}/docs`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/html/)
  t.match(await res.text(), /swagger-ui/i)
  const json = await getJson(`${bridge.origin}/docs/json`)
  t.same(json.body, doc)
})

t.test('security follows the mode', async (t) => {
  t.equal(feedAuth({ mode: 'demo', allowAnonymous: false, apiKeys: [] }), 'none')
  t.equal(feedAuth({ mode: 'service-account', allowAnonymous: true, apiKeys: [] }), 'none')
  t.equal(feedAuth({ mode: 'service-account', allowAnonymous: true, apiKeys: ['k'.repeat(16)] }), 'api-key')
  t.equal(feedAuth({ mode: 'service-account', allowAnonymous: false, apiKeys: ['k'.repeat(16)] }), 'api-key')
  t.equal(feedAuth({ mode: 'passthrough', allowAnonymous: false, apiKeys: [] }), 'workspace')
  t.equal(paths['/odata/Tasks']?.get?.security, undefined, 'anonymous fixture: no security requirement')

  const keyed = await startBridge({ env: { BRIDGE_API_KEYS: 'a-bridge-key-of-24-chars', ALLOW_ANONYMOUS: 'false', API_KEY_PARAM: 'token_x', PUBLIC_URL: 'https://bi.example.com' } })
  t.teardown(() => keyed.close())
  const { status, body } = await getJson(`${keyed.origin}/openapi.json`)
  t.equal(status, 200, 'the document needs no key')
  t.notMatch(JSON.stringify(body), 'a-bridge-key-of-24-chars', 'no key in the document')
  t.same(body.servers, [{ url: 'https://bi.example.com' }])
  const get = ((body.paths as Record<string, Record<string, Json>>)['/odata/Tasks'] as Record<string, Json>).get as Json
  t.same(get.security, [{ basic: [] }, { bearer: [] }, { apiKey: [] }])
  t.match((body.components as Record<string, Record<string, Json>>).securitySchemes?.apiKey, { type: 'apiKey', in: 'query', name: 'token_x' })
  t.equal((await fetch(`${keyed.feed}Tasks?$top=1`)).status, 401, 'the feed still asks for a key')
})
