// The OData part of the OpenAPI document. Everything below /odata is one
// wildcard route read by our own resource-path parser, so these paths are
// written here, from the model, the parse limits and the error catalogue,
// following the shapes of the OASIS "OData to OpenAPI Mapping" (Tasks(id),
// Tasks/$count, Tasks(id)/property/$value).
import { ERROR_CATALOGUE } from '../errors.js'
import { ENTITY_SETS } from '../model/index.js'
import type { EntitySetDef, PropertyDef } from '../model/index.js'
import { DEFAULT_LIMITS } from '../odata/limits.js'
import type { ParseLimits } from '../odata/limits.js'
import { DAYS_OPTION } from '../odata/query-options.js'
import { NOT_IMPLEMENTED_OPTIONS, SUPPORTED_OPTIONS } from '../odata/system-options.js'

export type Json = Record<string, unknown>

/** Who may read the feed: nobody needs to sign in, a bridge API key, or the client's own workspace login:key. */
export type FeedAuth = 'none' | 'api-key' | 'workspace'

export interface ODataDocOptions {
  readonly auth: FeedAuth
  readonly apiKeyParam: string
  readonly horizonDays: number
  readonly pageSize: number
  readonly maxPageSize: number
  readonly limits?: ParseLimits
}

const ref = (kind: 'schemas' | 'parameters' | 'responses', name: string): Json => ({ $ref: `#/components/${kind}/${name}` })
const json = (schema: Json): Json => ({ 'application/json': { schema } })

/** Edm primitive → JSON Schema (OData JSON Format 4.0 §7.1: Int64 and Decimal as strings only with IEEE754Compatible=true). */
function propertySchema(p: PropertyDef): Json {
  const base: Json = {
    'Edm.String': { type: 'string' },
    'Edm.Boolean': { type: 'boolean' },
    'Edm.Int32': { type: 'integer', format: 'int32' },
    'Edm.Int64': { type: 'integer', format: 'int64' },
    'Edm.Double': { type: 'number', format: 'double' },
    'Edm.Decimal': { type: 'number' },
    'Edm.Date': { type: 'string', format: 'date' },
    'Edm.DateTimeOffset': { type: 'string', format: 'date-time' },
    'Edm.Duration': { type: 'string', format: 'duration' },
    'Edm.TimeOfDay': { type: 'string', format: 'time' }
  }[p.type]
  if (p.collection === true) return { type: 'array', items: base, description: p.description }
  return { ...base, ...(p.nullable ? { nullable: true } : {}), description: p.description }
}

function entitySchema(set: EntitySetDef): Json {
  return {
    type: 'object',
    description: `${set.typeName}: ${set.description} Key: ${set.key}. With $select, only the selected properties appear.`,
    properties: Object.fromEntries(set.properties.map((p) => [p.name, propertySchema(p)]))
  }
}

const OPTION_DOCS = (l: ParseLimits, horizonDays: number): Record<string, { description: string; schema: Json }> => ({
  $filter: { description: `Boolean expression over the properties (OData URL Conventions §5.1.1): eq, ne, gt, ge, lt, le, and, or, not, in, has, arithmetic, string/date functions. At most ${l.maxOptionLength} characters, nesting depth ${l.maxDepth}, ${l.maxNodes} nodes.`, schema: { type: 'string', maxLength: l.maxOptionLength } },
  $select: { description: 'Comma-separated properties to return (§5.1.3).', schema: { type: 'string', maxLength: l.maxOptionLength } },
  $orderby: { description: `Comma-separated sort keys, each a property or expression with asc or desc (§5.1.5). Same size limits as $filter.`, schema: { type: 'string', maxLength: l.maxOptionLength } },
  $top: { description: 'Largest number of rows to return (§5.1.6).', schema: { type: 'integer', minimum: 0, maximum: l.maxTop } },
  $skip: { description: 'Rows to skip (§5.1.7).', schema: { type: 'integer', minimum: 0, maximum: l.maxSkip } },
  $count: { description: 'true adds @odata.count, the number of matching rows (§5.1.8).', schema: { type: 'boolean' } },
  $search: { description: `Free-text terms with AND, OR, NOT and parentheses, matched against the text properties (§5.1.9). At most ${l.maxOptionLength} characters.`, schema: { type: 'string', maxLength: l.maxOptionLength } },
  $skiptoken: { description: 'Opaque continuation token: follow @odata.nextLink exactly rather than writing one (§5.1.11). A token issued for another query answers 400 BRIDGE_ERR_SKIPTOKEN_INVALID.', schema: { type: 'string', minLength: 1 } },
  $expand: { description: `Navigation properties to include inline, with nested options in parentheses (§5.1.2): ${ENTITY_SETS.map((s) => `${s.name} → ${s.navigation.map((n) => n.name).join(', ')}`).join('; ')}. At most ${l.maxOptionLength} characters.`, schema: { type: 'string', maxLength: l.maxOptionLength } },
  $apply: { description: `Aggregation (OData Data Aggregation 4.0 §3): filter(…), groupby((properties)[, aggregate(…)]) and aggregate(property with sum|min|max|average|countdistinct as alias, $count as alias), joined by /. At most ${l.maxOptionLength} characters.`, schema: { type: 'string', maxLength: l.maxOptionLength } },
  $format: { description: 'json or application/json, optionally with ;odata.metadata=minimal|full|none and ;IEEE754Compatible=true|false (§5.1.12). Anything else answers 406.', schema: { type: 'string', example: 'application/json;odata.metadata=minimal' } },
  [DAYS_OPTION]: { description: `Feed horizon in days (custom option): Tasks created in the last N days; the window of the Automations and Runners figures. Default ${horizonDays}.`, schema: { type: 'integer', minimum: 1, maximum: l.maxDays, default: horizonDays } }
})

const paramKey = (name: string): string => name.replace(/^\$/, '')

function parameters(options: ODataDocOptions, limits: ParseLimits): Json {
  const docs = OPTION_DOCS(limits, options.horizonDays)
  const params: Json = {}
  for (const name of [...SUPPORTED_OPTIONS, DAYS_OPTION]) {
    const doc = docs[name] ?? { description: `OData system query option ${name} (URL Conventions §5.1).`, schema: { type: 'string', maxLength: limits.maxOptionLength } }
    params[paramKey(name)] = { name, in: 'query', required: false, ...doc }
  }
  params.prefer = {
    name: 'Prefer', in: 'header', required: false,
    description: `odata.maxpagesize=N sets the rows per page (default ${options.pageSize}, at most ${options.maxPageSize}); omit-values=nulls leaves null properties out. Preference-Applied echoes what was honoured.`,
    schema: { type: 'string', example: 'odata.maxpagesize=500' }
  }
  return params
}

function errorResponses(): Json {
  const byStatus = new Map<number, string[]>()
  for (const [code, { status, summary }] of Object.entries(ERROR_CATALOGUE)) {
    byStatus.set(status, [...(byStatus.get(status) ?? []), `${code}: ${summary}`])
  }
  return Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, lines]) => [
    `Error${status}`,
    { description: `OData error body. Codes: ${lines.join(' ')}`, content: json(ref('schemas', 'ODataError')) }
  ]))
}

/** The statuses an OData request can answer with, as response refs. */
function errorRefs(): Json {
  const statuses = [...new Set(Object.values(ERROR_CATALOGUE).map((e) => e.status))].sort((a, b) => a - b)
  return Object.fromEntries(statuses.map((s) => [String(s), ref('responses', `Error${s}`)]))
}

export function odataComponents(options: ODataDocOptions): Json {
  const limits = options.limits ?? DEFAULT_LIMITS
  const detail = { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, target: { type: 'string' } } }
  return {
    schemas: {
      ODataError: {
        type: 'object',
        description: 'Every error answer (OData JSON Format 4.0 §21); match on code. docs/errors.md explains each code.',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) },
              message: { type: 'string' },
              target: { type: 'string', description: 'The query option, header or property concerned.' },
              details: { type: 'array', items: detail }
            }
          }
        }
      },
      ServiceDocument: {
        type: 'object',
        required: ['@odata.context', 'value'],
        properties: {
          '@odata.context': { type: 'string', format: 'uri' },
          value: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, kind: { type: 'string', enum: ['EntitySet'] }, url: { type: 'string' } } } }
        }
      },
      ...Object.fromEntries(ENTITY_SETS.flatMap((set) => [
        [set.typeName, entitySchema(set)],
        [`${set.name}Collection`, {
          type: 'object',
          required: ['value'],
          properties: {
            '@odata.context': { type: 'string', format: 'uri' },
            '@odata.count': { type: 'integer', description: 'With $count=true.' },
            '@odata.nextLink': { type: 'string', format: 'uri', description: 'The next page (server-driven paging); absent on the last page.' },
            value: { type: 'array', items: ref('schemas', set.typeName) }
          }
        }]
      ]))
    },
    parameters: parameters(options, limits),
    responses: errorResponses(),
    securitySchemes: {
      basic: { type: 'http', scheme: 'basic', description: options.auth === 'workspace' ? 'BotCity workspace login as user name, its key as password.' : 'Any user name; a bridge API key (BRIDGE_API_KEYS) as password.' },
      bearer: { type: 'http', scheme: 'bearer', description: 'A bridge API key (BRIDGE_API_KEYS) as bearer token.' },
      apiKey: { type: 'apiKey', in: 'query', name: options.apiKeyParam, description: options.auth === 'workspace' ? 'login:key of the BotCity workspace (Power BI "Web API" credentials).' : 'A bridge API key (Power BI "Web API" credentials); never echoed in nextLink.' }
    }
  }
}

/** Who may read a path behind the feed's authentication (none, a bridge key, a workspace credential). */
export function security(auth: FeedAuth): Json {
  if (auth === 'none') return {}
  return { security: auth === 'workspace' ? [{ basic: [] }, { apiKey: [] }] : [{ basic: [] }, { bearer: [] }, { apiKey: [] }] }
}

/** `params`: names of components/parameters entries, or inline parameter objects. */
function operation(options: ODataDocOptions, summary: string, description: string, params: readonly (string | Json)[], ok: Json, extra: Json = {}): Json {
  return {
    get: {
      tags: ['OData'],
      summary,
      description,
      parameters: params.map((p) => (typeof p === 'string' ? ref('parameters', p) : p)),
      responses: { ...ok, ...extra, ...errorRefs() },
      ...security(options.auth)
    }
  }
}

/** /odata/{EntitySet}…: the paths the resource-path parser serves, per entity set. */
export function odataPaths(options: ODataDocOptions): Json {
  const limits = options.limits ?? DEFAULT_LIMITS
  const common = `The whole query string is at most ${limits.maxQueryLength} characters. Options ${NOT_IMPLEMENTED_OPTIONS.join(', ')} answer 501 BRIDGE_ERR_NOT_IMPLEMENTED. Responses carry OData-Version: 4.0.`
  const all = [...SUPPORTED_OPTIONS.map(paramKey), DAYS_OPTION, 'prefer']
  const paths: Json = {
    '/odata/': operation(options, 'Service document', `The entity sets of the feed (OData JSON Format §5). ${common}`, [], { 200: { description: 'Service document.', content: json(ref('schemas', 'ServiceDocument')) } }),
    '/odata': operation(options, 'Service document (same as /odata/)', 'The feed URL without its trailing slash.', [], { 200: { description: 'Service document.', content: json(ref('schemas', 'ServiceDocument')) } }),
    '/odata/$metadata': operation(options, 'Metadata document', 'The CSDL XML 4.0 document: entity types, keys, navigation and capability annotations; its CSDL JSON form to Accept: application/json (without XML) or $format=json. Both are in the repository\'s metadata/ folder.', [], { 200: { description: 'CSDL XML, or CSDL JSON.', content: { 'application/xml': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object' } } } } })
  }
  for (const set of ENTITY_SETS) {
    const keyProp = set.properties.find((p) => p.name === set.key) as PropertyDef
    const stringKey = keyProp.type === 'Edm.String'
    const keySegment = stringKey ? `('{${set.key}}')` : `({${set.key}})`
    const keyParam: Json = {
      name: set.key, in: 'path', required: true,
      description: stringKey ? `${keyProp.description} Inside the quotes, double any single quote (O''Neil); percent-encode the rest.` : keyProp.description,
      schema: stringKey ? { type: 'string' } : { type: 'integer', format: 'int64' }
    }
    const propertyParam: Json = { name: 'property', in: 'path', required: true, description: 'A property of the entity type.', schema: { type: 'string', enum: set.properties.map((p) => p.name) } }
    const scalarParam: Json = { ...propertyParam, description: 'A single-valued property of the entity type.', schema: { type: 'string', enum: set.properties.filter((p) => p.collection !== true).map((p) => p.name) } }
    const entity = `/odata/${set.name}${keySegment}`
    paths[`/odata/${set.name}`] = operation(options, `${set.name}`, `${set.description} Pages of the server-driven size follow @odata.nextLink. ${common}`, all,
      { 200: { description: `A page of ${set.name}.`, content: json(ref('schemas', `${set.name}Collection`)) } })
    paths[`/odata/${set.name}/$count`] = operation(options, `Number of ${set.name}`, `The number of matching rows as plain text (URL Conventions §4.8). ${common}`, ['filter', 'search', DAYS_OPTION],
      { 200: { description: 'The count.', content: { 'text/plain': { schema: { type: 'integer', minimum: 0 } } } } })
    paths[entity] = operation(options, `One ${set.typeName} by key`, `Searched within the horizon (days). ${common}`, [keyParam, 'select', 'format', DAYS_OPTION],
      { 200: { description: `The ${set.typeName}.`, content: json(ref('schemas', set.typeName)) } })
    paths[`${entity}/{property}`] = operation(options, `One property of a ${set.typeName}`, 'OData JSON Format §11: {"@odata.context", "value"}.', [keyParam, propertyParam, 'format', DAYS_OPTION],
      { 200: { description: 'The property value.', content: json({ type: 'object', properties: { '@odata.context': { type: 'string' }, value: {} } }) } },
      { 204: { description: 'The property is null.' } })
    paths[`${entity}/{property}/$value`] = operation(options, `Raw value of a ${set.typeName} property`, 'URL Conventions §4.6: the value as text/plain.', [keyParam, scalarParam, DAYS_OPTION],
      { 200: { description: 'The raw value.', content: { 'text/plain': { schema: { type: 'string' } } } } },
      { 204: { description: 'The property is null.' } })
  }
  return paths
}
