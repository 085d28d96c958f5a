// Everything the routes share: options, clock, workspaces, tokens, faults, counters.
import { Sleeper } from './abortable-sleep.js'
import { FaultQueue, checkFault } from './fault-queue.js'
import type { SimClock } from './clock.js'
import type { SimulatorFault, SimulatorOptions, SimulatorStats } from './options.js'
import { randomFor } from './prng.js'
import { RateLimiter } from './rate-limiter.js'
import { TokenStore } from './token-store.js'
import type { Workspace } from './workspace.js'

export interface SimContext {
  readonly options: SimulatorOptions
  /** The data's clock (clock.ts). */
  readonly now: () => number
  /** The clock tokens and the rate limit run on. */
  readonly realNow: () => number
  readonly workspaces: readonly Workspace[]
  readonly tokens: TokenStore
  readonly faults: FaultQueue
  readonly stats: SimulatorStats
  readonly rateLimiter: RateLimiter
  readonly sleeper: Sleeper
  /** Queues a fault, or applies it at once (change-final: returns the task changed). */
  readonly addFault: (fault: SimulatorFault) => number | null
  /** Whether this data call is one of the errorRate share answered 500. */
  readonly rollError: () => boolean
}

export function createContext(options: SimulatorOptions, clock: SimClock, workspaces: readonly Workspace[]): SimContext {
  const errorRandom = randomFor(options.seed, 'errors')
  const faults = new FaultQueue()
  return {
    options,
    now: clock.now,
    realNow: clock.real,
    workspaces,
    tokens: new TokenStore(options.tokenTtlS * 1000),
    faults,
    addFault: (fault) => {
      const checked = checkFault(fault)
      if (checked.kind === 'change-final') return (workspaces[0] as Workspace).store.changeFinal(clock.now(), checked.taskId)
      faults.add(checked)
      return null
    },
    stats: zeroStats(),
    rateLimiter: new RateLimiter(options.rateLimit),
    sleeper: new Sleeper(),
    rollError: () => options.errorRate > 0 && errorRandom() < options.errorRate
  }
}

export function zeroStats(): SimulatorStats {
  return { login: 0, tasks: 0, automation: 0, runners: 0, version: 0 }
}
