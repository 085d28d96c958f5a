// Long work made of many short awaited steps runs as one chain of microtasks
// when each step resolves at once (a scan over pages already in the cache):
// the event loop is not turned until the chain ends, and every other request,
// /healthz included, waits for the whole scan (issue 16 measured stretches of
// 1.3 s). The steps of long work call takeTurn(): once the work done since the
// loop last turned has run for a slice, the step waits in a queue, and each
// turn of the loop lets one waiting step go on, for one slice. So a turn of
// the loop carries about one slice of long work however many requests do it,
// while light requests are answered in between; with nothing else to do, the
// loop turns at once and long work goes on at full speed.
import { performance } from 'node:perf_hooks'

/** How long long work may hold the event loop in one turn. */
export const SLICE_MS = 2

let turnStarted = performance.now()
let scheduled = false
const waiting: Array<() => void> = []

function nextTurn(): void {
  scheduled = false
  turnStarted = performance.now()
  waiting.shift()?.()
  if (waiting.length > 0) schedule()
}

function schedule(): void {
  if (scheduled) return
  scheduled = true
  setImmediate(nextTurn)
}

/** Goes on at once while this turn's slice lasts; else waits for a turn of its own. */
export function takeTurn(): Promise<void> | undefined {
  if (performance.now() - turnStarted < SLICE_MS) return undefined
  return new Promise((resolve) => {
    waiting.push(resolve)
    schedule()
  })
}
