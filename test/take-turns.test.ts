// takeTurn(): long work made of steps that resolve at once gives the event
// loop a turn once a slice is spent, and chains of such work share the loop.
// Each step here holds the loop for at least 1 ms (it waits on the clock), so
// the counts below hold on a machine of any speed.
import t from 'tap'
import { performance } from 'node:perf_hooks'
import { SLICE_MS, takeTurn } from '../src/take-turns.js'

/** A step of at least 1 ms, holding the loop. */
function busyStep(): void {
  const until = performance.now() + 1
  while (performance.now() < until) { /* holding the loop */ }
}

/** `steps` steps in one chain, each awaiting takeTurn() (or nothing); returns how many were done when `probe` ran. */
async function chain(steps: number, turns: boolean, done: { n: number }): Promise<void> {
  for (let i = 0; i < steps; i++) {
    busyStep()
    done.n++
    await (turns ? takeTurn() : Promise.resolve())
  }
}

t.test('without turns, a chain of resolved steps holds the loop to its end (what the scan over cached pages did)', async (t) => {
  const done = { n: 0 }
  let seen = -1
  setImmediate(() => { seen = done.n })
  await chain(60, false, done)
  await new Promise((r) => setImmediate(r))
  t.equal(seen, 60, 'the loop turned only after all 60 steps')
})

t.test('with turns, the loop turns within a slice of steps', async (t) => {
  const done = { n: 0 }
  let seen = -1
  setImmediate(() => { seen = done.n })
  await chain(60, true, done)
  t.ok(seen >= 0 && seen <= SLICE_MS + 1, `the loop turned after ${seen} steps of ≥ 1 ms (slice ${SLICE_MS} ms)`)
})

t.test('chains share the loop: each turn carries about one slice of work, whatever their number', async (t) => {
  const counters = Array.from({ length: 4 }, () => ({ n: 0 }))
  // Samples of the total work done between two turns of the loop.
  const between: number[] = []
  let last = 0
  let sampling = true
  const sample = (): void => {
    const total = counters.reduce((s, c) => s + c.n, 0)
    between.push(total - last)
    last = total
    if (sampling) setImmediate(sample)
  }
  setImmediate(sample)
  await Promise.all(counters.map((c) => chain(30, true, c)))
  sampling = false
  t.equal(counters.reduce((s, c) => s + c.n, 0), 120, 'all the work was done')
  const most = Math.max(...between)
  t.ok(most <= 2 * (SLICE_MS + 1), `at most ${most} steps between two turns, with four chains (slice ${SLICE_MS} ms)`)
})
