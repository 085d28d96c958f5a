// One workspace (login/key) and its own deterministic dataset.
import { WindowTotals, automationRows, runnerRows } from './aggregates.js'
import type { Sums } from './aggregates.js'
import { BoundedCache } from './bounded-cache.js'
import { createCatalog } from './catalog.js'
import type { Catalog } from './catalog.js'
import type { SimulatorOptions } from './options.js'
import { TaskStore } from './task-store.js'
import type { WireAutomation, WireRunner, WireTask } from '../upstream/wire.js'

export interface WorkspaceSpec {
  login: string
  key: string
  organizationLabel: string
  seed: number
  /** Holds BotCity's documentation examples (the main workspace, with the examples option). */
  examples: boolean
}

export class Workspace {
  readonly catalog: Catalog
  readonly store: TaskStore
  private readonly totals = new BoundedCache<WindowTotals>(32)

  constructor (readonly spec: WorkspaceSpec, options: SimulatorOptions, startMs: number) {
    this.catalog = createCatalog({ ...options, seed: spec.seed, startMs, examples: spec.examples })
    this.store = new TaskStore(this.catalog, { ...options, seed: spec.seed, startMs, examples: spec.examples })
  }

  /** Whether a request's `organization` header names this workspace. */
  isOrganization(value: string): boolean {
    return value === this.spec.organizationLabel || value === this.spec.login
  }

  /** Every task created up to `nowMs`, as it stands then, newest first. */
  tasks(nowMs: number): WireTask[] {
    const window = this.store.window(nowMs, Number.POSITIVE_INFINITY)
    return this.store.newestFirst(window, 0, window.hi - window.lo, nowMs)
  }

  /** Automation rows for a filterBy window at `nowMs`, in catalog order. */
  automations(nowMs: number, days: number): readonly WireAutomation[] {
    return automationRows(this.catalog, this.sums(nowMs, days), days, this.spec.organizationLabel)
  }

  runners(nowMs: number, days: number): readonly WireRunner[] {
    return runnerRows(this.catalog, this.sums(nowMs, days), days, this.spec.organizationLabel)
  }

  private sums(nowMs: number, days: number): Sums {
    const window = this.store.window(nowMs, days)
    // The store only appends, so an index range names one exact set of tasks.
    const key = `${days}:${window.lo}:${window.hi}`
    let totals = this.totals.get(key, () => new WindowTotals(this.catalog, this.store, window, nowMs))
    if (nowMs < totals.asOf) {
      // A clock moved back (tests): sum again as of then.
      totals = new WindowTotals(this.catalog, this.store, window, nowMs)
      this.totals.set(key, totals)
    }
    return totals.at(nowMs)
  }
}

export function createWorkspaces(options: SimulatorOptions, startMs: number): Workspace[] {
  const main: WorkspaceSpec = { login: options.login, key: options.key, organizationLabel: options.login, seed: options.seed, examples: options.examples }
  const extras = (options.workspaces ?? []).map((w, i): WorkspaceSpec => ({
    login: w.login,
    key: w.key,
    organizationLabel: w.organizationLabel ?? w.login,
    seed: w.seed ?? options.seed + i + 1,
    examples: false
  }))
  return [main, ...extras].map((spec) => new Workspace(spec, options, startMs))
}
