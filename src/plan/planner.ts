// ② The planner: from the parsed request, what the model declares the
// upstream can do (src/model/entity-sets.ts, `upstream`) and what was learned
// of it at run time (UpstreamFacts), the typed plan of every read — strategy,
// upstream parameters, the residual left to the bridge, and its cost. It reads
// nothing and runs nothing: teaching the bridge a new upstream sort field or
// filter parameter is an edit of the model.
import { bridgeError } from '../errors.js'
import type { EntitySetDef, PropertyDef, UpstreamRoute } from '../model/index.js'
import { entitySetByName, property } from '../model/index.js'
import { allOf, equals, includes, keyEquals, literal, oneOf } from '../odata/index.js'
import { NEWEST_FIRST_SORT, TASK_WINDOW_DAYS, configuredOrder } from '../upstream/task-order.js'
import type { TaskOrderFinding } from '../upstream/task-order.js'
import type { ExpandItem, Expr, OrderByItem, QueryOptions, ResourcePath } from '../odata/index.js'
import type { RowValue } from '../model/row.js'
import { keySegment } from '../serialize/payload.js'
import { instantRange, stringEquality } from './conjuncts.js'
import { estimateRead, setEndOf } from './estimate.js'
import type { AggregatePlan, PlanSettings, ReadPlan, RequestPlan, Residual, Strategy, UpstreamFacts, UpstreamParams, Window } from './plan.js'
import { expectResume } from './resume.js'
import type { ResumeState } from './resume.js'

/** The documented upstream page size, until the route has told its own. */
export const DOCUMENTED_PAGE_SIZE = 20

export { TASK_WINDOW_DAYS } from '../upstream/task-order.js'

/** No query options: every row, in the upstream order. */
export const EMPTY_QUERY: QueryOptions = { filter: null, orderby: [], select: null, top: null, skip: null, count: false, search: null, skiptoken: null, format: null, days: null, apply: null, expand: null }

/** What a read is asked for, beyond its query options. */
export interface ReadRequest {
  readonly set: EntitySetDef
  readonly query: QueryOptions
  /** Rows per answer at most. */
  readonly pageSize: number
  /** /$count. */
  readonly countOnly?: boolean
  readonly resume?: ResumeState | null
  /** Every row it selects, to join or aggregate (ReadPlan.whole). */
  readonly whole?: boolean
}

function pageSizeOf(facts: UpstreamFacts, route: UpstreamRoute): number {
  return facts.pageSize[route] ?? DOCUMENTED_PAGE_SIZE
}

/** Whether `$orderby` is the order the upstream lists rows in without being asked. */
function isNativeOrder(set: EntitySetDef, orderby: readonly OrderByItem[]): boolean {
  if (orderby.length === 0) return true
  const native = set.upstream.nativeOrder
  return orderby.length === native.length && orderby.every((item, i) =>
    item.expr.kind === 'property' && item.expr.name === native[i]?.property && item.descending === native[i]?.descending)
}

/**
 * The upstream `sort` parameter that yields `$orderby` exactly, if any: one
 * item on a property the model declares sortable, which is the key — a
 * unique value, so the upstream's order has no ties to break its own way.
 */
function pushedSort(set: EntitySetDef, orderby: readonly OrderByItem[]): string | null {
  const [only] = orderby
  if (orderby.length !== 1 || only === undefined || only.expr.kind !== 'property' || only.expr.name !== set.key) return null
  const field = set.upstream.sort[only.expr.name]
  return field === undefined ? null : `${field},${only.descending ? 'desc' : 'asc'}`
}

/** The upstream filter parameters the filter's equalities fill (the bridge applies its own filter after them). */
function filterParams(set: EntitySetDef, filter: Expr | null): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, param] of Object.entries(set.upstream.filterParams)) {
    const value = stringEquality(filter, name)
    if (value !== null) out[param] = value
  }
  return out
}

function windowOf(request: ReadRequest): Window {
  const { query } = request
  return { skip: query.skip ?? 0, top: query.top, pageSize: request.pageSize, count: query.count, countOnly: request.countOnly === true }
}

interface Draft {
  readonly strategy: Strategy
  readonly reason: string
  readonly params: UpstreamParams
  readonly residual: Residual
  readonly range?: { readonly from: number | null; readonly to: number | null }
  readonly jump?: boolean
}

/** The order assumed until one is found: what BotCity's own pages have shown so far. */
const NEWEST_FIRST: TaskOrderFinding = configuredOrder('newest-first')

function planTasks(request: ReadRequest, window: Window, resume: ResumeState | null, order: TaskOrderFinding): Draft {
  const { query, set } = request
  // Where the route honours it, every read asks for the order the rules below rest on.
  const params = { [set.upstream.windowParam]: TASK_WINDOW_DAYS, ...(order.sorted ? { sort: NEWEST_FIRST_SORT } : {}) }
  // Bounds on the property the upstream orders by choose the pages to read.
  const range = instantRange(query.filter, set.upstream.nativeOrder[0]?.property ?? '')
  const bounds = { from: range.from, to: range.to }
  const residualFree = range.absorbed && query.search === null
  const residual: Residual = { filter: range.absorbed ? null : query.filter, search: query.search, orderby: [] }
  const local: Residual = { ...residual, orderby: query.orderby }
  const wantCount = window.countOnly || window.count
  const native = isNativeOrder(set, query.orderby)
  const state = expectResume(resume, 'scan', 'local')
  if (state !== null && (state.s.listed !== undefined) !== (order.order === 'oldest-first') && (state.m === 'scan' || order.order !== 'unknown')) {
    throw bridgeError('BRIDGE_ERR_SKIPTOKEN_INVALID', 'BotCity Insights no longer lists tasks in the order this paged load started in; restart the refresh.', { target: '$skiptoken' })
  }
  const listed = order.sorted ? `newest first (asked: sort=${NEWEST_FIRST_SORT})` : order.order === 'oldest-first' ? 'oldest first (read back from the end of the list)' : 'newest first'
  if (order.order === 'unknown') {
    if (state?.m === 'scan') {
      throw bridgeError('BRIDGE_ERR_SKIPTOKEN_INVALID', 'BotCity Insights no longer lists tasks in the order this paged load started in; restart the refresh.', { target: '$skiptoken' })
    }
    if (state === null && query.top === 0 && !wantCount) return { strategy: 'none', reason: '$top=0', params, residual }
    return { strategy: 'whole-read', reason: 'BotCity lists tasks in no order by date: every page of its window is read, de-duplicated by id and ordered in the bridge', params, residual: local, range: bounds }
  }
  if (state?.m === 'local') {
    return state.o === undefined
      ? { strategy: 'full-scan', reason: 'a later page of a load filtered or sorted in the bridge', params, residual: local, range: bounds }
      : { strategy: 'held-order', reason: 'a later page of a load sorted in the bridge: its order is held', params, residual: local, range: bounds }
  }
  if (state === null && query.top === 0 && !wantCount) return { strategy: 'none', reason: '$top=0', params, residual }
  if (state === null && window.countOnly && residualFree) return { strategy: 'count', reason: 'counted by where the set starts and ends in the upstream order', params, residual, range: bounds }
  if (state === null && (!native || (wantCount && !residualFree))) {
    const why = !native ? `the upstream lists tasks ${listed} only` : 'a count of what the bridge filters needs the whole set'
    return { strategy: 'full-scan', reason: why, params, residual: local, range: bounds }
  }
  const jump = state === null && residualFree && !wantCount && range.to === null && window.skip > 0
  if (range.to !== null) return { strategy: 'date-window', reason: `the upstream lists tasks ${listed}: the newest dateCreation bound is found by bisection`, params, residual, range: bounds }
  return { strategy: 'native-window', reason: jump ? `the upstream lists tasks ${listed}: $skip jumps to its page` : `the upstream lists tasks ${listed}`, params, residual, range: bounds, jump }
}

/** Automations and Runners: the window defines their figures, so it is exactly the horizon. */
function planSmallSet(request: ReadRequest, window: Window, resume: ResumeState | null): Draft {
  const { query, set } = request
  expectResume(resume, 'offset')
  const lookup = filterParams(set, query.filter)
  const base = { [set.upstream.windowParam]: query.days as number, ...lookup }
  const residual: Residual = { filter: query.filter, search: query.search, orderby: query.orderby }
  if (resume === null && query.top === 0 && !window.count && !window.countOnly) return { strategy: 'none', reason: '$top=0', params: base, residual }
  const residualFree = query.filter === null && query.search === null
  if (set.upstream.paged && residualFree && !window.count && !window.countOnly) {
    if (isNativeOrder(set, query.orderby)) return { strategy: 'native-window', reason: `the upstream lists ${set.name} by ${set.upstream.nativeOrder.map((o) => o.property).join(', ')}`, params: base, residual: { ...residual, orderby: [] } }
    const sort = pushedSort(set, query.orderby)
    if (sort !== null) return { strategy: 'native-window', reason: `the upstream sorts by ${sort}`, params: { ...base, sort }, residual: { ...residual, orderby: [] } }
  }
  const narrowed = Object.keys(lookup).length > 0
  const why = !set.upstream.paged ? `the upstream answers every ${set.typeName.toLowerCase()} at once`
    : residualFree ? 'the upstream cannot give this order or count' : 'the bridge filters'
  return narrowed
    ? { strategy: 'lookup', reason: `${Object.entries(lookup).map(([k, v]) => `${k}=${v}`).join(', ')} narrows the read; ${why}`, params: base, residual }
    : { strategy: 'full-scan', reason: why, params: base, residual }
}

/** Plans one read of an entity set. */
export function planRead(request: ReadRequest, settings: PlanSettings, facts: UpstreamFacts): ReadPlan {
  const { set } = request
  const days = request.query.days ?? settings.horizonDays
  const query = { ...request.query, days }
  const window = windowOf({ ...request, query })
  const resume = request.resume ?? null
  const order = facts.taskOrder ?? NEWEST_FIRST
  const draft = set.name === 'Tasks' ? planTasks({ ...request, query }, window, resume, order) : planSmallSet({ ...request, query }, window, resume)
  const upstreamPageSize = pageSizeOf(facts, set.upstream.route)
  const draftPlan = {
    set,
    strategy: draft.strategy,
    reason: draft.reason,
    upstream: { route: set.upstream.route, params: draft.params },
    upstreamPageSize,
    whole: request.whole === true,
    listing: set.name === 'Tasks' ? order.order : 'newest-first',
    horizonDays: days,
    range: draft.range ?? { from: null, to: null },
    jump: draft.jump ?? false,
    residual: draft.residual,
    window,
    resume
  }
  return { ...draftPlan, setEnd: setEndOf(draftPlan, facts), estimate: estimateRead(draftPlan, facts) }
}

export interface RequestInput {
  readonly resource: Extract<ResourcePath, { kind: 'collection' | 'entity' | 'navigation' }>
  readonly query: QueryOptions
  /** Rows per answer at most. */
  readonly pageSize: number
  readonly resume: ResumeState | null
  /** Now (epoch ms): the instant a grouping $apply's load starts. */
  readonly now: number
}

/** The path a collection's nextLink continues (and its $skiptoken is bound to): `Tasks`, `Tasks/$count`, `Automations('x')/Tasks`. */
export function collectionPath(resource: RequestInput['resource']): string {
  if (resource.kind === 'navigation') return `${keySegment(resource.set, resource.key)}/${resource.nav.name}`
  return resource.set.name + (resource.kind === 'collection' && resource.count ? '/$count' : '')
}

/** The read that finds one entity by its key (the collection machinery, one row). */
export function planLookup(set: EntitySetDef, key: string | number, query: QueryOptions, settings: PlanSettings, facts: UpstreamFacts): ReadPlan {
  const q: QueryOptions = { ...EMPTY_QUERY, days: query.days, filter: keyEquals(set, key), top: 1 }
  return planRead({ set, query: q, pageSize: 1 }, settings, facts)
}

export function planRequest(input: RequestInput, settings: PlanSettings, facts: UpstreamFacts): RequestPlan {
  const { resource, query } = input
  if (resource.kind === 'entity') {
    return { kind: 'entity', read: planLookup(resource.set, resource.key, query, settings, facts), key: resource.key, property: resource.property, value: resource.value, expand: query.expand ?? [] }
  }
  if (resource.kind === 'navigation') {
    const target = entitySetByName(resource.nav.target)
    return { kind: 'navigation', source: planLookup(resource.set, resource.key, query, settings, facts), key: resource.key, nav: resource.nav, target, query, path: collectionPath(resource) }
  }
  return planCollection({ set: resource.set, path: collectionPath(resource), query, countOnly: resource.count, restrict: null }, input, settings, facts)
}

interface CollectionInput {
  readonly set: EntitySetDef
  readonly path: string
  readonly query: QueryOptions
  readonly countOnly: boolean
  /** A filter the path adds (a navigation's relation). */
  readonly restrict: Expr | null
}

function planCollection(c: CollectionInput, input: Pick<RequestInput, 'pageSize' | 'resume' | 'now'>, settings: PlanSettings, facts: UpstreamFacts): RequestPlan {
  const steps = c.query.apply ?? []
  let query: QueryOptions = { ...c.query, filter: allOf(c.restrict, c.query.filter) }
  if (steps.every((s) => s.kind === 'filter')) {
    // filter() steps alone select entities: the same as $filter (Data Aggregation 4.0 §3.3).
    query = { ...query, apply: null, filter: allOf(...steps.map((s) => (s as Extract<typeof s, { kind: 'filter' }>).expr), query.filter) }
    return { kind: 'collection', path: c.path, read: planRead({ set: c.set, query, pageSize: input.pageSize, countOnly: c.countOnly, resume: input.resume }, settings, facts), expand: query.expand ?? [] }
  }
  if (c.countOnly || c.restrict !== null) throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', 'A grouping $apply is supported on the entity sets themselves, with $count=true rather than /$count.', { target: '$apply' })
  if ((query.expand ?? []).length > 0) throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', '$expand together with a grouping $apply is not supported.', { target: '$expand' })
  if (query.filter !== null || query.search !== null || query.select !== null) {
    throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', 'With a groupby or aggregate in $apply, put filters inside $apply (filter(…)/groupby(…)); $filter, $search and $select on the aggregated result are not supported.', { target: '$apply' })
  }
  const state = expectResume(input.resume, 'apply')
  const first = steps.findIndex((s) => s.kind !== 'filter')
  const leading = allOf(...steps.slice(0, first).map((s) => (s as Extract<typeof s, { kind: 'filter' }>).expr))
  // The rows to aggregate: every row its leading filter() steps select (dateCreation bounds still choose the window), read whole.
  const inner: QueryOptions = { ...EMPTY_QUERY, days: query.days, filter: leading }
  const aggregate: AggregatePlan = {
    steps,
    orderby: query.applyOrderBy ?? [],
    window: { skip: query.skip ?? 0, top: query.top, pageSize: input.pageSize, count: query.count, countOnly: false },
    at: state?.T ?? input.now
  }
  return { kind: 'aggregate', path: c.path, read: planRead({ set: c.set, query: inner, pageSize: settings.maxLocalRows, whole: true }, settings, facts), aggregate }
}

/**
 * The target rows related to a source value: `to eq v`, `any` over a
 * collection `to`, or `to in (…)` when the source value is a collection.
 */
export function relationFilter(target: EntitySetDef, toName: string, from: RowValue): Expr {
  const to = property(target, toName) as PropertyDef
  if (Array.isArray(from)) return oneOf(to, from as string[])
  if (from === null) return literal(false)
  return to.collection === true ? includes(to, from as string | number) : equals(to, from as string | number)
}

/** A navigation's target, once the source entity's value is known: a collection narrowed by the relation, or one entity by key. */
export function planNavigationTarget(plan: Extract<RequestPlan, { kind: 'navigation' }>, from: RowValue, input: Pick<RequestInput, 'pageSize' | 'resume' | 'now'>, settings: PlanSettings, facts: UpstreamFacts): RequestPlan {
  const { nav, target, query } = plan
  if (!nav.collection) {
    return { kind: 'entity', read: planLookup(target, from as string | number, query, settings, facts), key: from as string | number, property: null, value: false, expand: query.expand ?? [] }
  }
  return planCollection({ set: target, path: plan.path, query, countOnly: false, restrict: relationFilter(target, nav.via.to, from) }, input, settings, facts)
}

/**
 * The read behind one $expand item for a page of source rows: the target set
 * over the same horizon, narrowed by the nested $filter and, when the page
 * relates to one value only, by that value (so Automations('x')/… sends
 * automation=x upstream). Everything it matches is read, to be joined.
 */
export function planExpand(item: ExpandItem, sourceValues: ReadonlySet<string | number>, days: number | null, settings: PlanSettings, facts: UpstreamFacts): ReadPlan {
  const nested = item.options ?? EMPTY_QUERY
  const to = property(item.target, item.nav.via.to) as PropertyDef
  const only = sourceValues.size === 1 && to.collection !== true ? equals(to, [...sourceValues][0] as string | number) : null
  const query: QueryOptions = { ...EMPTY_QUERY, days, filter: allOf(only, nested.filter), search: nested.search }
  return planRead({ set: item.target, query, pageSize: settings.maxExpandRows, whole: true }, settings, facts)
}

/** The newest task of a horizon: what a "not found" message for a task id compares with. */
export function planNewestTask(days: number | null, settings: PlanSettings, facts: UpstreamFacts): ReadPlan {
  return planRead({ set: entitySetByName('Tasks'), query: { ...EMPTY_QUERY, days, top: 1 }, pageSize: 1 }, settings, facts)
}

