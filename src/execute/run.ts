// ③ One data request, run: the planner plans it (src/plan), each read runs on
// the executor of its upstream route, reads that depend on rows already read
// (a navigation's target, $expand, a "not found" message) are planned once
// those rows are known, and every read is metered against its estimate. No
// HTTP here: the caller (src/routes/feed.ts) serializes the outcome.
import { bridgeError } from '../errors.js'
import { compileFilter, compileOrderBy, compileSearch } from '../evaluate/index.js'
import type { AggregateColumn } from '../evaluate/aggregate.js'
import type { EntitySetDef, PropertyDef, UpstreamRoute } from '../model/index.js'
import { entitySetByName } from '../model/index.js'
import type { Row } from '../model/row.js'
import { DEFAULT_LIMITS } from '../odata/index.js'
import type { ExpandItem } from '../odata/index.js'
import { estimateLoadRows, estimateRead, estimateRestReads } from '../plan/estimate.js'
import type { Bounds, Estimate, PlanSettings, ReadPlan, RequestPlan, UpstreamFacts } from '../plan/plan.js'
import { planExpand, planNavigationTarget, planNewestTask, planRequest } from '../plan/planner.js'
import type { RequestInput } from '../plan/planner.js'
import { expectResume } from '../plan/resume.js'
import type { ResumeState } from '../plan/resume.js'
import type { ExpandedValues } from '../serialize/payload.js'
import type { UpstreamAccess } from '../upstream/access.js'
import { aggregatePage } from './apply.js'
import { tooCostly } from './budget.js'
import { HeavyGate } from './heavy-gate.js'
import type { ExecContext, ExecResult } from './context.js'
import { expandPage } from './expand.js'
import type { RowTests } from './local-window.js'
import { meteredAccess } from './meter.js'
import type { ReadRecord } from './meter.js'
import { executeListedSet, executePagedSet } from './small-sets.js'
import { executeTasks } from './tasks.js'

export interface RunSettings extends PlanSettings {
  /** Upstream pages read at once for a credential. */
  readonly concurrency: number
  /** Whether pages behind a nextLink are read ahead into the page cache. */
  readonly prefetch: boolean
  /** Bounds the reads that hold a window of Tasks in the bridge (absent: unbounded). */
  readonly heavy?: HeavyGate
}

export interface RunInput extends RequestInput {
  readonly access: UpstreamAccess
  /** Aborted when the client leaves (a read waiting at the heavy gate gives its place up). */
  readonly signal?: AbortSignal
  /** Told each read as it starts: its `actual` grows while it runs (the monitor's live figures). */
  readonly onRead?: (record: ReadRecord) => void
}

/** What a whole load (this request and the nextLinks after it) costs, as the plan of this request's main read estimates it. */
export interface LoadEstimate {
  /** Rows the load answers, from its first page; null: not known without reading. */
  readonly rows: Bounds | null
  /** Upstream page reads from this request's start to the load's end; null: unknown. */
  readonly restReads: Bounds | null
}

/** What the request answers, for the HTTP layer to serialize. */
export type Outcome =
  | { readonly kind: 'collection'; readonly set: EntitySetDef; readonly path: string; readonly countOnly: boolean; readonly rows: readonly Row[]; readonly count: number | null; readonly next: ResumeState | null; readonly expanded?: ExpandedValues[] }
  | { readonly kind: 'aggregate'; readonly set: EntitySetDef; readonly path: string; readonly columns: readonly AggregateColumn[]; readonly rows: readonly Row[]; readonly count: number | null; readonly next: ResumeState | null }
  | { readonly kind: 'entity'; readonly set: EntitySetDef; readonly key: string | number; readonly row: Row; readonly property: PropertyDef | null; readonly value: boolean; readonly expanded?: ExpandedValues }
  /** A single-valued navigation whose source relates to nothing (204). */
  | { readonly kind: 'empty' }

export interface RunResult {
  readonly outcome: Outcome
  /** Every read the request made, in order, with its plan, estimate and actual cost. */
  readonly reads: readonly ReadRecord[]
  /** A collection or $apply answer's load, as estimated once the request has read (null: other answers). */
  readonly load: LoadEstimate | null
}

/** Each upstream route's executor. */
const EXECUTORS: Record<UpstreamRoute, (ctx: ExecContext) => Promise<ExecResult>> = {
  tasks: executeTasks,
  automation: executePagedSet,
  runners: executeListedSet
}

/** The plan's residual $filter, $search and $orderby, compiled (now(): the instant given). */
function compileResidual(plan: ReadPlan, now: number): RowTests {
  const { filter, search, orderby } = plan.residual
  return {
    filter: filter === null ? null : compileFilter(filter, { now }),
    search: search === null ? null : compileSearch(search, plan.set),
    compare: orderby.length === 0 ? null : compileOrderBy(orderby, { now, target: '$orderby' })
  }
}

export async function runRequest(input: RunInput, settings: RunSettings): Promise<RunResult> {
  const run = new RequestRun(input, settings)
  const outcome = await run.outcome()
  return { outcome, reads: run.reads, load: run.loadEstimate() }
}

class RequestRun {
  readonly reads: ReadRecord[] = []
  /** Upstream page reads started by this request, across its reads. */
  private spent = 0
  /** Pages this request asked to read ahead. */
  private readAhead = 0
  /** The read a collection or $apply answer comes from, and the facts it was planned with. */
  private main: { plan: ReadPlan; facts: UpstreamFacts } | null = null
  constructor(private readonly input: RunInput, private readonly settings: RunSettings) {}

  /** What is known of the upstream routes of `sets` (their page sizes and the Tasks order, probed once per upstream). */
  private async facts(...sets: EntitySetDef[]): Promise<UpstreamFacts> {
    const routes = [...new Set(sets.filter((s) => s.upstream.paged).map((s) => s.upstream.route as 'tasks' | 'automation'))]
    const { access } = this.input
    const sizes = await Promise.all(routes.map(async (r) => [r, await access.pageSize(r)] as const))
    // Before any page of tasks is used for an answer: the order they are listed in.
    const taskOrder = routes.includes('tasks') ? await access.taskOrder() : undefined
    return { pageSize: Object.fromEntries(sizes), upstreamNow: access.upstreamNow(), total: (route, params) => access.total(route, params), orderMarks: access.orderMarks(), ...(taskOrder === undefined ? {} : { taskOrder }) }
  }

  /** Runs a read planned with `facts`; an estimate unknown until the first page is worked out again once that page tells the route's total. */
  private async read(plan: ReadPlan, facts: UpstreamFacts, now = this.input.now): Promise<ExecResult> {
    const gate = this.settings.heavy
    const leave = gate !== undefined && HeavyGate.holds(plan) ? await gate.enter(this.input.signal) : null
    try {
      return await this.readNow(plan, facts, now)
    } finally {
      leave?.()
    }
  }

  private readNow(plan: ReadPlan, facts: UpstreamFacts, now: number): Promise<ExecResult> {
    const record: ReadRecord = { plan, resolved: null, actual: { reads: 0, calls: 0, ledger: 0, rows: 0 } }
    this.reads.push(record)
    this.input.onRead?.(record)
    // The request's budget (execute/budget.ts): refused before the first call when the plan knows it needs more.
    const budget = this.settings.maxUpstreamReads
    const before = this.spent
    const over = (estimate: Estimate): boolean => estimate.reads !== null && before + estimate.reads.min > budget
    if (over(plan.estimate)) return Promise.reject(tooCostly(plan, budget, before, plan.estimate))
    const first = (total: number): void => {
      if (plan.estimate.until !== 'first-page') return
      const { access } = this.input
      const resolved = estimateRead(plan, { ...facts, upstreamNow: access.upstreamNow(), orderMarks: access.orderMarks() }, { total })
      record.resolved = resolved
      if (over(resolved)) throw tooCostly(plan, budget, before, resolved)
    }
    const spend = (): void => {
      if (this.spent >= budget) throw tooCostly(plan, budget, this.spent, null)
      this.spent++
    }
    // Pages read ahead are calls too: with the reads, never more than the budget.
    const mayReadAhead = (): boolean => {
      if (this.spent + this.readAhead >= budget) return false
      this.readAhead++
      return true
    }
    return EXECUTORS[plan.set.upstream.route]({
      plan,
      access: meteredAccess(this.input.access, record.actual, first, spend, mayReadAhead),
      residual: compileResidual(plan, now),
      concurrency: this.settings.concurrency,
      maxLocalRows: this.settings.maxLocalRows,
      prefetch: this.settings.prefetch
    })
  }

  async outcome(): Promise<Outcome> {
    const facts = await this.facts(this.input.resource.set)
    return this.runPlan(planRequest(this.input, this.settings, facts), facts)
  }

  /** Runs a request's plan, made with `facts`. */
  private async runPlan(plan: RequestPlan, facts: UpstreamFacts): Promise<Outcome> {
    switch (plan.kind) {
      case 'collection': {
        const { set, window } = plan.read
        this.main = { plan: plan.read, facts }
        const result = await this.read(plan.read, facts)
        if (window.countOnly) return { kind: 'collection', set, path: plan.path, countOnly: true, rows: [], count: result.count ?? 0, next: null }
        const expanded = plan.expand.length > 0 ? await this.expand(result.rows, plan.expand) : undefined
        return { kind: 'collection', set, path: plan.path, countOnly: false, rows: result.rows, count: result.count, next: result.next, ...(expanded === undefined ? {} : { expanded }) }
      }
      case 'aggregate': {
        this.main = { plan: plan.read, facts }
        const read = await this.read(plan.read, facts, plan.aggregate.at)
        if (read.next !== null) {
          throw bridgeError('BRIDGE_ERR_WINDOW_TOO_LARGE', `This $apply needs more than ${this.settings.maxLocalRows} rows aggregated in the bridge; add a filter(dateCreation ge …) step or a shorter days=N.`, { target: '$apply' })
        }
        const { columns, result } = await aggregatePage(read.rows, plan.aggregate, expectResume(this.input.resume, 'apply'))
        return { kind: 'aggregate', set: plan.read.set, path: plan.path, columns, rows: result.rows, count: result.count, next: result.next }
      }
      case 'entity': {
        const row = await this.find(plan.read, facts, plan.key)
        const expanded = plan.property === null && plan.expand.length > 0 ? (await this.expand([row], plan.expand))[0] : undefined
        return { kind: 'entity', set: plan.read.set, key: plan.key, row, property: plan.property, value: plan.value, ...(expanded === undefined ? {} : { expanded }) }
      }
      case 'navigation': {
        const source = await this.find(plan.source, facts, plan.key)
        const from = source[plan.nav.via.from] ?? null
        if (!plan.nav.collection && from === null) return { kind: 'empty' }
        const targetFacts = await this.facts(plan.target)
        return this.runPlan(planNavigationTarget(plan, from, this.input, this.settings, targetFacts), targetFacts)
      }
    }
  }

  /** The load of the main read, with what the upstream showed meanwhile (totals, order marks, BotCity's clock). */
  loadEstimate(): LoadEstimate | null {
    if (this.main === null) return null
    const { access } = this.input
    const facts = { ...this.main.facts, upstreamNow: access.upstreamNow(), orderMarks: access.orderMarks() }
    return { rows: estimateLoadRows(this.main.plan, facts), restReads: estimateRestReads(this.main.plan, facts) }
  }

  /** The entity a lookup read finds, or a "not found" error that says what can help. */
  private async find(plan: ReadPlan, facts: UpstreamFacts, key: string | number): Promise<Row> {
    const row = (await this.read(plan, facts)).rows[0]
    if (row === undefined) throw bridgeError('BRIDGE_ERR_NOT_FOUND', await this.notFound(plan, key), { target: plan.set.key })
    return row
  }

  /**
   * Why an entity was not found, suggesting only what can help: a longer horizon
   * can find an older task (task ids grow with time), never a task newer than the
   * newest, nor an automation or runner (they are listed whatever the horizon).
   */
  private async notFound(plan: ReadPlan, key: string | number): Promise<string> {
    const { set, horizonDays: days } = plan
    const what = `${set.typeName} ${JSON.stringify(key).slice(0, 100)}`
    if (set.name !== 'Tasks') return `${what} does not exist in this workspace: the key is case-sensitive; list them with /odata/${set.name}?$select=${set.key}.`
    const tasks = entitySetByName('Tasks')
    const facts = await this.facts(tasks)
    const newest = (await this.read(planNewestTask(days, this.settings, facts), facts)).rows[0]
    const newestId = newest?.[set.key]
    if (typeof newestId !== 'number' || (key as number) > newestId) return `No task has the id ${what.slice(set.typeName.length + 1)}: the newest task's id is ${String(newestId ?? 'none')}.`
    if (days >= DEFAULT_LIMITS.maxDays) return `${what} is not among the tasks of the last ${days} days, the longest horizon.`
    return `${what} is not among the tasks of the last ${days} days: if it is older, add days=N to the URL (up to ${DEFAULT_LIMITS.maxDays}).`
  }

  private expand(rows: readonly Row[], items: readonly ExpandItem[]): Promise<ExpandedValues[]> {
    const { query } = this.input
    return expandPage(rows, items, {
      read: async (item, values) => {
        const facts = await this.facts(item.target)
        return this.read(planExpand(item, values, query.days, this.settings, facts), facts)
      },
      maxRows: this.settings.maxExpandRows
    }, this.input.now)
  }
}
