// ② What a read will cost, worked out before it runs: upstream page reads
// (each an upstream call unless the page cache holds it; logins, retries and
// pages read ahead for the load's next request are not counted) and upstream
// rows read (what the bridge holds at most). Exact where the plan fixes which
// pages are read (a window in the upstream order); a range whose bounds are
// within 2× where one page more may be needed; otherwise unknown, with what
// makes it known: the first upstream page (it tells how many pages there are)
// or only the read itself (how many tasks a filter or a horizon selects is
// known only by reading them).
import type { Bounds, Estimate, PlanSettings, ReadPlan } from './plan.js'

const exact = (n: number): Bounds => ({ min: n, max: n })

/** Upstream pages holding positions [start, start + n) of a route's order. */
function pagesCovering(start: number, n: number, pageSize: number): number {
  if (n <= 0) return 1
  return Math.floor((start + n - 1) / pageSize) - Math.floor(start / pageSize) + 1
}

/** A range, or unknown when its bounds are more than 2× apart. */
function within2x(min: number, max: number): Bounds | null {
  return max <= 2 * Math.max(min, 1) ? { min, max } : null
}

function unknown(until: 'first-page' | 'read', basis: string): Estimate {
  return { reads: null, rows: null, until, basis }
}

export function estimateRead(plan: Omit<ReadPlan, 'estimate'>, settings: PlanSettings): Estimate {
  const { window, resume, upstreamPageSize: ps, set } = plan
  if (plan.strategy === 'none') return { reads: exact(0), rows: exact(0), basis: 'nothing to read' }
  const residualFree = plan.residual.filter === null && plan.residual.search === null
  if (!set.upstream.paged) return { reads: exact(1), rows: null, basis: `the upstream answers every ${set.typeName.toLowerCase()} in one call` }
  const given = resume?.m === 'scan' ? resume.given : resume?.m === 'offset' ? resume.offset : 0
  const rowsWanted = Math.min(window.pageSize, window.top === null ? Infinity : window.top - given)
  switch (plan.strategy) {
    case 'native-window': {
      if (!residualFree || window.count) {
        return unknown('read', !residualFree ? 'how far the matches of a filter lie in the upstream order is known only by reading' : 'a count reads where the set ends in the upstream order')
      }
      if (resume?.m === 'scan') {
        // A later page: from the cursor; one page more when new tasks shifted it.
        const pages = pagesCovering(resume.cur.pos, rowsWanted, resume.ps)
        const range = within2x(pages, pages + 1)
        return { reads: range, rows: range === null ? null : { min: range.min * resume.ps, max: range.max * resume.ps }, basis: 'the pages of this answer from the load\'s cursor, one more if new tasks shifted it (if the set holds the rows)' }
      }
      const offset = resume?.m === 'offset' ? resume.offset : 0
      const start = window.skip + offset
      // Tasks read page 0 first for the load's snapshot, unless the window jumps past it.
      const pages = pagesCovering(start, rowsWanted, ps) + (set.name === 'Tasks' && !plan.jump && Math.floor(start / ps) > 0 ? 1 : 0)
      return { reads: exact(pages), rows: exact(pages * ps), basis: `the pages rows ${start}–${start + rowsWanted - 1} of the upstream order are on (if the set holds them)` }
    }
    case 'date-window':
      return unknown('read', 'where the newest dateCreation bound falls is found by bisecting pages')
    case 'count':
      return unknown('read', 'a count reads where the set starts and ends in the upstream order (the oldest task is remembered after the first time)')
    case 'lookup':
    case 'full-scan':
      if (set.name !== 'Tasks') return unknown('first-page', `every ${set.typeName.toLowerCase()} the parameters select is read: page 0 tells how many pages there are`)
      return unknown('read', `every task of the last ${plan.horizonDays} days is read (at most ${settings.maxLocalRows}): how many is known only by reading them`)
    case 'held-order':
      return unknown('read', `the tasks of this page are found by reading the load's set again (at most ${settings.maxLocalRows})`)
  }
}

/** An estimate once the first page told the reads: exact. */
export function resolvedEstimate(estimate: Estimate, reads: number, pageSize: number): Estimate {
  return { reads: exact(reads), rows: exact(reads * pageSize), basis: `${estimate.basis}: ${reads}` }
}
