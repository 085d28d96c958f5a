// Tasks when BotCity lists them in another order than newest first (oldest
// first, by id, or none the bridge can name): no position means anything
// across reads, so the bridge reads every page of the upstream window and
// keeps each task once. It is exact when every page it keeps was read with the
// same totalElements and that many distinct tasks were read: tasks only arrive
// in the window, so a total that held across the reads means no task arrived
// in between, and as many distinct tasks as the total means none was missed
// (an upstream counts and lists in two queries, and may count one it did not
// list yet). Pages read with an older total are read again, as is everything
// when the count fails; an upstream that never holds still is an error, not an
// answer. Tasks leave the window only after ten years: where some are that
// old, one leaving as another arrives would hide from the total, so the whole
// window is read twice, and must show the same tasks.
import { bridgeError } from '../errors.js'
import type { SpringPage, WireTask } from '../upstream/wire.js'
import type { ExecContext } from './context.js'
import type { PageRun } from './page-run.js'
import { dateOf } from './task-scan.js'
import { MS_PER_DAY } from '../odata/civil-date.js'
import { TASK_WINDOW_DAYS } from '../upstream/task-order.js'

/** Rounds of reading again before giving up on an upstream that keeps changing. */
const MAX_ROUNDS = 6

/** Every task of the upstream window, each once, as listed at one moment. */
export async function readWindow(ctx: ExecContext, run: PageRun<WireTask>): Promise<WireTask[]> {
  let tasks = await readOnce(ctx, run)
  const leaving = ctx.access.upstreamNow() - (TASK_WINDOW_DAYS - 1) * MS_PER_DAY
  for (let round = 0; tasks.some((t) => dateOf(t) < leaving); round++) {
    if (round >= MAX_ROUNDS) throw changing()
    run.forgetAll()
    const again = await readOnce(ctx, run)
    const ids = new Set(again.map((t) => t.id))
    if (again.length === tasks.length && tasks.every((t) => ids.has(t.id))) return again
    tasks = again
  }
  return tasks
}

function changing(): Error {
  return bridgeError('UPSTREAM_UNAVAILABLE', 'Tasks in BotCity Insights changed too fast to read them all at one moment; retry the refresh.')
}

async function readOnce(ctx: ExecContext, run: PageRun<WireTask>): Promise<WireTask[]> {
  const first = await run.get(0)
  const pageSize = first.size > 0 ? first.size : ctx.plan.upstreamPageSize
  const read = new Map<number, SpringPage<WireTask>>([[0, first]])
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let latest = 0
    for (const page of read.values()) latest = Math.max(latest, page.totalElements)
    if (latest > ctx.maxLocalRows) {
      throw bridgeError('BRIDGE_ERR_WINDOW_TOO_LARGE', `BotCity Insights lists tasks in an order the bridge cannot page by, so each Tasks query reads all ${latest} tasks it holds, more than the ${ctx.maxLocalRows} the bridge reads at once (MAX_LOCAL_ROWS); ask whoever runs the bridge to raise it.`)
    }
    const pages = Math.max(1, Math.ceil(latest / pageSize))
    const stale: number[] = []
    for (let p = 0; p < pages; p++) if (read.get(p)?.totalElements !== latest) stale.push(p)
    if (stale.length === 0) {
      const tasks = new Map<number, WireTask>()
      for (let p = 0; p < pages; p++) for (const task of (read.get(p) as SpringPage<WireTask>).content) tasks.set(task.id, task)
      if (tasks.size === latest) return [...tasks.values()]
      // Listed and counted apart: read it all again.
      for (let p = 0; p < pages; p++) stale.push(p)
    }
    for (const p of stale) {
      if (read.delete(p)) run.forget(p)
    }
    for (let i = 0; i < stale.length; i += ctx.concurrency) {
      const batch = stale.slice(i, i + ctx.concurrency)
      const got = await Promise.all(batch.map((p) => run.get(p)))
      batch.forEach((p, j) => read.set(p, got[j] as SpringPage<WireTask>))
    }
  }
  throw changing()
}
