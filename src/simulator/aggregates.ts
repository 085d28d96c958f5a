// Automation and runner rows of one workspace, computed from its tasks in a
// filterBy window as they stand at the clock. Rates are percentages with two
// decimals. Tasks in a final state add the same figures at every later
// instant, so their sums are kept (WindowTotals); only the tasks that were
// still queued or running are added again at each read.
import type { Catalog } from './catalog.js'
import type { SimTask } from './task-factory.js'
import type { TaskStore, TaskWindow } from './task-store.js'
import type { WireAutomation, WireRunner } from '../upstream/wire.js'
import { DAY_MS, isoWithoutZone } from './wire-dates.js'

/** Sums per automation and per runner over a window's tasks at one instant. */
export interface Sums {
  readonly automations: readonly Totals[]
  readonly runners: readonly Totals[]
}

export interface Totals {
  tasks: number
  items: number
  failedItems: number
  processedItems: number
  finished: number
  success: number
  failed: number
  ended: number
  busyMs: number
  labels: Set<number>
}

const WORKING_HOURS_PER_DAY = 40 / 7

/** A window's sums of the tasks final at `asOf`, and the tasks that were not. */
export class WindowTotals {
  private readonly settled: Sums
  private readonly live: SimTask[] = []

  constructor (private readonly catalog: Catalog, store: TaskStore, window: TaskWindow, readonly asOf: number) {
    const settled = { automations: catalog.automations.map(emptyTotals), runners: catalog.runners.map(emptyTotals) }
    for (const task of store.within(window)) {
      if (task.isFinalAt(asOf)) addTo(settled, task, asOf)
      else this.live.push(task)
    }
    this.settled = settled
  }

  /** The sums at `nowMs` (not before asOf). */
  at(nowMs: number): Sums {
    const sums = { automations: this.settled.automations.map(copyTotals), runners: this.settled.runners.map(copyTotals) }
    for (const task of this.live) addTo(sums, task, nowMs)
    return sums
  }
}

function addTo(sums: Sums, task: SimTask, nowMs: number): void {
  add(sums.automations[task.automation] as Totals, task, nowMs)
  if (task.onMachineAt(nowMs)) add(sums.runners[task.runner] as Totals, task, nowMs)
}

export function automationRows(catalog: Catalog, sums: Sums, days: number, organizationLabel: string): WireAutomation[] {
  return catalog.automations.map((profile, i) => {
    const t = sums.automations[i] as Totals
    const manualMinutes = profile.reportsItems
      ? t.processedItems * profile.manualMinutesPerItem
      : t.success * profile.manualMinutesPerTask
    const hoursSaved = manualMinutes / 60
    const savings = hoursSaved * profile.hourlyCost
    const cost = profile.monthlyCost * days / 30
    const workingHours = days * WORKING_HOURS_PER_DAY
    return {
      label: profile.label,
      name: profile.name,
      machineId: profile.machineId,
      description: profile.description,
      organizationLabel,
      repositoryLabel: profile.repositoryLabel,
      date: isoWithoutZone(profile.dateMs),
      taskCount: t.tasks,
      sumItems: t.items,
      sumItemsError: t.failedItems,
      sumItemsProcessed: t.processedItems,
      uptimeRate: percent(t.ended - t.failed, t.ended),
      downtimeRate: percent(t.failed, t.ended),
      successRate: percent(t.success, t.finished),
      roi: t.tasks === 0 || cost === 0 ? 0 : round2((savings - cost) / cost * 100),
      fte: workingHours === 0 ? 0 : round2(hoursSaved / workingHours),
      savings: round2(savings)
    }
  })
}

export function runnerRows(catalog: Catalog, sums: Sums, days: number, organization: string): WireRunner[] {
  return catalog.runners.map((profile, i) => {
    const t = sums.runners[i] as Totals
    return {
      id: profile.id,
      idMachine: profile.id,
      log: profile.log,
      remoteAccess: profile.remoteAccess,
      status: profile.status,
      name: profile.id,
      organization,
      automations: [...t.labels].map((a) => catalog.automations[a]?.label as string).sort(),
      tasks: t.tasks,
      items: t.items,
      itemsErrorCount: t.failedItems,
      utilizationRate: Math.min(100, percent(t.busyMs, days * DAY_MS))
    }
  })
}

function emptyTotals(): Totals {
  return { tasks: 0, items: 0, failedItems: 0, processedItems: 0, finished: 0, success: 0, failed: 0, ended: 0, busyMs: 0, labels: new Set() }
}

function copyTotals(t: Totals): Totals {
  return { ...t, labels: new Set(t.labels) }
}

function add(t: Totals, task: SimTask, nowMs: number): void {
  const wire = task.at(nowMs)
  t.tasks++
  t.items += wire.totalItems ?? 0
  t.failedItems += wire.failedItems ?? 0
  t.processedItems += wire.processedItems ?? 0
  t.busyMs += task.busyAt(nowMs)
  t.labels.add(task.automation)
  if (wire.state === 'CANCELED') t.ended++
  if (wire.state !== 'FINISHED') return
  t.ended++
  t.finished++
  if (wire.finishStatus === 'SUCCESS') t.success++
  if (wire.finishStatus === 'FAILED') t.failed++
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : round2(part / whole * 100)
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}
