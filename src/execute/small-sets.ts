// Automations and Runners: their figures are defined by the upstream window,
// so it is always exactly the feed horizon. A paged set (Automations) comes in
// pages in the order the plan asked for; an unpaged one (Runners) in one
// array. The plan's upstream parameters carry the window, any sort, and any
// filter parameter the model declares (the bridge still applies its own
// filter after them, whatever the upstream's matching rule). A native window
// reads only the pages its rows are on; anything else reads every row.
import { bridgeError } from '../errors.js'
import { expectResume } from '../plan/resume.js'
import type { OffsetResume } from '../plan/resume.js'
import type { PagedRoute } from '../upstream/client.js'
import type { SpringPage } from '../upstream/wire.js'
import type { ExecContext, ExecResult } from './context.js'
import { applyWindow } from './local-window.js'
import { rowReader } from './read-rows.js'
import type { Row } from '../model/row.js'

function finish(ctx: ExecContext, all: readonly Row[], offset: number): ExecResult {
  const { window, set } = ctx.plan
  const page = applyWindow(all, ctx.residual, set.key, { skip: window.skip, top: window.top, offset, pageSize: window.pageSize })
  return {
    rows: window.countOnly ? [] : page.rows,
    count: window.count || window.countOnly ? page.matched : null,
    next: page.nextOffset === null || window.countOnly ? null : ({ m: 'offset', offset: page.nextOffset } satisfies OffsetResume)
  }
}

const wireRows = (ctx: ExecContext, wire: readonly unknown[]): Row[] => {
  const read = rowReader(ctx.plan.set)
  return wire.map((w) => read(w as Record<string, unknown>))
}

/** A set the upstream pages (Automations). */
export async function executePagedSet(ctx: ExecContext): Promise<ExecResult> {
  const { plan } = ctx
  const offset = expectResume(plan.resume, 'offset')?.offset ?? 0
  const route = plan.upstream.route as PagedRoute
  if (plan.strategy === 'none') return { rows: [], count: null, next: null }
  if (plan.strategy !== 'native-window') return finish(ctx, wireRows(ctx, await allRows(ctx, route)), offset)
  // The answer is positions [start, end) of the upstream order: read just those pages.
  const { skip, top, pageSize } = plan.window
  const start = skip + offset
  const wanted = top === null ? start + pageSize : Math.min(start + pageSize, skip + top)
  if (wanted <= start) return { rows: [], count: null, next: null }
  const ps = plan.upstreamPageSize
  const firstPage = Math.floor(start / ps)
  const head = (await ctx.access.page<unknown>(route, firstPage, plan.upstream.params)).value
  if (head.size !== ps) return finish(ctx, wireRows(ctx, await allRows(ctx, route)), offset)
  const end = Math.min(wanted, head.totalElements)
  const rest = end - 1 >= (firstPage + 1) * ps ? await pagesFor(ctx, route, firstPage + 1, Math.floor((end - 1) / ps)) : []
  const rows = wireRows(ctx, [head, ...rest].flatMap((p) => p.content).slice(start - firstPage * ps, end - firstPage * ps))
  const more = end < head.totalElements && (top === null || end < skip + top)
  return { rows, count: null, next: more ? ({ m: 'offset', offset: end - skip } satisfies OffsetResume) : null }
}

async function pagesFor(ctx: ExecContext, route: PagedRoute, from: number, to: number): Promise<SpringPage<unknown>[]> {
  const out: Promise<SpringPage<unknown>>[] = []
  for (let p = from; p <= to; p++) out.push(ctx.access.page<unknown>(route, p, ctx.plan.upstream.params).then((s) => s.value))
  return Promise.all(out)
}

/** Every row the plan's parameters select: page 0 tells how many pages there are. */
async function allRows(ctx: ExecContext, route: PagedRoute): Promise<unknown[]> {
  const first = (await ctx.access.page<unknown>(route, 0, ctx.plan.upstream.params)).value
  const rest = first.totalPages > 1 ? await pagesFor(ctx, route, 1, first.totalPages - 1) : []
  const rows = [first, ...rest].flatMap((p) => p.content)
  if (rows.length > ctx.maxLocalRows) {
    const set = ctx.plan.set
    const filterable = Object.keys(set.upstream.filterParams)
    throw bridgeError('BRIDGE_ERR_WINDOW_TOO_LARGE', `This query needs more than ${ctx.maxLocalRows} ${set.name.toLowerCase()} in the bridge${filterable.length === 0 ? '' : `; filter on ${filterable.join(' or ')}`}.`, { target: '$filter' })
  }
  return rows
}

/** A set the upstream answers in one array (Runners). */
export async function executeListedSet(ctx: ExecContext): Promise<ExecResult> {
  const { plan } = ctx
  const offset = expectResume(plan.resume, 'offset')?.offset ?? 0
  if (plan.strategy === 'none') return { rows: [], count: null, next: null }
  const { value: wire } = await ctx.access.list<unknown>('runners', plan.upstream.params)
  return finish(ctx, wireRows(ctx, wire), offset)
}
