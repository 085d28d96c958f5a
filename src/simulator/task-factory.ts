// One task of a workspace, drawn from its automation's traits and seen as it
// stands at `snapshotMs`: still queued (START), RUNNING, or ended.
import type { AutomationProfile, Catalog, RunnerProfile } from './catalog.js'
import { pickAutomation } from './catalog.js'
import { between } from './prng.js'
import type { Random } from './prng.js'
import type { WireTask } from '../upstream/wire.js'
import { isoWithOffset } from './wire-dates.js'

export interface SimTask {
  readonly wire: WireTask
  readonly createdMs: number
  /** Index into Catalog.automations. */
  readonly automation: number
  /** Index into Catalog.runners, -1 when no machine took it. */
  readonly runner: number
  /** Time a machine spent on it so far. */
  readonly busyMs: number
}

interface Items {
  processed: number | null
  failed: number | null
  total: number | null
}

const NO_ITEMS: Items = { processed: null, failed: null, total: null }

export function createTask(catalog: Catalog, random: Random, id: number, createdMs: number, snapshotMs: number): SimTask {
  const automation = pickAutomation(catalog, random)
  const profile = catalog.automations[automation] as AutomationProfile
  const runnerChoice = profile.runners[Math.floor(random() * profile.runners.length)] as number
  const queueMs = random() < 0.85 ? between(random, 200, 30_000) : between(random, 30_000, 900_000)
  const runMs = profile.meanRunMs * between(random, 0.4, 1.6)
  const startMs = Math.round(createdMs + queueMs)
  const plannedItems = Math.round(profile.meanItems * between(random, 0.3, 1.7))
  const endRoll = random()
  const progressRoll = random()
  const itemsRoll = random()

  const base = {
    id,
    activityLabel: profile.label,
    repositoryLabel: profile.repositoryLabel,
    dateCreation: isoWithOffset(createdMs)
  }
  const queued = (): SimTask => ({
    wire: wire(base, 'START', null, null, null, null, profile.reportsItems ? { processed: 0, failed: 0, total: 0 } : NO_ITEMS),
    createdMs, automation, runner: -1, busyMs: 0
  })
  const onMachine = (state: string, finishStatus: string | null, lastMs: number, items: Items, busyMs: number): SimTask => ({
    wire: wire(base, state, finishStatus, runnerId(catalog, runnerChoice), startMs, lastMs, profile.reportsItems ? items : NO_ITEMS),
    createdMs, automation, runner: runnerChoice, busyMs
  })

  const cancelRoll = endRoll / profile.cancelRate
  if (cancelRoll < 0.4) {
    // Canceled while still queued: no machine ever took it.
    const cancelMs = Math.round(createdMs + queueMs * progressRoll)
    if (snapshotMs < cancelMs) return queued()
    const items = profile.reportsItems ? { processed: 0, failed: 0, total: plannedItems } : NO_ITEMS
    return { wire: wire(base, 'CANCELED', null, null, null, cancelMs, items), createdMs, automation, runner: -1, busyMs: 0 }
  }
  if (snapshotMs < startMs) return queued()
  const endMs = Math.round(cancelRoll < 1 ? startMs + runMs * progressRoll : startMs + runMs)
  if (snapshotMs < endMs) {
    const done = Math.floor(plannedItems * (snapshotMs - startMs) / runMs)
    return onMachine('RUNNING', null, startMs, split(done, plannedItems, profile.failRate * itemsRoll), snapshotMs - startMs)
  }
  if (cancelRoll < 1) {
    const done = Math.floor(plannedItems * progressRoll)
    return onMachine('CANCELED', null, endMs, split(done, plannedItems, profile.failRate * itemsRoll), endMs - startMs)
  }
  const outcome = (endRoll - profile.cancelRate) / (1 - profile.cancelRate)
  if (outcome < profile.failRate) {
    const processed = Math.floor(plannedItems * 0.3 * itemsRoll)
    const items = itemsRoll < 0.1 ? NO_ITEMS : { processed, failed: plannedItems - processed, total: plannedItems }
    return onMachine('FINISHED', 'FAILED', endMs, items, endMs - startMs)
  }
  if (outcome < profile.failRate + profile.partialRate) {
    const total = Math.max(plannedItems, 2)
    const failed = Math.min(total - 1, Math.max(1, Math.round(total * (0.05 + 0.35 * itemsRoll))))
    return onMachine('FINISHED', 'PARTIALLY_COMPLETED', endMs, { processed: total - failed, failed, total }, endMs - startMs)
  }
  return onMachine('FINISHED', 'SUCCESS', endMs, { processed: plannedItems, failed: 0, total: plannedItems }, endMs - startMs)
}

function split(done: number, total: number, errorShare: number): Items {
  const failed = Math.floor(done * errorShare)
  return { processed: done - failed, failed, total }
}

function runnerId(catalog: Catalog, index: number): string {
  return (catalog.runners[index] as RunnerProfile).id
}

function wire(
  base: Pick<WireTask, 'id' | 'activityLabel' | 'repositoryLabel' | 'dateCreation'>,
  state: string,
  finishStatus: string | null,
  machineId: string | null,
  startMs: number | null,
  lastMs: number | null,
  items: Items
): WireTask {
  return {
    id: base.id,
    state,
    finishStatus,
    activityLabel: base.activityLabel,
    repositoryLabel: base.repositoryLabel,
    machineId,
    dateLastModified: lastMs === null ? null : isoWithOffset(lastMs),
    dateCreation: base.dateCreation,
    dateStartRunning: startMs === null ? null : isoWithOffset(startMs),
    processedItems: items.processed,
    failedItems: items.failed,
    totalItems: items.total
  }
}
