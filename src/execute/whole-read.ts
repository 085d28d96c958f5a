// Tasks when BotCity lists them in no order by date the bridge can page by (by
// id, where ids are not given in creation order, or any other): no position
// means anything across reads, so the bridge reads every page of the upstream
// window and keeps each task once.
//
// Which tasks: those listed at one moment — the moment the first batch of pages
// was read, when the upstream listed `listed` tasks. New tasks may land
// anywhere in such a list, pushing the tasks after them down; tasks only leave
// it after ten years (below). Pages are read in batches of UPSTREAM_CONCURRENCY,
// each read again (in a smaller batch, down to one page) until all its pages
// say the same totalElements — read while no task arrived — and no fewer than
// the batch before (a page from the cache may be older than it): each batch
// shows the list as it stood after the one before. A task
// listed at the moment is then read: while it is not in a batch's pages, it is
// after them, and arrivals only push it further down, into the batches still
// to come, until the list ends. What was read holds those tasks and some that
// arrived since; new tasks are the newest, so the tasks of the moment are the
// `listed` oldest read (tasks of one millisecond: by id). Fewer than that many
// read means tasks left the list: an error, never an answer.
//
// Tasks leave the window only after ten years: where some are that old, one
// leaving as another arrives would hide from the totals, so the whole window
// is read twice, and must show the same tasks.
import { bridgeError } from '../errors.js'
import type { SpringPage, WireTask } from '../upstream/wire.js'
import type { ExecContext } from './context.js'
import type { PageRun } from './page-run.js'
import { dateOf } from './task-scan.js'
import { MS_PER_DAY } from '../odata/civil-date.js'
import { TASK_WINDOW_DAYS } from '../upstream/task-order.js'

/** Reads of the whole window before giving up on an upstream that keeps changing (tasks about to leave it). */
const MAX_ROUNDS = 6

export interface Dated {
  readonly task: WireTask
  readonly date: number
}

/** Oldest first; tasks of one millisecond by id. */
const oldestFirst = (a: Dated, b: Dated): number => a.date - b.date || a.task.id - b.task.id

function changing(): Error {
  return bridgeError('UPSTREAM_UNAVAILABLE', 'Tasks in BotCity Insights changed too fast to read them all at one moment; retry the refresh.')
}

/** The tasks of the upstream window at one moment, each once, oldest first. */
export async function readWindow(ctx: ExecContext, run: PageRun<WireTask>): Promise<Dated[]> {
  let tasks = await readOnce(ctx, run)
  const leaving = ctx.access.upstreamNow() - (TASK_WINDOW_DAYS - 1) * MS_PER_DAY
  for (let round = 0; (tasks[0]?.date ?? Infinity) < leaving; round++) {
    if (round >= MAX_ROUNDS) throw changing()
    run.forgetAll()
    const again = await readOnce(ctx, run)
    const ids = new Set(again.map((t) => t.task.id))
    if (again.length === tasks.length && tasks.every((t) => ids.has(t.task.id))) return again
    tasks = again
  }
  return tasks
}

async function readOnce(ctx: ExecContext, run: PageRun<WireTask>): Promise<Dated[]> {
  const first = await run.get(0)
  const pageSize = first.size > 0 ? first.size : ctx.plan.upstreamPageSize
  const read = new Map<number, Dated>()
  let latest = first.totalElements
  let listed: number | null = null
  let batch = ctx.concurrency
  for (let start = 0; ;) {
    // Never past the end as last seen (one page to see that it ended).
    const count = Math.max(1, Math.min(batch, Math.ceil(latest / pageSize) - start))
    const pages = await Promise.all(run.range(start, start + count))
    const total = (pages[0] as SpringPage<WireTask>).totalElements
    // A task arrived during the batch, or the batch is older than the one before (pages from the cache): read it
    // again, fresh, in a smaller batch (one page is always steady).
    if (!pages.every((p) => p.totalElements === total) || (listed !== null && total < latest)) {
      for (let p = start; p < start + count; p++) run.forget(p)
      batch = Math.max(1, count >> 1)
      continue
    }
    latest = total
    listed ??= total
    for (const page of pages) for (const task of page.content) read.set(task.id, { task, date: dateOf(task) })
    if (read.size > ctx.maxLocalRows) {
      throw bridgeError('BRIDGE_ERR_WINDOW_TOO_LARGE', `BotCity Insights lists tasks in no order the bridge can page by, so each Tasks query reads every task it holds: more than the ${ctx.maxLocalRows} the bridge reads at once (MAX_LOCAL_ROWS). Ask whoever runs the bridge to raise it.`)
    }
    // The end of the list as the batch saw it.
    if ((start + count) * pageSize >= total || pages.some((p) => p.content.length < pageSize)) break
    start += count
    batch = Math.min(ctx.concurrency, batch * 2)
  }
  if (read.size < listed) {
    throw bridgeError('UPSTREAM_UNAVAILABLE', `BotCity Insights counted ${listed} tasks but listed ${read.size} while the bridge read them: tasks left its list. Retry the refresh.`)
  }
  return [...read.values()].sort(oldestFirst).slice(0, listed)
}
