// The flow of one data request: ① parse → ② plan (per entity set) → ③ fetch
// (executors over UpstreamAccess) → ④ evaluate residual work → ⑤ serialize.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { bridgeError, isBridgeError } from '../errors.js'
import { TEXT_PLAIN, negotiateJson, negotiateText, sendJson } from '../http/negotiate.js'
import { jsonFormat } from '../serialize/format.js'
import { sendChunks } from '../http/send-chunks.js'
import type { JsonFormat } from '../serialize/format.js'
import { parsePrefer, preferenceApplied } from '../http/prefer.js'
import type { Preferences } from '../http/prefer.js'
import { entitySetByName, property } from '../model/index.js'
import { DEFAULT_LIMITS } from '../odata/limits.js'
import type { EntitySetDef, PropertyDef } from '../model/index.js'
import type { Expr, QueryOptions } from '../odata/ast.js'
import { allOf, equals, includes, keyEquals, literal, oneOf } from '../odata/build.js'
import { executeApply, leadingFilter } from '../execute/apply.js'
import type { ResourcePath } from '../odata/resource-path.js'
import { aggregateChunks, collectionChunks, entityPayload, keySegment, propertyPayload, rawValue } from '../serialize/payload.js'
import type { PayloadOptions } from '../serialize/payload.js'
import type { CredentialIdOf } from '../upstream/credential.js'
import type { CredentialSource } from '../http/credentials.js'
import type { ExecContext, ExecResult } from '../execute/context.js'
import { expandPage } from '../execute/expand.js'
import type { ExpandedValues } from '../serialize/payload.js'
import type { Row, RowValue } from '../model/row.js'
import type { UpstreamAccess } from '../upstream/access.js'
import { carriedPairs, nextLink, queryId } from '../http/next-link.js'
import { parseRequest, residualOf } from './query.js'
import type { ResponseCache } from '../http/response-cache.js'
import type { RequestQuery } from '../http/request-query.js'
import type { SkipTokenCodec } from '../http/skiptoken.js'
import { executeAutomations, executeRunners } from '../execute/small-sets.js'
import { executeTasks } from '../execute/tasks.js'
import type { AccessFactory } from '../upstream/access-client.js'

export interface FeedOptions {
  readonly access: AccessFactory
  readonly credentials: CredentialSource
  readonly codec: SkipTokenCodec
  readonly horizonDays: number
  readonly pageSize: number
  readonly maxPageSize: number
  readonly maxLocalRows: number
  readonly concurrency: number
  readonly now: () => number
  /** The keyed id of a credential (src/keys.ts): what a $skiptoken is bound to. */
  readonly credentialId: CredentialIdOf
  /** Finished answers kept for warm repeats (null: none). */
  readonly responses?: ResponseCache | null
  /** Whether upstream pages behind a nextLink are read ahead into the page cache. */
  readonly prefetch: boolean
  /** Query parameter carrying a Web API key (never echoed in nextLink). */
  readonly apiKeyParam: string
  /** Told the rows each response writes (metrics). */
  readonly onRows?: (set: EntitySetDef['name'], rows: number) => void
}

export interface ServeInput {
  readonly request: FastifyRequest
  readonly reply: FastifyReply
  readonly resource: Extract<ResourcePath, { kind: 'collection' | 'entity' | 'navigation' }>
  readonly query: RequestQuery
  readonly root: string
  /** Aborts when the client leaves before its answer is whole, or the request's deadline passes. */
  readonly signal: AbortSignal
}

/** The documented upstream page size; each executor corrects it from the first response. */
const UPSTREAM_PAGE_SIZE = 20

/** What one request carries through the flow. */
interface RequestScope {
  readonly input: ServeInput
  /** The entity set the query options apply to. */
  readonly set: EntitySetDef
  readonly query: QueryOptions
  readonly format: JsonFormat
  readonly prefer: Preferences
  readonly now: number
  readonly access: UpstreamAccess
  readonly credentialId: string
}

/** The JSON format a text/plain answer stands in (its payload options are never used). */
const TEXT_FORMAT = { ...jsonFormat('none', false), contentType: TEXT_PLAIN }

const NO_OPTIONS: QueryOptions = { filter: null, orderby: [], select: null, top: null, skip: null, count: false, search: null, skiptoken: null, format: null, days: null }

/**
 * The target rows related to a source value: `to eq v`, `any` over a
 * collection `to`, or `to in (…)` when the source value is a collection.
 */
function relationFilter(target: EntitySetDef, toName: string, from: RowValue): Expr {
  const to = property(target, toName) as PropertyDef
  if (Array.isArray(from)) return oneOf(to, from as string[])
  if (from === null) return literal(false)
  return to.collection === true ? includes(to, from as string | number) : equals(to, from as string | number)
}

/** Each set's executor, told the upstream page size of its route (learned once by the access layer). */
const EXECUTORS: Record<EntitySetDef['name'], (ctx: ExecContext) => Promise<ExecResult>> = {
  Tasks: async (ctx) => executeTasks({ ...ctx, pageSizeHint: await ctx.access.pageSize('tasks') }),
  Automations: async (ctx) => executeAutomations({ ...ctx, pageSizeHint: await ctx.access.pageSize('automation') }),
  Runners: executeRunners
}

export class Feed {
  constructor(private readonly options: FeedOptions) {}

  async serve(input: ServeInput): Promise<unknown> {
    return this.mapRejection(() => this.serveOrThrow(input))
  }

  private async mapRejection<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (err) {
      if (this.options.credentials.clientSupplied && isBridgeError(err) && err.code === 'UPSTREAM_CREDENTIALS_REJECTED') {
        throw bridgeError('BRIDGE_ERR_UNAUTHORIZED', 'BotCity rejected this workspace login or key: sign in again with the login (user name) and key (password) from the Developer Environment page of the Orchestrator.', { cause: err })
      }
      throw err
    }
  }

  private async serveOrThrow(input: ServeInput): Promise<unknown> {
    const { request, resource, query } = input
    // Query options apply to what the path addresses: the navigation target for Automations('x')/Tasks.
    const set = resource.kind === 'navigation' ? entitySetByName(resource.nav.target) : resource.set
    const parsed = parseRequest(set, query)
    const credential = this.options.credentials.resolve(request)
    // /$count and /$value are text/plain; everything else is OData JSON.
    const text = (resource.kind === 'collection' && resource.count) || (resource.kind === 'entity' && resource.value)
    if (text) negotiateText(request, parsed.query.format)
    const r: RequestScope = {
      input,
      set,
      query: parsed.query,
      format: text ? TEXT_FORMAT : negotiateJson(request, parsed.query.format),
      prefer: parsePrefer(request.headers.prefer),
      now: this.options.now(),
      access: this.options.access(credential, input.signal),
      credentialId: this.options.credentialId(credential)
    }
    if (resource.kind === 'entity') return this.serveEntity(r, resource.set, resource.key, resource.property, resource.value)
    if (resource.kind === 'collection') return this.serveCollection(r, resource.set.name, null, resource.count)
    // Navigation: find the source entity, then serve the related entity or collection.
    const source = await this.findEntity(r, resource.set, resource.key, { ...NO_OPTIONS, days: r.query.days })
    const { nav } = resource
    const from = source[nav.via.from] ?? null
    if (!nav.collection) {
      if (from === null) return r.input.reply.code(204).send()
      return this.serveEntity(r, set, from as string | number, null, false)
    }
    return this.serveCollection(r, `${keySegment(resource.set, resource.key)}/${nav.name}`, relationFilter(set, nav.via.to, from), false)
  }

  private payload(r: RequestScope, select: readonly string[] | null): PayloadOptions {
    const base = { root: r.input.root, format: r.format, omitNulls: r.prefer.omitNulls }
    return {
      ...base,
      set: r.set,
      select,
      expand: (r.query.expand ?? []).map((e) => ({ name: e.nav.name, options: { ...base, set: e.target, select: e.options?.select ?? null } }))
    }
  }

  private async findEntity(r: RequestScope, set: EntitySetDef, key: string | number, query: QueryOptions): Promise<Row> {
    const q: QueryOptions = { ...query, filter: keyEquals(set, key), orderby: [], top: 1, skip: null, count: false, search: null, skiptoken: null, apply: null }
    const result = await EXECUTORS[set.name](this.context(set, r.access, q, r.now, null, 1, false))
    const row = result.rows[0]
    if (row === undefined) throw bridgeError('BRIDGE_ERR_NOT_FOUND', await this.notFound(r, set, key, query.days ?? this.options.horizonDays), { target: set.key })
    return row
  }

  /**
   * Why an entity was not found, suggesting only what can help: a longer horizon
   * can find an older task (task ids grow with time), never a task newer than the
   * newest, nor an automation or runner (they are listed whatever the horizon).
   */
  private async notFound(r: RequestScope, set: EntitySetDef, key: string | number, days: number): Promise<string> {
    const what = `${set.typeName} ${JSON.stringify(key).slice(0, 100)}`
    if (set.name !== 'Tasks') return `${what} does not exist in this workspace: the key is case-sensitive; list them with /odata/${set.name}?$select=${set.key}.`
    const newest = (await EXECUTORS.Tasks(this.context(set, r.access, { ...NO_OPTIONS, top: 1, days }, r.now, null, 1, false))).rows[0]
    const newestId = newest?.[set.key]
    if (typeof newestId !== 'number' || (key as number) > newestId) return `No task has the id ${what.slice(set.typeName.length + 1)}: the newest task's id is ${String(newestId ?? 'none')}.`
    if (days >= DEFAULT_LIMITS.maxDays) return `${what} is not among the tasks of the last ${days} days, the longest horizon.`
    return `${what} is not among the tasks of the last ${days} days: if it is older, add days=N to the URL (up to ${DEFAULT_LIMITS.maxDays}).`
  }

  private async serveEntity(r: RequestScope, set: EntitySetDef, key: string | number, prop: PropertyDef | null, value: boolean): Promise<unknown> {
    const { reply } = r.input
    const row = await this.findEntity(r, set, key, r.query)
    this.options.onRows?.(set.name, 1)
    const payload = this.payload({ ...r, set }, r.query.select)
    if (prop === null) {
      const expanded = (r.query.expand ?? []).length > 0 ? (await this.expand(r, set, [row]))[0] : undefined
      return sendJson(reply, r.format, entityPayload(payload, row, expanded))
    }
    const v = row[prop.name] ?? null
    if (v === null) return reply.code(204).send()
    if (value) return reply.header('content-type', TEXT_PLAIN).send(rawValue(prop, v))
    return sendJson(reply, r.format, propertyPayload(payload, key, prop, row))
  }

  private expand(r: RequestScope, set: EntitySetDef, rows: readonly Row[]): Promise<ExpandedValues[]> {
    return expandPage(set, rows, r.query.expand ?? [], {
      run: (ctx) => EXECUTORS[ctx.set.name](ctx),
      inner: (target, q) => this.context(target, r.access, { ...q, days: r.query.days }, r.now, null, this.options.maxLocalRows, false),
      maxLocalRows: this.options.maxLocalRows
    }, r.now)
  }

  private async serveCollection(r: RequestScope, path: string, restrict: Expr | null, countOnly: boolean): Promise<unknown> {
    const { reply, query: requestQuery, root } = r.input
    const { set } = r
    const pageSize = Math.min(r.prefer.maxPageSize ?? this.options.pageSize, this.options.maxPageSize)
    const applied = preferenceApplied(r.prefer.maxPageSize === null ? null : pageSize, r.prefer.omitNulls)
    if (applied !== null) reply.header('preference-applied', applied)
    const pairs = carriedPairs(requestQuery.pairs, [this.options.apiKeyParam])
    const id = queryId(path + (countOnly ? '/$count' : ''), pairs, r.credentialId)
    const answerKey = `${id} ${r.query.skiptoken ?? ''} ${r.format.contentType} ${pageSize} ${r.prefer.omitNulls} ${root}`
    const cached = this.options.responses?.get(answerKey)
    if (cached !== undefined) {
      if (cached.rows > 0) this.options.onRows?.(set.name, cached.rows)
      if (cached.preferenceApplied !== null) reply.header('preference-applied', cached.preferenceApplied)
      return reply.header('content-type', cached.contentType).send(cached.body)
    }
    const answer = (contentType: string, pieces: Iterable<string>, rows = 0): FastifyReply =>
      sendChunks(reply, contentType, pieces, (body) => this.options.responses?.set(answerKey, { contentType, body, preferenceApplied: applied, rows }))
    const state = r.query.skiptoken === null ? null : this.options.codec.decode(id, r.query.skiptoken)
    const payload = this.payload(r, r.query.select)
    const steps = r.query.apply ?? []
    let query: QueryOptions = restrict === null ? r.query : { ...r.query, filter: allOf(restrict, r.query.filter) }
    if (steps.length > 0 && steps.every((s) => s.kind === 'filter')) {
      // filter() steps alone select entities: the same as $filter (Data Aggregation 4.0 §3.3).
      query = { ...query, apply: null, filter: allOf(leadingFilter(steps), query.filter) }
    } else if (steps.length > 0) {
      if (countOnly || restrict !== null) throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', 'A grouping $apply is supported on the entity sets themselves, with $count=true rather than /$count.', { target: '$apply' })
      if ((query.expand ?? []).length > 0) throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', '$expand together with a grouping $apply is not supported.', { target: '$expand' })
      const { columns, result } = await executeApply({
        ctx: this.context(set, r.access, query, r.now, state, pageSize, false),
        steps,
        run: EXECUTORS[set.name],
        inner: (q, t) => this.context(set, r.access, q, t, null, this.options.maxLocalRows, false)
      })
      const link = result.next === null ? null : nextLink(root, path, pairs, this.options.codec.encode(id, result.next))
      return answer(r.format.contentType, aggregateChunks(payload, columns, { rows: result.rows, count: result.count, nextLink: link }))
    }
    const result = await EXECUTORS[set.name](this.context(set, r.access, query, r.now, state, pageSize, countOnly))
    if (countOnly) return answer(TEXT_PLAIN, [String(result.count ?? 0)])
    this.options.onRows?.(set.name, result.rows.length)
    const expanded = (query.expand ?? []).length > 0 ? await this.expand(r, set, result.rows) : undefined
    const link = result.next === null ? null : nextLink(root, path, pairs, this.options.codec.encode(id, result.next))
    return answer(r.format.contentType, collectionChunks(payload, { rows: result.rows, count: result.count, nextLink: link, ...(expanded === undefined ? {} : { expanded }) }), result.rows.length)
  }

  private context(set: EntitySetDef, access: ExecContext['access'], query: QueryOptions, now: number, state: unknown, pageSize: number, countOnly: boolean): ExecContext {
    return {
      set,
      access,
      query,
      residual: residualOf(set, query, now),
      horizonDays: query.days ?? this.options.horizonDays,
      now,
      state,
      pageSize,
      concurrency: this.options.concurrency,
      maxLocalRows: this.options.maxLocalRows,
      countOnly,
      pageSizeHint: UPSTREAM_PAGE_SIZE,
      prefetch: this.options.prefetch
    }
  }
}
