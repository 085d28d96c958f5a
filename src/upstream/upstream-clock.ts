// BotCity's clock as the bridge can know it: every answer's Date header (RFC
// 9110 §6.6.1, whole seconds) says what time it was upstream somewhere between
// sending the request and receiving the answer. The offset (upstream − ours)
// consistent with every recent answer is kept as an interval; while it holds
// 0 the clocks agree as far as anyone can tell, else its middle is the best
// estimate. A clock that jumps or drifts (a time-scaled simulator) starts a
// new interval as soon as an answer contradicts the old one.

export interface UpstreamClock {
  /** Records one answer's Date header; sent and received on our clock. */
  sample(dateHeader: string | null | undefined, sentAt: number, receivedAt: number): void
  /** The upstream's time now, estimated (our clock when no answer has said otherwise). */
  now(): number
  /** Upstream minus our clock, in ms (0 while they agree within what the answers show). */
  offsetMs(): number
}

export function createUpstreamClock(ourNow: () => number = Date.now): UpstreamClock {
  let lo = -Infinity
  let hi = Infinity
  const offsetMs = (): number => (lo <= 0 && hi >= 0 ? 0 : Math.round((lo + hi) / 2))
  return {
    sample(dateHeader, sentAt, receivedAt) {
      if (typeof dateHeader !== 'string') return
      const date = Date.parse(dateHeader)
      if (!Number.isFinite(date)) return
      // The upstream stamped the answer at some instant in [date, date + 1 s),
      // which on our clock lies between sentAt and receivedAt.
      const sampleLo = date - receivedAt
      const sampleHi = date + 999 - sentAt
      if (sampleLo > hi || sampleHi < lo) {
        lo = sampleLo
        hi = sampleHi
      } else {
        lo = Math.max(lo, sampleLo)
        hi = Math.min(hi, sampleHi)
      }
    },
    now: () => ourNow() + offsetMs(),
    offsetMs
  }
}
