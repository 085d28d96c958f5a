// When the history tasks were created: spread over the history window, more
// on weekdays and in Brazilian office hours (UTC-3), plus a few in the last
// minutes so the head of the list shows queued and running tasks.
import type { Random } from './prng.js'
import { DAY_MS } from './wire-dates.js'

const RECENT_SPAN_MS = 20 * 60_000

export function creationTimes(random: Random, count: number, startMs: number, historyDays: number): Float64Array {
  const times = new Float64Array(count)
  const recent = Math.min(count, Math.max(3, Math.round(count / 1000)))
  const spanMs = historyDays * DAY_MS
  for (let i = 0; i < count - recent; i++) {
    let t: number
    do t = startMs - spanMs + random() * spanMs
    while (random() >= activity(t))
    times[i] = Math.floor(t)
  }
  for (let i = count - recent; i < count; i++) times[i] = Math.floor(startMs - random() * RECENT_SPAN_MS)
  return times.sort()
}

/** Relative activity at an instant, in (0, 1]. */
function activity(ms: number): number {
  const date = new Date(ms)
  const weekday = date.getUTCDay()
  const hour = date.getUTCHours()
  const day = weekday === 0 ? 0.2 : weekday === 6 ? 0.3 : 1
  const office = hour >= 11 && hour < 21 ? 1 : hour >= 9 && hour < 24 ? 0.5 : 0.15
  return day * office
}
