// What one request may cost the upstream: REQUEST_MAX_UPSTREAM_READS page reads
// across all its reads (pages from the cache count: they stand for calls a
// colder cache makes; pages read ahead for the next request are not its reads,
// but are read only while the bound still covers them: run.ts). A read
// whose plan already needs more is refused before its first call; one whose
// cost shows only while reading stops at the bound. Either way a 400 that says
// what the query would cost and how to narrow it.
import { bridgeError } from '../errors.js'
import type { Estimate, ReadPlan } from '../plan/plan.js'

/** How to ask for less of a read like this one. */
function narrowing(plan: ReadPlan): string {
  if (plan.strategy === 'whole-read') {
    return 'BotCity lists tasks in no order the bridge can page by, so every Tasks query reads all of them: ask whoever runs the bridge to raise REQUEST_MAX_UPSTREAM_READS.'
  }
  if (plan.set.name === 'Tasks') {
    return 'Narrow it: a dateCreation filter (e.g. $filter=dateCreation ge 2026-01-01T00:00:00Z), a shorter horizon (days=N), or order by dateCreation desc, which BotCity does itself; or ask whoever runs the bridge to raise REQUEST_MAX_UPSTREAM_READS.'
  }
  return 'Narrow it with a shorter horizon (days=N) or a filter on its key, or ask whoever runs the bridge to raise REQUEST_MAX_UPSTREAM_READS.'
}

function target(plan: ReadPlan): { target?: string } {
  if (plan.residual.orderby.length > 0) return { target: '$orderby' }
  if (plan.residual.filter !== null) return { target: '$filter' }
  if (plan.residual.search !== null) return { target: '$search' }
  return {}
}

/** The request's reads so far and the bound; `estimate`: what the plan says it needs (null: found out while reading). */
export function tooCostly(plan: ReadPlan, budget: number, spent: number, estimate: Estimate | null): Error {
  const cost = estimate === null || estimate.reads === null
    ? `This request read ${budget} pages of BotCity Insights ${plan.set.name}, the most one request may read (REQUEST_MAX_UPSTREAM_READS), and needed more (${plan.reason}).`
    : `This request would read at least ${spent + estimate.reads.min} pages of BotCity Insights (${plan.set.name}: ${estimate.basis}); one request may read ${budget} (REQUEST_MAX_UPSTREAM_READS), so nothing more was read.`
  return bridgeError('BRIDGE_ERR_QUERY_TOO_COSTLY', `${cost} ${narrowing(plan)}`, target(plan))
}
