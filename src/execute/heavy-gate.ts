// Reads that hold a whole window in the bridge — a local sort or filter over
// Tasks (full-scan, held-order), a whole-read, and the Tasks read behind an
// $expand or a grouping $apply — take memory and many upstream calls for
// seconds. At most `max` run at once in a process; up to `queue` more wait
// their turn, each at most `waitMs`; beyond that, or past the wait, 503 with
// Retry-After (Power Query retries those). A waiting request whose client
// leaves gives its place up. Everything else is never held here.
import { bridgeError } from '../errors.js'
import type { ReadPlan } from '../plan/plan.js'

/** What the gate reports to /metrics. */
export interface HeavyGateState {
  readonly running: number
  readonly queued: number
  /** Requests refused so far (queue full, or waited too long). */
  readonly refused: number
}

interface Waiter {
  readonly admit: () => void
}

export class HeavyGate {
  private running = 0
  private refused = 0
  private readonly waiting: Waiter[] = []

  constructor(private readonly max: number, private readonly queue: number, private readonly waitMs: number, private readonly retryAfterS: number) {}

  /** Whether a read is one the gate bounds: it holds a window of Tasks in the bridge. */
  static holds(plan: ReadPlan): boolean {
    if (plan.set.name !== 'Tasks' || plan.strategy === 'none' || plan.strategy === 'count') return false
    return plan.whole || plan.strategy === 'full-scan' || plan.strategy === 'held-order' || plan.strategy === 'whole-read'
  }

  state(): HeavyGateState {
    return { running: this.running, queued: this.waiting.length, refused: this.refused }
  }

  /** Waits for a place (or refuses); the function returned gives it back, once. */
  async enter(signal?: AbortSignal): Promise<() => void> {
    if (this.running < this.max) {
      this.running++
      return this.leaver()
    }
    // A client already gone takes no place in the queue (its abort would not be heard again).
    signal?.throwIfAborted()
    if (this.waiting.length >= this.queue) throw this.refuse(`${this.running} such requests are running and ${this.waiting.length} waiting, the most this bridge takes`)
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', aborted)
        const at = this.waiting.indexOf(waiter)
        if (at >= 0) this.waiting.splice(at, 1)
      }
      const waiter: Waiter = { admit: () => { done(); resolve() } }
      const timer = setTimeout(() => { done(); reject(this.refuse(`it waited ${Math.round(this.waitMs / 1000)} s for one of the ${this.max} running to end`)) }, this.waitMs)
      const aborted = (): void => { done(); reject(signal?.reason) }
      signal?.addEventListener('abort', aborted, { once: true })
      this.waiting.push(waiter)
    })
    // The place was handed over by the request that left it: `running` already counts it.
    return this.leaver()
  }

  private leaver(): () => void {
    let left = false
    return () => {
      if (left) return
      left = true
      const next = this.waiting[0]
      if (next === undefined) this.running--
      else next.admit()
    }
  }

  private refuse(why: string): Error {
    this.refused++
    return bridgeError('BRIDGE_ERR_UNAVAILABLE', `The bridge is busy with queries it sorts, filters or joins over whole windows of tasks (${why}: HEAVY_MAX_CONCURRENT, HEAVY_QUEUE). Retry in ${this.retryAfterS} s; Power BI does so by itself.`, { retryAfterS: this.retryAfterS })
  }
}
