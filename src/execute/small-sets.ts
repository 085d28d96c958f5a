// Automations and Runners: their figures are defined by the upstream window,
// so it is always exactly the feed horizon. Automations come in 20-row pages
// sorted by label; Runners in one array. A key equality in $filter is sent as
// the upstream's automation / runner parameter (the bridge still applies its
// own filter, whatever the upstream's matching rule). A plain $top/$skip in
// label order reads only the pages it needs; anything else reads every row.
import { bridgeError } from '../errors.js'
import { stringEquality } from '../plan/conjuncts.js'
import type { SpringPage, WireAutomation } from '../upstream/wire.js'
import type { ExecContext, ExecResult } from './context.js'
import { applyWindow } from './local-window.js'
import { rowReader } from './read-rows.js'
import type { Row } from '../model/row.js'

interface OffsetState { m: 'offset'; offset: number }

function readOffset(state: unknown): number {
  if (state === null) return 0
  const s = state as Partial<OffsetState>
  if (s.m === 'offset' && typeof s.offset === 'number' && Number.isSafeInteger(s.offset) && s.offset >= 0) return s.offset
  throw bridgeError('BRIDGE_ERR_SKIPTOKEN_INVALID', 'The $skiptoken does not belong to a query of this entity set.', { target: '$skiptoken' })
}

function finish(ctx: ExecContext, all: readonly Row[], offset: number): ExecResult {
  const page = applyWindow(all, ctx.residual, ctx.set.key, { skip: ctx.query.skip ?? 0, top: ctx.query.top, offset, pageSize: ctx.pageSize })
  return {
    rows: ctx.countOnly ? [] : page.rows,
    count: ctx.query.count || ctx.countOnly ? page.matched : null,
    next: page.nextOffset === null || ctx.countOnly ? null : ({ m: 'offset', offset: page.nextOffset } satisfies OffsetState)
  }
}

function inLabelOrder(ctx: ExecContext): boolean {
  const o = ctx.query.orderby
  return o.length === 0 || (o.length === 1 && o[0]?.descending === false && o[0].expr.kind === 'property' && o[0].expr.name === 'label')
}

export async function executeAutomations(ctx: ExecContext): Promise<ExecResult> {
  const offset = readOffset(ctx.state)
  const read = rowReader(ctx.set)
  const label = stringEquality(ctx.query.filter, 'label')
  const params = { filterBy: ctx.horizonDays, ...(label === null ? {} : { automation: label }) }
  const residualFree = ctx.residual.filter === null && ctx.residual.search === null
  if (residualFree && inLabelOrder(ctx) && !ctx.query.count && !ctx.countOnly) {
    // The answer is positions [start, end) of the upstream order: read just those pages.
    const skip = ctx.query.skip ?? 0
    const start = skip + offset
    const top = ctx.query.top
    const wanted = top === null ? start + ctx.pageSize : Math.min(start + ctx.pageSize, skip + top)
    if (wanted <= start) return { rows: [], count: null, next: null }
    const ps = ctx.pageSizeHint
    const firstPage = Math.floor(start / ps)
    const head = (await ctx.access.automationPage(firstPage, params)).value
    if (head.size !== ps) return finish(ctx, (await allAutomations(ctx, params)).map((w) => read(w as unknown as Record<string, unknown>)), offset)
    const end = Math.min(wanted, head.totalElements)
    const rest = end - 1 >= (firstPage + 1) * ps ? await pagesFor(ctx, params, firstPage + 1, Math.floor((end - 1) / ps)) : []
    const rows = [head, ...rest].flatMap((p) => p.content).slice(start - firstPage * ps, end - firstPage * ps)
      .map((w) => read(w as unknown as Record<string, unknown>))
    const more = end < head.totalElements && (top === null || end < skip + top)
    return { rows, count: null, next: more ? ({ m: 'offset', offset: end - skip } satisfies OffsetState) : null }
  }
  return finish(ctx, (await allAutomations(ctx, params)).map((w) => read(w as unknown as Record<string, unknown>)), offset)
}

async function pagesFor(ctx: ExecContext, params: { filterBy: number; automation?: string }, from: number, to: number): Promise<SpringPage<WireAutomation>[]> {
  const out: Promise<SpringPage<WireAutomation>>[] = []
  for (let p = from; p <= to; p++) out.push(ctx.access.automationPage(p, params).then((s) => s.value))
  return Promise.all(out)
}

async function allAutomations(ctx: ExecContext, params: { filterBy: number; automation?: string }): Promise<WireAutomation[]> {
  const first = (await ctx.access.automationPage(0, params)).value
  const rest = first.totalPages > 1 ? await pagesFor(ctx, params, 1, first.totalPages - 1) : []
  const rows = [first, ...rest].flatMap((p) => p.content)
  if (rows.length > ctx.maxLocalRows) {
    throw bridgeError('BRIDGE_ERR_WINDOW_TOO_LARGE', `This query needs more than ${ctx.maxLocalRows} automations in the bridge; filter on label.`, { target: '$filter' })
  }
  return rows
}

export async function executeRunners(ctx: ExecContext): Promise<ExecResult> {
  const offset = readOffset(ctx.state)
  const read = rowReader(ctx.set)
  const id = stringEquality(ctx.query.filter, 'id')
  const { value: wire } = await ctx.access.runners({ filterBy: ctx.horizonDays, ...(id === null ? {} : { runner: id }) })
  return finish(ctx, wire.map((w) => read(w as unknown as Record<string, unknown>)), offset)
}
