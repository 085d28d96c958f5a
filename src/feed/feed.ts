// The flow of one data request: ① parse → ② plan (per entity set) → ③ fetch
// (executors over UpstreamAccess) → ④ evaluate residual work → ⑤ serialize.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { bridgeError, isBridgeError } from '../errors.js'
import { negotiateJson, sendJson } from '../http/negotiate.js'
import { parsePrefer, preferenceApplied } from '../http/prefer.js'
import type { EntitySetDef } from '../model/index.js'
import type { Expr, QueryOptions } from '../odata/ast.js'
import { executeApply, leadingFilter } from './apply.js'
import type { ResourcePath } from '../routes/resource-path.js'
import { aggregatePayload, collectionPayload, entityPayload, propertyPayload, rawValue } from '../serialize/payload.js'
import type { PayloadOptions } from '../serialize/payload.js'
import { credentialId } from '../upstream/credential.js'
import type { CredentialSource } from './credentials.js'
import type { ExecContext, ExecResult } from './exec-context.js'
import { carriedPairs, nextLink, queryId } from './next-link.js'
import { keyFilter, parseRequest, residualOf } from './query.js'
import type { SkipTokenCodec } from './skiptoken.js'
import { executeAutomations, executeRunners } from './small-sets.js'
import { executeTasks } from './tasks.js'
import type { AccessFactory } from './upstream-access-client.js'

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
  readonly resource: Extract<ResourcePath, { kind: 'collection' | 'entity' }>
  readonly rawQuery: string
  readonly root: string
}

/** The documented upstream page size; each executor corrects it from the first response. */
const UPSTREAM_PAGE_SIZE = 20

const EXECUTORS: Record<EntitySetDef['name'], (ctx: ExecContext) => Promise<ExecResult>> = {
  Tasks: executeTasks,
  Automations: executeAutomations,
  Runners: executeRunners
}

export class Feed {
  constructor(private readonly options: FeedOptions) {}

  async serve(input: ServeInput): Promise<unknown> {
    try {
      return await this.serveOrThrow(input)
    } catch (err) {
      if (this.options.credentials.clientSupplied && isBridgeError(err) && err.code === 'UPSTREAM_CREDENTIALS_REJECTED') {
        throw bridgeError('BRIDGE_ERR_UNAUTHORIZED', 'BotCity rejected this workspace login or key: sign in again with the login (user name) and key (password) from the Developer Environment page of the Orchestrator.', { cause: err })
      }
      throw err
    }
  }

  private async serveOrThrow(input: ServeInput): Promise<unknown> {
    const { request, reply, resource, rawQuery, root } = input
    const { set } = resource
    const { apiKeyParam } = this.options
    const parsed = parseRequest(set, rawQuery, apiKeyParam)
    const credential = this.options.credentials.resolve(request, parsed.apiKey)
    const format = negotiateJson(request, parsed.format)
    const prefer = parsePrefer(request.headers.prefer)
    const pageSize = Math.min(prefer.maxPageSize ?? this.options.pageSize, this.options.maxPageSize)
    const applied = preferenceApplied(prefer.maxPageSize === null ? null : pageSize, prefer.omitNulls)
    if (applied !== null) reply.header('preference-applied', applied)
    const payload: PayloadOptions = { root, set, format, select: parsed.query.select, omitNulls: prefer.omitNulls }
    const now = this.options.now()
    const access = this.options.access(credential)

    if (resource.kind === 'entity') {
      const query: QueryOptions = { ...parsed.query, filter: keyFilter(set, resource.key), orderby: [], top: 1, skip: null, count: false, search: null, skiptoken: null }
      const result = await EXECUTORS[set.name](this.context(set, access, query, now, null, 1, false))
      const row = result.rows[0]
      if (row === undefined) {
        throw bridgeError('BRIDGE_ERR_NOT_FOUND', `${set.typeName} ${JSON.stringify(resource.key)} was not found in the last ${parsed.query.days ?? this.options.horizonDays} days.`, { target: set.key })
      }
      this.options.onRows?.(set.name, 1)
      if (resource.property === null) return sendJson(reply, format, entityPayload(payload, row))
      const value = row[resource.property.name] ?? null
      if (value === null) return reply.code(204).send()
      if (resource.value) return reply.type('text/plain; charset=utf-8').send(rawValue(resource.property, value))
      return sendJson(reply, format, propertyPayload(payload, resource.key, resource.property, row))
    }

    const pairs = carriedPairs(rawQuery, [apiKeyParam])
    const id = queryId(set.name + (resource.count ? '/$count' : ''), pairs, credentialId(credential))
    const state = parsed.query.skiptoken === null ? null : this.options.codec.decode(id, parsed.query.skiptoken)
    const steps = parsed.query.apply ?? []
    let query = parsed.query
    if (steps.length > 0 && steps.every((s) => s.kind === 'filter')) {
      // filter() steps alone select entities: the same as $filter (Data Aggregation 4.0 §3.3).
      const applied = leadingFilter(steps) as Expr
      query = { ...query, apply: null, filter: query.filter === null ? applied : { kind: 'and', left: applied, right: query.filter } }
    } else if (steps.length > 0) {
      if (resource.count) throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', '/$count with a grouping $apply is not supported; use $count=true.', { target: '$apply' })
      const ctx = this.context(set, access, query, now, state, pageSize, false)
      const { columns, result } = await executeApply({
        ctx,
        steps,
        orderbyText: query.applyOrderBy ?? null,
        run: EXECUTORS[set.name],
        inner: (q, t) => this.context(set, access, q, t, null, this.options.maxLocalRows, false)
      })
      const link = result.next === null ? null : nextLink(root, set.name, pairs, this.options.codec.encode(id, result.next))
      return sendJson(reply, format, aggregatePayload(payload, columns, { rows: result.rows, count: result.count, nextLink: link }))
    }
    const result = await EXECUTORS[set.name](this.context(set, access, query, now, state, pageSize, resource.count))
    if (resource.count) return reply.type('text/plain; charset=utf-8').send(String(result.count ?? 0))
    this.options.onRows?.(set.name, result.rows.length)
    const link = result.next === null ? null : nextLink(root, set.name, pairs, this.options.codec.encode(id, result.next))
    return sendJson(reply, format, collectionPayload(payload, { rows: result.rows, count: result.count, nextLink: link }))
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
