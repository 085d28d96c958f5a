// One upstream read shared by every request waiting for the same page, that
// stops only when all of them have stopped waiting: a request whose client
// left (or whose deadline passed) leaves at once, and the read goes on for
// the others; the last one to leave aborts it (so its call ends and no retry
// starts).

interface Flight {
  readonly promise: Promise<unknown>
  readonly controller: AbortController
  waiters: number
}

export class SharedFlights {
  readonly #flights = new Map<string, Flight>()

  /** Joins the read of `key` in flight, or starts it with `start`; leaves it when `signal` aborts. */
  join<T>(key: string, start: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted()
    let flight = this.#flights.get(key)
    if (flight === undefined) {
      const controller = new AbortController()
      const promise = start(controller.signal)
      const started: Flight = { promise, controller, waiters: 0 }
      flight = started
      this.#flights.set(key, started)
      const forget = (): void => { if (this.#flights.get(key) === started) this.#flights.delete(key) }
      promise.then(forget, forget)
    }
    const joined = flight
    joined.waiters++
    if (signal === undefined) return joined.promise as Promise<T>
    return new Promise<T>((resolve, reject) => {
      const leave = (): void => {
        reject(signal.reason)
        if (--joined.waiters === 0) joined.controller.abort(signal.reason)
      }
      signal.addEventListener('abort', leave, { once: true })
      ;(joined.promise as Promise<T>).then(
        (value) => { signal.removeEventListener('abort', leave); resolve(value) },
        (err: unknown) => { signal.removeEventListener('abort', leave); reject(err) }
      )
    })
  }
}
