// The embedded BotCity Insights simulator: the demo-mode upstream and the
// upstream every test runs against. See options.ts for what it can be told.
import type { AddressInfo } from 'node:net'
import { queryAutomations } from './automation-query.js'
import { buildSimulatorApp } from './app.js'
import { baseUrl } from './base-url.js'
import { simClock } from './clock.js'
import { createContext } from './context.js'
import { resolveOptions } from './resolve-options.js'
import type { SimulatorFault, SimulatorOptions, SimulatorStats } from './options.js'
import { resetStats } from './routes/control.js'
import { queryRunners } from './runner-query.js'
import { createWorkspaces } from './workspace.js'
import type { Workspace } from './workspace.js'
import type { WireAutomation, WireRunner, WireTask } from '../upstream/wire.js'

export type { SimulatorFault, SimulatorOptions, SimulatorStats, SimulatorWorkspace } from './options.js'
export { SIMULATOR_DEFAULTS } from './options.js'
export { SimulatorOptionError } from './resolve-options.js'

export interface Simulator {
  readonly url: string
  readonly options: SimulatorOptions
  /** Per-route request counts, errors included. */
  stats(): SimulatorStats
  resetStats(): void
  /** Queues a fault for the next matching calls; change-final applies at once and returns the task it changed. */
  inject(fault: SimulatorFault): number | null
  clearFaults(): void
  /** The simulator's data clock (epoch ms): what dateCreation and the days windows are measured in. */
  now(): number
  /**
   * Every task of a workspace (default: the main login) created up to `atMs`
   * (default: now), as it stood then, newest first. For test oracles; `atMs`
   * may lie in the past, not before the simulator started.
   */
  tasks(login?: string, atMs?: number): readonly WireTask[]
  /** What the automation / runners routes compute for a filterBy window at `atMs` (default now): all rows, the route's default order. */
  automations(days: number, login?: string, atMs?: number): readonly WireAutomation[]
  runners(days: number, login?: string, atMs?: number): readonly WireRunner[]
  close(): Promise<void>
}

export async function startSimulator(partial: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const options = resolveOptions(partial)
  const clock = simClock(options)
  const now = clock.now
  const workspaces = createWorkspaces(options, now())
  const ctx = createContext(options, clock, workspaces)
  const app = buildSimulatorApp(ctx)
  await app.listen({ host: options.host, port: options.port })
  const url = baseUrl(options.host, (app.server.address() as AddressInfo).port)

  const workspace = (login = options.login): Workspace => {
    const found = workspaces.find((w) => w.spec.login === login)
    if (found === undefined) throw new Error(`the simulator has no workspace with login ${login}`)
    return found
  }
  return {
    url,
    options,
    stats: () => ({ ...ctx.stats }),
    resetStats: () => resetStats(ctx.stats),
    inject: (fault) => ctx.addFault(fault),
    clearFaults: () => ctx.faults.clear(),
    now,
    tasks: (login, atMs) => workspace(login).tasks(atMs ?? now()),
    automations: (days, login, atMs) => queryAutomations(workspace(login), atMs ?? now(), { days, sort: [] }),
    runners: (days, login, atMs) => queryRunners(workspace(login), atMs ?? now(), { days, sort: [] }),
    close: async () => {
      ctx.sleeper.wakeAll()
      await app.close()
    }
  }
}
