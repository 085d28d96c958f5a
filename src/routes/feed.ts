// The HTTP side of a data request: ① parse the query options, negotiate the
// format, read Prefer, decode the $skiptoken; hand the request to ③ the run
// (src/execute/run.ts: ② plan, fetch, ④ evaluate); then ⑤ serialize its
// outcome with nextLink, Preference-Applied, the answer cache and, when asked
// for, the `@bridge.explain` annotation (docs/explain.md).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { bridgeError, isBridgeError } from '../errors.js'
import { costSummary, explain, estimateRatio, totalActual } from '../execute/explain.js'
import type { Actual } from '../execute/meter.js'
import type { HeavyGate } from '../execute/heavy-gate.js'
import type { Explain } from '../execute/explain.js'
import { runRequest } from '../execute/run.js'
import type { Outcome, RunSettings } from '../execute/run.js'
import type { CredentialSource } from '../http/credentials.js'
import { TEXT_PLAIN, negotiateJson, negotiateText, sendJson } from '../http/negotiate.js'
import { carriedPairs, nextLink, queryId } from '../http/next-link.js'
import { maskSecretPairs } from '../http/logging.js'
import { EXPLAIN_ANNOTATION, parsePrefer, preferenceApplied } from '../http/prefer.js'
import type { Preferences } from '../http/prefer.js'
import { recordCost } from '../http/request-cost.js'
import { parseRequestOptions } from '../http/request-query.js'
import type { RequestQuery } from '../http/request-query.js'
import type { CachedAnswer, ResponseCache } from '../http/response-cache.js'
import { sendChunks } from '../http/send-chunks.js'
import type { SkipTokenCodec } from '../http/skiptoken.js'
import { entitySetByName } from '../model/index.js'
import type { EntitySetDef } from '../model/index.js'
import type { QueryOptions, ResourcePath } from '../odata/index.js'
import { collectionPath } from '../plan/planner.js'
import { resumeState } from '../plan/resume.js'
import type { ResumeState } from '../plan/resume.js'
import { jsonFormat } from '../serialize/format.js'
import type { JsonFormat } from '../serialize/format.js'
import { aggregateChunks, collectionChunks, entityPayload, propertyPayload, rawValue } from '../serialize/payload.js'
import type { PayloadOptions } from '../serialize/payload.js'
import type { AccessFactory } from '../upstream/access-client.js'
import type { Credential, CredentialIdOf } from '../upstream/credential.js'
import { clientKind, loadMarkOf, shownQuery } from '../monitor/loads.js'
import type { LoadBook, LoadMark, LoadTicket } from '../monitor/loads.js'

export interface FeedOptions {
  readonly access: AccessFactory
  readonly credentials: CredentialSource
  readonly codec: SkipTokenCodec
  readonly horizonDays: number
  readonly pageSize: number
  readonly maxPageSize: number
  readonly maxLocalRows: number
  readonly maxUpstreamReads: number
  readonly maxExpandRows: number
  /** Bounds concurrent reads that hold a window of Tasks (execute/heavy-gate.ts). */
  readonly heavy?: HeavyGate
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
  /** Told, for each request that read the upstream, actual ÷ estimate of its page reads (null: the estimate was unknown). */
  readonly onEstimate?: (ratio: number | null) => void
  /** Where loads are followed (monitor/loads.ts); absent: not followed. */
  readonly loads?: LoadBook
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

/** The JSON format a text/plain answer stands in (its payload options are never used). */
const TEXT_FORMAT = { ...jsonFormat('none', false), contentType: TEXT_PLAIN }

/** What one request carries from parsing to serializing. */
interface Scope {
  readonly input: ServeInput
  readonly query: QueryOptions
  readonly format: JsonFormat
  readonly prefer: Preferences
  readonly pageSize: number
  /** Preference-Applied of a collection answer. */
  readonly applied: string | null
  /** The query's id (path, carried pairs, credential): what its $skiptoken is bound to. */
  readonly id: string
  readonly pairs: readonly string[]
  /** The workspace credential it reads with. */
  readonly credential: Credential
  /** The load this request belongs to (null: an entity request, which is no load). */
  readonly ticket: LoadTicket | null
}

/** The figures of a request that read nothing (an answer from the answer cache). */
const NO_READS: Actual = { reads: 0, calls: 0, ledger: 0, rows: 0 }

/** A load's query as shown, worked out when asked: it holds the path and pairs, never the request. */
function shown(path: string, pairs: readonly string[], apiKeyParam: string): () => string {
  return () => shownQuery(path, maskSecretPairs(pairs, [apiKeyParam]))
}

/** Rows a request answered, for its load's figures. */
function answeredRows(outcome: Outcome): number {
  switch (outcome.kind) {
    case 'collection':
    case 'aggregate':
      return outcome.rows.length
    case 'entity':
      return 1
    case 'empty':
      return 0
  }
}

export class Feed {
  private readonly settings: RunSettings

  constructor(private readonly options: FeedOptions) {
    this.settings = { horizonDays: options.horizonDays, maxLocalRows: options.maxLocalRows, maxUpstreamReads: options.maxUpstreamReads, maxExpandRows: options.maxExpandRows, concurrency: options.concurrency, prefetch: options.prefetch, ...(options.heavy === undefined ? {} : { heavy: options.heavy }) }
  }

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
    const { request, resource } = input
    // Query options apply to what the path addresses: the navigation target for Automations('x')/Tasks.
    const set = resource.kind === 'navigation' ? entitySetByName(resource.nav.target) : resource.set
    const query = parseRequestOptions(set, input.query)
    const credential = this.options.credentials.resolve(request)
    // /$count and /$value are text/plain; everything else is OData JSON.
    const text = (resource.kind === 'collection' && resource.count) || (resource.kind === 'entity' && resource.value)
    if (text) negotiateText(request, query.format)
    const prefer = parsePrefer(request.headers.prefer)
    const pageSize = Math.min(prefer.maxPageSize ?? this.options.pageSize, this.options.maxPageSize)
    const pairs = carriedPairs(input.query.pairs, [this.options.apiKeyParam])
    const credentialId = this.options.credentialId(credential)
    const id = resource.kind === 'entity' ? '' : queryId(collectionPath(resource), pairs, credentialId)
    // The load a collection request belongs to: its $skiptoken says which (and how far it has come).
    const token = resource.kind === 'entity' || query.skiptoken === null ? null : this.options.codec.decode(id, query.skiptoken)
    const resume = token === null ? null : resumeState(token)
    const ticket = resource.kind === 'entity' ? null : this.options.loads?.begin({
      mark: loadMarkOf(token),
      set: set.name,
      query: shown(request.url.split('?', 1)[0] ?? '', pairs, this.options.apiKeyParam),
      client: clientKind(request.headers['user-agent']),
      credential: credentialId
    }) ?? null
    const s: Scope = {
      input,
      query,
      format: text ? TEXT_FORMAT : negotiateJson(request, query.format),
      prefer,
      pageSize,
      applied: preferenceApplied(prefer.maxPageSize === null ? null : pageSize, prefer.omitNulls, prefer.explain),
      id,
      pairs,
      credential,
      ticket
    }
    try {
      return await this.answer(s, resume)
    } catch (err) {
      const left: unknown = input.signal.aborted ? input.signal.reason : null
      ticket?.failed(isBridgeError(err) ? err.statusCode : 500, isBridgeError(err) ? err.code : 'BRIDGE_ERR_INTERNAL', isBridgeError(left) && left.code === 'BRIDGE_ERR_CLIENT_CLOSED')
      throw err
    }
  }

  private async answer(s: Scope, resume: ResumeState | null): Promise<unknown> {
    const { reply, resource } = s.input
    const { query, prefer, pageSize } = s
    const set = resource.kind === 'navigation' ? entitySetByName(resource.nav.target) : resource.set
    // A whole answer served again while fresh (an explained one is always worked out: its figures are this request's).
    const answerKey = resource.kind === 'entity' || prefer.explain ? null : `${s.id} ${query.skiptoken ?? ''} ${s.format.contentType} ${pageSize} ${prefer.omitNulls} ${s.input.root}`
    const cached = answerKey === null ? undefined : this.options.responses?.get(answerKey)
    if (cached !== undefined) {
      if (cached.rows > 0) this.options.onRows?.(set.name, cached.rows)
      if (cached.preferenceApplied !== null) reply.header('preference-applied', cached.preferenceApplied)
      return reply.header('content-type', cached.contentType).send(this.again(s, cached))
    }
    const { outcome, reads, load } = await runRequest({
      resource, query, pageSize, resume, now: this.options.now(), access: this.options.access(s.credential, s.input.signal), signal: s.input.signal,
      ...(s.ticket === null ? {} : { onRead: s.ticket.onRead })
    }, this.settings)
    if (reads.length > 0) {
      const cost = costSummary(reads)
      recordCost(reply, { plan: reads.map((r) => `${r.plan.set.name}:${r.plan.strategy}`).join(' '), estimate: cost.estimate.reads, actual: cost.actual })
      this.options.onEstimate?.(estimateRatio(cost))
    }
    const next = outcome.kind === 'collection' || outcome.kind === 'aggregate' ? outcome.next : null
    const mark = s.ticket?.answered(answeredRows(outcome), totalActual(reads), next !== null, load) ?? null
    return this.send(s, outcome, prefer.explain ? explain(reads) : null, answerKey, mark)
  }

  /**
   * A cached answer sent again as a page of this request's load: its nextLink
   * gets a token of its own, carrying this load's mark (the cached one
   * carries the load that first asked).
   */
  private again(s: Scope, cached: CachedAnswer): Buffer {
    const mark = s.ticket?.answered(cached.rows, NO_READS, cached.next !== null, null) ?? null
    const { next } = cached
    if (next === null || this.options.responses == null) return cached.body
    const { body, done } = this.options.responses.again({ ...cached, next }, this.options.codec.mark(s.id, next.sealed, mark))
    // Given back once the answer has left (or its client has): the bytes are then no longer read.
    s.input.reply.raw.once('close', done)
    return body
  }

  private payload(s: Scope, set: EntitySetDef): PayloadOptions {
    const base = { root: s.input.root, format: s.format, omitNulls: s.prefer.omitNulls }
    return {
      ...base,
      set,
      select: s.query.select,
      expand: (s.query.expand ?? []).map((e) => ({ name: e.nav.name, options: { ...base, set: e.target, select: e.options?.select ?? null } }))
    }
  }

  private send(s: Scope, outcome: Outcome, explained: Explain | null, answerKey: string | null, mark: LoadMark | null): FastifyReply {
    const { reply } = s.input
    const annotation = explained === null ? {} : { [`@${EXPLAIN_ANNOTATION}`]: explained }
    // Text answers have no place for an annotation: it travels in a header.
    const explainHeader = (): void => { if (explained !== null) reply.header(EXPLAIN_ANNOTATION.replace('.', '-'), JSON.stringify(explained)) }
    switch (outcome.kind) {
      case 'empty':
        explainHeader()
        return reply.code(204).send()
      case 'entity': {
        this.options.onRows?.(outcome.set.name, 1)
        const payload = this.payload(s, outcome.set)
        if (outcome.property === null) return sendJson(reply, s.format, { ...entityPayload(payload, outcome.row, outcome.expanded), ...annotation })
        const v = outcome.row[outcome.property.name] ?? null
        if (v === null) {
          explainHeader()
          return reply.code(204).send()
        }
        if (outcome.value) {
          explainHeader()
          return reply.header('content-type', TEXT_PLAIN).send(rawValue(outcome.property, v))
        }
        return sendJson(reply, s.format, { ...propertyPayload(payload, outcome.key, outcome.property, outcome.row), ...annotation })
      }
      default:
        break
    }
    if (s.applied !== null) reply.header('preference-applied', s.applied)
    // The nextLink's token, and where it sits in a cached answer (another load's page gets a token of its own).
    const sent: { token: { readonly sealed: string; readonly text: string } | null } = { token: null }
    const link = (path: string, next: ResumeState | null): string | null => {
      if (next === null) return null
      const sealed = this.options.codec.encode(s.id, next)
      sent.token = { sealed, text: this.options.codec.mark(s.id, sealed, mark) }
      return nextLink(s.input.root, path, s.pairs, sent.token.text)
    }
    const keep = (contentType: string, body: Buffer, rows: number): void => {
      if (answerKey === null) return
      const t = sent.token
      const at = t === null ? -1 : body.indexOf(t.text)
      if (t !== null && at < 0) return
      this.options.responses?.set(answerKey, { contentType, body, preferenceApplied: s.applied, rows, next: t === null ? null : { sealed: t.sealed, at, length: Buffer.byteLength(t.text) } })
    }
    const answer = (contentType: string, pieces: Iterable<string>, rows = 0): FastifyReply =>
      sendChunks(reply, contentType, pieces, answerKey === null ? 0 : this.options.responses?.maxEntryBytes ?? 0, (body) => keep(contentType, body, rows))
    const trailer = explained === null ? {} : { trailer: () => annotation }
    if (outcome.kind === 'aggregate') {
      return answer(s.format.contentType, aggregateChunks(this.payload(s, outcome.set), outcome.columns, { rows: outcome.rows, count: outcome.count, nextLink: link(outcome.path, outcome.next), ...trailer }))
    }
    if (outcome.countOnly) {
      explainHeader()
      return answer(TEXT_PLAIN, [String(outcome.count ?? 0)])
    }
    this.options.onRows?.(outcome.set.name, outcome.rows.length)
    return answer(s.format.contentType, collectionChunks(this.payload(s, outcome.set), {
      rows: outcome.rows,
      count: outcome.count,
      nextLink: link(outcome.path, outcome.next),
      ...(outcome.expanded === undefined ? {} : { expanded: outcome.expanded }),
      ...trailer
    }), outcome.rows.length)
  }
}
