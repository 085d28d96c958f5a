// The simulator's clock. BotCity's clock and the bridge's never agree exactly:
// `clockOffsetS` sets the simulator ahead of (or behind) the clock it is given,
// and `timeScale` makes it run N times faster, so a test or a demo sees hours
// of growth and progress in minutes. Tokens and the rate limit keep the given
// clock: they are about the caller's time, not the data's.
import type { SimulatorOptions } from './options.js'

export interface SimClock {
  /** The data's time (epoch ms): what dateCreation, windows and progress are measured in. */
  now(): number
  /** The clock the simulator was given (Date.now unless a test injects one). */
  real(): number
}

export function simClock(options: Pick<SimulatorOptions, 'now' | 'timeScale' | 'clockOffsetS'>): SimClock {
  const real = options.now ?? Date.now
  const origin = real()
  const offsetMs = options.clockOffsetS * 1000
  const scale = options.timeScale
  return {
    real,
    now: () => Math.floor(origin + offsetMs + (real() - origin) * scale)
  }
}
