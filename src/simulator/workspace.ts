// One workspace (login/key) and its own deterministic dataset.
import { automationRows, runnerRows } from './aggregates.js'
import { BoundedCache } from './bounded-cache.js'
import { createCatalog } from './catalog.js'
import type { Catalog } from './catalog.js'
import type { SimulatorOptions } from './options.js'
import { TaskStore } from './task-store.js'
import type { TaskWindow } from './task-store.js'
import type { WireAutomation, WireRunner, WireTask } from '../upstream/wire.js'

export interface WorkspaceSpec {
  login: string
  key: string
  organizationLabel: string
  seed: number
}

export class Workspace {
  readonly catalog: Catalog
  readonly store: TaskStore
  private readonly automationCache = new BoundedCache<readonly WireAutomation[]>(32)
  private readonly runnerCache = new BoundedCache<readonly WireRunner[]>(32)

  constructor (readonly spec: WorkspaceSpec, options: SimulatorOptions, startMs: number) {
    this.catalog = createCatalog({ ...options, seed: spec.seed, startMs })
    this.store = new TaskStore(this.catalog, { ...options, seed: spec.seed, startMs })
  }

  /** Whether a request's `organization` header names this workspace. */
  isOrganization(value: string): boolean {
    return value === this.spec.organizationLabel || value === this.spec.login
  }

  tasks(nowMs: number): WireTask[] {
    const window = this.store.window(nowMs, Number.POSITIVE_INFINITY)
    return this.store.newestFirst(window, 0, window.hi - window.lo)
  }

  /** Automation rows for a filterBy window, in catalog order; cached per window. */
  automations(nowMs: number, days: number): readonly WireAutomation[] {
    const window = this.store.window(nowMs, days)
    return this.automationCache.get(cacheKey(window, days), () =>
      automationRows(this.catalog, this.store, window, days, this.spec.organizationLabel))
  }

  runners(nowMs: number, days: number): readonly WireRunner[] {
    const window = this.store.window(nowMs, days)
    return this.runnerCache.get(cacheKey(window, days), () =>
      runnerRows(this.catalog, this.store, window, days, this.spec.organizationLabel))
  }
}

/** The store only appends, so an index range names one exact set of tasks. */
function cacheKey(window: TaskWindow, days: number): string {
  return `${days}:${window.lo}:${window.hi}`
}

export function createWorkspaces(options: SimulatorOptions, startMs: number): Workspace[] {
  const main: WorkspaceSpec = { login: options.login, key: options.key, organizationLabel: options.login, seed: options.seed }
  const extras = (options.workspaces ?? []).map((w, i): WorkspaceSpec => ({
    login: w.login,
    key: w.key,
    organizationLabel: w.organizationLabel ?? w.login,
    seed: w.seed ?? options.seed + i + 1
  }))
  return [main, ...extras].map((spec) => new Workspace(spec, options, startMs))
}
