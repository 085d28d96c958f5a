interface Lane {
  active: number
  waiting: (() => void)[]
}

/** At most `limit` tasks run at once per key (here: per credential); the rest wait in order. */
export class KeyedLimiter {
  readonly #limit: number
  readonly #lanes = new Map<string, Lane>()

  constructor(limit: number) {
    this.#limit = limit
  }

  async run<T>(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let lane = this.#lanes.get(key)
    if (lane === undefined) {
      lane = { active: 0, waiting: [] }
      this.#lanes.set(key, lane)
    }
    if (lane.active < this.#limit) lane.active += 1
    else await waitTurn(lane, signal)
    try {
      return await task()
    } finally {
      this.#release(key, lane)
    }
  }

  /** Tasks running or waiting for this key. */
  pending(key: string): number {
    const lane = this.#lanes.get(key)
    return lane === undefined ? 0 : lane.active + lane.waiting.length
  }

  #release(key: string, lane: Lane): void {
    const next = lane.waiting.shift()
    if (next !== undefined) return next()
    lane.active -= 1
    if (lane.active === 0) this.#lanes.delete(key)
  }
}

/** Waits until a finishing task hands over its slot, or the signal aborts the wait. */
function waitTurn(lane: Lane, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted()
    const turn = (): void => {
      signal?.removeEventListener('abort', abort)
      resolve()
    }
    const abort = (): void => {
      lane.waiting.splice(lane.waiting.indexOf(turn), 1)
      reject(signal?.reason)
    }
    lane.waiting.push(turn)
    signal?.addEventListener('abort', abort, { once: true })
  })
}
