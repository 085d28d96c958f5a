// At most `limit` accepted requests in any sliding second (0 = no limit).
export class RateLimiter {
  private times: number[] = []
  private head = 0

  constructor (private readonly limit: number) {}

  /** Records the request and says whether it may proceed. */
  admit(nowMs: number): boolean {
    if (this.limit <= 0) return true
    while (this.head < this.times.length && (this.times[this.head] as number) <= nowMs - 1000) this.head++
    if (this.times.length - this.head >= this.limit) return false
    this.times.push(nowMs)
    if (this.head > 1024) {
      this.times = this.times.slice(this.head)
      this.head = 0
    }
    return true
  }
}
