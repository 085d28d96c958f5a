// Delays that end early when the simulator closes, so close() never waits on them.
export class Sleeper {
  private readonly controller = new AbortController()

  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.controller.signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.controller.signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.controller.signal.addEventListener('abort', done)
    })
  }

  wakeAll(): void {
    this.controller.abort()
  }
}
