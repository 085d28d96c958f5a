// Everything the routes share: options, clock, workspaces, tokens, faults, counters.
import { Sleeper } from './abortable-sleep.js'
import { FaultQueue } from './fault-queue.js'
import type { SimClock } from './clock.js'
import type { SimulatorOptions, SimulatorStats } from './options.js'
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
  /** Whether this data call is one of the errorRate share answered 500. */
  readonly rollError: () => boolean
}

export function createContext(options: SimulatorOptions, clock: SimClock, workspaces: readonly Workspace[]): SimContext {
  const errorRandom = randomFor(options.seed, 'errors')
  return {
    options,
    now: clock.now,
    realNow: clock.real,
    workspaces,
    tokens: new TokenStore(options.tokenTtlS * 1000),
    faults: new FaultQueue(),
    stats: zeroStats(),
    rateLimiter: new RateLimiter(options.rateLimit),
    sleeper: new Sleeper(),
    rollError: () => options.errorRate > 0 && errorRandom() < options.errorRate
  }
}

export function zeroStats(): SimulatorStats {
  return { login: 0, tasks: 0, automation: 0, runners: 0, version: 0 }
}
