// Automation and runner rows of one workspace, computed from its tasks in a
// filterBy window. Rates are percentages with two decimals.
import type { Catalog } from './catalog.js'
import type { SimTask } from './task-factory.js'
import type { TaskStore, TaskWindow } from './task-store.js'
import type { WireAutomation, WireRunner } from '../upstream/wire.js'
import { DAY_MS, isoWithoutZone } from './wire-dates.js'

interface Totals {
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

export function automationRows(catalog: Catalog, store: TaskStore, window: TaskWindow, days: number, organizationLabel: string): WireAutomation[] {
  const totals = catalog.automations.map(emptyTotals)
  for (const task of store.within(window)) add(totals[task.automation] as Totals, task)
  return catalog.automations.map((profile, i) => {
    const t = totals[i] as Totals
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

export function runnerRows(catalog: Catalog, store: TaskStore, window: TaskWindow, days: number, organization: string): WireRunner[] {
  const totals = catalog.runners.map(emptyTotals)
  for (const task of store.within(window)) {
    if (task.runner >= 0) add(totals[task.runner] as Totals, task)
  }
  return catalog.runners.map((profile, i) => {
    const t = totals[i] as Totals
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

function add(t: Totals, task: SimTask): void {
  const wire = task.wire
  t.tasks++
  t.items += wire.totalItems ?? 0
  t.failedItems += wire.failedItems ?? 0
  t.processedItems += wire.processedItems ?? 0
  t.busyMs += task.busyMs
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
