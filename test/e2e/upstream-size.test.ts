// Larger upstream pages when BotCity honours `size`: probed once, used only if confirmed.
import t from 'tap'
import { readAll, startBridge } from '../fixtures/bridge.js'
import { expectedTasks } from '../fixtures/oracle.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)

for (const honorSize of [true, false]) {
  t.test(`upstream ${honorSize ? 'honours' : 'ignores'} size`, async (t) => {
    const bridge = await startBridge({ sim: { tasks: 4000, historyDays: 40, honorSize, now: () => NOW }, now: () => NOW, env: { UPSTREAM_PAGE_SIZE: 'auto', CACHE_TTL_S: '0' } })
    t.teardown(() => bridge.close())
    const expected = expectedTasks(bridge.sim.tasks(), NOW, 30)
    bridge.sim.resetStats()
    const { rows } = await readAll(`${bridge.feed}Tasks`)
    t.same(rows, expected, 'the same rows either way')
    const pageRows = honorSize ? 1000 : 20
    // One probe, then every page holding a row of the set plus the one showing where it ends.
    t.equal(bridge.sim.stats().tasks, 1 + Math.floor(expected.length / pageRows) + 1, `pages of ${pageRows}`)
    const window = await readAll(`${bridge.feed}Tasks?$skip=1500&$top=30`)
    t.same(window.rows, expected.slice(1500, 1530))
  })
}
