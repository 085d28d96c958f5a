// One task of a workspace: its whole life is planned when it is created —
// queued (START), RUNNING on a runner, then FINISHED (SUCCESS, FAILED,
// PARTIALLY_COMPLETED) or CANCELED — and every read shows it as it stands at
// the simulator's clock, so recent tasks progress between two loads. Most runs
// take minutes; some take hours; a few stay RUNNING for days (a stuck bot).
import type { AutomationProfile, Catalog, RunnerProfile } from './catalog.js'
import { pickAutomation } from './catalog.js'
import { between, randomFor } from './prng.js'
import type { Random } from './prng.js'
import type { WireTask } from '../upstream/wire.js'
import { DAY_MS, isoWithOffset } from './wire-dates.js'

interface Items {
  readonly processed: number | null
  readonly failed: number | null
  readonly total: number | null
}

const NO_ITEMS: Items = { processed: null, failed: null, total: null }
const HOUR_MS = 3_600_000

/** Share of runs that take hours, and of those that stay RUNNING for days. */
export const LONG_RUN_SHARE = 0.04
export const STUCK_SHARE = 0.005

type Ending =
  | { readonly kind: 'canceled-queued'; readonly items: Items }
  | { readonly kind: 'canceled'; readonly items: Items }
  | { readonly kind: 'finished'; readonly finishStatus: 'SUCCESS' | 'FAILED' | 'PARTIALLY_COMPLETED'; readonly items: Items }

export class SimTask {
  private finalWire: WireTask | null = null
  /** When a fault changed the task after its end (change-final), and what it shows from then on. */
  private amended: { readonly atMs: number; readonly wire: WireTask } | null = null

  constructor (
    readonly id: number,
    readonly createdMs: number,
    /** Index into Catalog.automations. */
    readonly automation: number,
    /** Index into Catalog.runners, -1 when no machine ever takes it. */
    readonly runner: number,
    private readonly profile: AutomationProfile,
    private readonly runnerId: string | null,
    /** When a machine starts it (null: canceled while queued). */
    readonly startMs: number | null,
    /** When it reaches its final state. */
    readonly endMs: number,
    private readonly ending: Ending
  ) {}

  /** Whether the task is in its final state (FINISHED or CANCELED) at `nowMs`. */
  isFinalAt(nowMs: number): boolean {
    return nowMs >= this.endMs
  }

  /** The task as the Insights API shows it at `nowMs`. */
  at(nowMs: number): WireTask {
    if (this.amended !== null && nowMs >= this.amended.atMs) return this.amended.wire
    if (nowMs >= this.endMs) return (this.finalWire ??= this.ended())
    const start = this.startMs
    const reported = this.reportedItems()
    if (start === null || nowMs < start) {
      return this.wire('START', null, null, null, null, reported.total === null ? NO_ITEMS : { processed: 0, failed: 0, total: 0 })
    }
    // Items are reported as the run goes, towards what it ends with.
    const share = (nowMs - start) / (this.endMs - start)
    const processed = Math.floor((reported.processed ?? 0) * share)
    const failed = Math.floor((reported.failed ?? 0) * share)
    const all = (reported.processed ?? 0) + (reported.failed ?? 0)
    // The task last changed when its last item was reported (or when it started).
    const lastMs = processed + failed > 0 ? Math.min(nowMs, start + Math.ceil((processed + failed) / all * (this.endMs - start))) : start
    return this.wire('RUNNING', null, this.runnerId, start, lastMs, reported.total === null ? NO_ITEMS : { processed, failed, total: reported.total })
  }

  /** A final task changes at `atMs` (the change-final fault): another finishStatus, modified then. */
  amend(atMs: number): void {
    const was = this.at(atMs)
    const finishStatus = was.finishStatus === 'SUCCESS' ? 'FAILED' : 'SUCCESS'
    this.amended = { atMs, wire: { ...was, state: 'FINISHED', finishStatus, dateLastModified: isoWithOffset(atMs) } }
  }

  /** Whether a machine has taken it by `nowMs`. */
  onMachineAt(nowMs: number): boolean {
    return this.startMs !== null && nowMs >= this.startMs
  }

  /** Time a machine spent on it up to `nowMs`. */
  busyAt(nowMs: number): number {
    return this.startMs === null || nowMs <= this.startMs ? 0 : Math.min(nowMs, this.endMs) - this.startMs
  }

  private reportedItems(): Items {
    return this.profile.reportsItems ? this.ending.items : NO_ITEMS
  }

  private ended(): WireTask {
    const e = this.ending
    const items = this.reportedItems()
    if (e.kind === 'canceled-queued') return this.wire('CANCELED', null, null, null, this.endMs, items)
    if (e.kind === 'canceled') return this.wire('CANCELED', null, this.runnerId, this.startMs, this.endMs, items)
    return this.wire('FINISHED', e.finishStatus, this.runnerId, this.startMs, this.endMs, items)
  }

  private wire(state: string, finishStatus: string | null, machineId: string | null, startMs: number | null, lastMs: number | null, items: Items): WireTask {
    return {
      id: this.id,
      state,
      finishStatus,
      activityLabel: this.profile.label,
      repositoryLabel: this.profile.repositoryLabel,
      machineId,
      dateLastModified: lastMs === null ? null : isoWithOffset(lastMs),
      dateCreation: isoWithOffset(this.createdMs),
      dateStartRunning: startMs === null ? null : isoWithOffset(startMs),
      processedItems: items.processed,
      failedItems: items.failed,
      totalItems: items.total
    }
  }
}

/**
 * Plans a task's life from its automation's traits (the draws from `random`
 * are the same whatever the plan, so `automation` may force one without
 * changing any other task).
 */
export function planTask(catalog: Catalog, random: Random, id: number, createdMs: number, seed: number, forcedAutomation: number | null = null): SimTask {
  const picked = pickAutomation(catalog, random)
  const automation = forcedAutomation ?? picked
  const profile = catalog.automations[automation] as AutomationProfile
  const runnerChoice = profile.runners[Math.floor(random() * profile.runners.length)] as number
  const queueMs = random() < 0.85 ? between(random, 200, 30_000) : between(random, 30_000, 900_000)
  const drawnRunMs = profile.meanRunMs * between(random, 0.4, 1.6)
  const startMs = Math.round(createdMs + queueMs)
  const plannedItems = Math.round(profile.meanItems * between(random, 0.3, 1.7))
  const endRoll = random()
  const progressRoll = random()
  const itemsRoll = random()
  // Drawn from the task's own id, so the shared stream (and every other task) stays as it was.
  const life = randomFor(seed, 'life', id)
  const lifeRoll = life()
  const runMs = lifeRoll < STUCK_SHARE ? between(life, 2, 10) * DAY_MS
    : lifeRoll < LONG_RUN_SHARE ? between(life, 1, 8) * HOUR_MS
      : drawnRunMs
  const errorShare = profile.failRate * itemsRoll
  const make = (runner: number, start: number | null, endMs: number, ending: Ending): SimTask =>
    new SimTask(id, createdMs, automation, runner, profile, runner < 0 ? null : runnerId(catalog, runner), start, endMs, ending)

  const cancelRoll = endRoll / profile.cancelRate
  if (cancelRoll < 0.4) {
    // Canceled while still queued: no machine ever takes it.
    return make(-1, null, Math.round(createdMs + queueMs * progressRoll), { kind: 'canceled-queued', items: { processed: 0, failed: 0, total: plannedItems } })
  }
  if (cancelRoll < 1) {
    const endMs = Math.round(startMs + runMs * progressRoll)
    return make(runnerChoice, startMs, endMs, { kind: 'canceled', items: split(Math.floor(plannedItems * progressRoll), plannedItems, errorShare) })
  }
  const endMs = Math.round(startMs + runMs)
  const outcome = (endRoll - profile.cancelRate) / (1 - profile.cancelRate)
  if (outcome < profile.failRate) {
    const processed = Math.floor(plannedItems * 0.3 * itemsRoll)
    const items = itemsRoll < 0.1 ? NO_ITEMS : { processed, failed: plannedItems - processed, total: plannedItems }
    return make(runnerChoice, startMs, endMs, { kind: 'finished', finishStatus: 'FAILED', items })
  }
  if (outcome < profile.failRate + profile.partialRate) {
    const total = Math.max(plannedItems, 2)
    const failed = Math.min(total - 1, Math.max(1, Math.round(total * (0.05 + 0.35 * itemsRoll))))
    return make(runnerChoice, startMs, endMs, { kind: 'finished', finishStatus: 'PARTIALLY_COMPLETED', items: { processed: total - failed, failed, total } })
  }
  return make(runnerChoice, startMs, endMs, { kind: 'finished', finishStatus: 'SUCCESS', items: { processed: plannedItems, failed: 0, total: plannedItems } })
}

function split(done: number, total: number, errorShare: number): Items {
  const failed = Math.floor(done * errorShare)
  return { processed: done - failed, failed, total }
}

function runnerId(catalog: Catalog, index: number): string {
  return (catalog.runners[index] as RunnerProfile).id
}
