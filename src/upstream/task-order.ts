// The order /api/v1/insights/tasks lists tasks in. BotCity documents none (its
// example answer says "unsorted"), and every positional rule of the Tasks
// executor — page windows, bisection by date, resuming at pos + Δtotal — needs
// newest first. So it is found out once per upstream, like the page size: does
// the route honour sort=dateCreation,desc (then every read asks for it)? If not,
// which order do its first pages show? The executor checks every page it reads
// against the finding, and a contradiction makes the bridge find out again.
import type { TaskOrderSetting } from '../config.js'
import { isBridgeError } from '../errors.js'
import { DEFAULT_LIMITS } from '../odata/index.js'
import type { UpstreamLogger } from './observability.js'
import type { SpringPage, WireTask } from './wire.js'
import { parseInstant } from './wire-instant.js'

/**
 * The upstream window of every Tasks read: the longest horizon a query may
 * ask for, plus a day for the upstream's undocumented window rule (a calendar
 * rule may keep a day less) and a day for loads that last long. Every query
 * shares one sequence of pages; tasks leave it only in workspaces with over
 * ten years of history (execute/tasks.ts checks).
 */
export const TASK_WINDOW_DAYS = DEFAULT_LIMITS.maxDays + 2

/** The upstream sort that makes the order newest first, where honoured. */
export const NEWEST_FIRST_SORT = 'dateCreation,desc'

/**
 * newest-first: what the positional rules need; oldest-first and unknown: the
 * bridge reads the whole window and orders it itself (execute/tasks.ts).
 */
export type TaskOrder = 'newest-first' | 'oldest-first' | 'unknown'

export interface TaskOrderFinding {
  readonly order: TaskOrder
  /** The route honours sort=dateCreation,desc and every Tasks read sends it. */
  readonly sorted: boolean
  /** How it is known: probed, or set by UPSTREAM_TASK_ORDER. */
  readonly basis: 'probed' | 'configured'
}


/** The finding a fixed setting stands for. */
export function configuredOrder(setting: Exclude<TaskOrderSetting, 'auto'>): TaskOrderFinding {
  switch (setting) {
    case 'newest-first': return { order: 'newest-first', sorted: false, basis: 'configured' }
    case 'oldest-first': return { order: 'oldest-first', sorted: false, basis: 'configured' }
    case 'sorted': return { order: 'newest-first', sorted: true, basis: 'configured' }
    case 'unordered': return { order: 'unknown', sorted: false, basis: 'configured' }
  }
}

function dateOf(task: WireTask): number {
  return parseInstant(task.dateCreation)
}

/**
 * The order rows show by dateCreation: newest-first when no row is newer than
 * the one listed before it, oldest-first when none is older (tasks of one
 * millisecond may list in any order either way); null when every row has the
 * same date (any order fits), unknown when neither holds.
 */
export function orderOf(rows: readonly WireTask[]): TaskOrder | null {
  let newer = false
  let older = false
  for (let i = 1; i < rows.length; i++) {
    const d = dateOf(rows[i] as WireTask) - dateOf(rows[i - 1] as WireTask)
    if (d > 0) newer = true
    else if (d < 0) older = true
  }
  if (newer && older) return 'unknown'
  if (older) return 'newest-first'
  if (newer) return 'oldest-first'
  return null
}

/** The order two runs of rows show apart: the same, or one of them shows none. */
function agreeing(a: TaskOrder | null, b: TaskOrder | null): TaskOrder | null {
  if (a === null) return b
  if (b === null || a === b) return a
  return 'unknown'
}

export interface TaskOrderProbe {
  /** Page `page` of the whole Tasks window, with `sort` when given. */
  (page: number, sort: string | null): Promise<SpringPage<WireTask>>
}

/** Findings per base URL; in-flight probes are shared. */
export type TaskOrderMemory = Map<string, Promise<TaskOrderFinding>>

/**
 * Finds the order (2 or 3 upstream calls): page 0 sorted newest first and
 * oldest first — honoured when each is in its order and they differ; else the
 * route's own order, from its first two pages. An oldest-first list whose
 * first task was created before `leaving` (tasks older leave the window) is
 * taken as no order: tasks leaving its front would slide every position. A workspace whose tasks cannot
 * show an order yet (one task, or all of one millisecond) is answered
 * newest-first, which any order of such rows fits, and asked again next time.
 */
export function probeTaskOrder(read: TaskOrderProbe, key: string, memory: TaskOrderMemory, logger?: UpstreamLogger, leaving = -Infinity): Promise<TaskOrderFinding> {
  const known = memory.get(key)
  if (known !== undefined) return known
  let settled = true
  const finding = (async (): Promise<TaskOrderFinding> => {
    // An upstream that refuses the parameter (a 400) does not honour it.
    const sortedRead = (sort: string): Promise<SpringPage<WireTask> | null> => read(0, sort).catch((err: unknown) => {
      if (isBridgeError(err) && err.code === 'UPSTREAM_ERROR') return null
      throw err
    })
    const desc = await sortedRead(NEWEST_FIRST_SORT)
    const asc = desc === null ? null : await sortedRead('dateCreation,asc')
    const [d0, a0] = [desc?.content[0], asc?.content[0]]
    const fits = (rows: readonly WireTask[] | undefined, wrong: TaskOrder): boolean => rows !== undefined && orderOf(rows) !== wrong && orderOf(rows) !== 'unknown'
    if (fits(desc?.content, 'oldest-first') && fits(asc?.content, 'newest-first') && d0 !== undefined && a0 !== undefined && dateOf(d0) > dateOf(a0)) {
      return { order: 'newest-first', sorted: true, basis: 'probed' }
    }
    // sort is ignored: the answer is page 0 as the route lists it.
    const first = desc ?? await read(0, null)
    const second = first.totalPages > 1 ? await read(1, null) : null
    // Across the two pages only when nothing arrived in between (the same total): new tasks shift a list, and a page
    // read after them can start with rows the first page ended with. Else each page by itself, and they must agree.
    const order = second === null ? orderOf(first.content)
      : second.totalElements === first.totalElements ? orderOf([...first.content, ...second.content])
        : agreeing(orderOf(first.content), orderOf(second.content))
    if (order === null) settled = false
    // Oldest first, with its oldest tasks about to leave the window: positions would slide under a load.
    if (order === 'oldest-first' && first.content[0] !== undefined && dateOf(first.content[0]) < leaving) return { order: 'unknown', sorted: false, basis: 'probed' }
    return { order: order ?? 'newest-first', sorted: false, basis: 'probed' }
  })()
  memory.set(key, finding)
  finding.then((f) => {
    logger?.info({ upstream: key, taskOrder: f.order, sorted: f.sorted }, f.sorted
      ? `upstream honours sort=${NEWEST_FIRST_SORT} on tasks: every Tasks read asks for it`
      : settled ? `upstream ignores sort on tasks and lists them ${f.order === 'unknown' ? 'in no order by date' : f.order}` : 'upstream tasks show no order yet (one task, or all of one millisecond): asked again next time')
    if (!settled) forget(memory, key, finding)
  }, () => forget(memory, key, finding))
  return finding
}

function forget(memory: TaskOrderMemory, key: string, finding: Promise<TaskOrderFinding>): void {
  if (memory.get(key) === finding) memory.delete(key)
}
