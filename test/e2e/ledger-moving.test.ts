// The task ledger on a living upstream at other speeds (issue 17): the
// simulator's clock runs 1×, 30× and 60× real time, with tasks created at 5,
// 2 and 1 a (simulated) second and progressing; the bridge caches for 1 s. Loads
// follow each other a little more than CACHE_TTL_S apart, so each one takes
// what it can from the ledger and reads the rest. Every load must be the
// upstream of one instant (no task missing, none twice, each as it stood
// during its load or at most CACHE_TTL_S before), and the repeat loads must
// read fewer pages than the list has: the ledger at work under motion.
import t from 'tap'
import { startBridge } from '../fixtures/bridge.js'
import { expectNone, loadAll, setFailures, sleep, staleRows } from '../fixtures/moving-oracle.js'

const TTL_S = 1
const P = 20

for (const [timeScale, growthPerS] of [[1, 5], [30, 2], [60, 1]] as const) {
  t.test(`time ×${timeScale}, ${growthPerS} tasks a simulated second`, async (t) => {
    const bridge = await startBridge({ sim: { tasks: 3000, historyDays: 60, growthPerS, timeScale, seed: 31 }, env: { CACHE_TTL_S: String(TTL_S), PAGE_SIZE: '1000' } })
    t.teardown(() => bridge.close())
    const { sim } = bridge
    const ttlSim = TTL_S * 1000 * timeScale
    const fuzz = 3000 * timeScale
    for (let i = 0; i < 4; i++) {
      const before = sim.stats().tasks
      const pages = Math.ceil(sim.tasks().length / P)
      const load = await loadAll(sim, ttlSim, `${bridge.feed}Tasks?days=3650`)
      const calls = sim.stats().tasks - before
      const window = { lo: load.first.lo, hi: load.windows[load.windows.length - 1]?.hi ?? load.first.hi }
      expectNone(t, setFailures(sim, load.rows.map((r) => r.id as number), window, { days: 3650, clockFuzzMs: fuzz }), `load ${i + 1}: every task of one instant once, none missing`)
      expectNone(t, staleRows(sim, load.rows, window), `load ${i + 1}: each as it stood during the load, or at most CACHE_TTL_S before`)
      if (i > 0) t.ok(calls < 0.8 * pages, `load ${i + 1}: ${calls} calls for a list of ${pages} pages`)
      await sleep(TTL_S * 1000 + 200)
    }
  })
}
