// What one answer may hold: an $expand reads at most EXPAND_MAX_ROWS related
// rows for a page, above which a 400 names the query that reads them as a set
// of their own, paged; and the answer cache keeps only answers of at most an
// eighth of its bytes, which it stops gathering past that while they stream.
import t from 'tap'
import { getJson, readAll, startBridge } from '../fixtures/bridge.js'

const NOW = Date.UTC(2026, 9, 15, 12)

t.test('an $expand above EXPAND_MAX_ROWS is refused with the query to use instead', async (t) => {
  const bridge = await startBridge({ sim: { tasks: 2000, seed: 6, now: () => NOW }, now: () => NOW, env: { EXPAND_MAX_ROWS: '100' } })
  t.teardown(() => bridge.close())
  const refused = await getJson(`${bridge.feed}Automations?$expand=Tasks($select=id)`)
  t.equal(refused.status, 400)
  const error = refused.body.error as { code: string; message: string; target: string }
  t.equal(error.code, 'BRIDGE_ERR_WINDOW_TOO_LARGE')
  t.equal(error.target, '$expand')
  t.match(error.message, /relates this page to more than 100 Tasks, the most one expansion reads \(EXPAND_MAX_ROWS\).*Automations\('label'\)\/Tasks or Tasks\?\$filter=activityLabel eq 'label'/)
  const busiest = [...bridge.sim.automations(30)].sort((a, b) => b.taskCount - a.taskCount)[0]
  const own = await readAll(`${bridge.feed}Automations('${busiest?.label ?? ''}')/Tasks?$select=id`)
  t.equal(own.rows.length, busiest?.taskCount, `the suggested query reads one automation's tasks: ${own.rows.length}`)
  const narrow = await getJson(`${bridge.feed}Automations?$expand=Tasks($select=id;$filter=id eq 0)`)
  t.equal(narrow.status, 200, 'a narrowed expansion is answered')
  const small = await getJson(`${bridge.feed}Tasks?$top=50&$expand=Automation`)
  t.equal(small.status, 200, 'expanding one automation per task is far below the bound')
})

t.test('the answer cache keeps answers up to an eighth of its bytes, and no larger one', async (t) => {
  // CACHE_MAX_MB=1: the answer cache holds 256 KiB, so answers of at most 32 KiB.
  const bridge = await startBridge({ sim: { tasks: 3000, seed: 6, now: () => NOW }, now: () => NOW, env: { CACHE_MAX_MB: '1', CACHE_TTL_S: '3600' } })
  t.teardown(() => bridge.close())
  // Pages read again, from the page cache or the task ledger.
  const hits = async (): Promise<number> => {
    const text = await (await fetch(`${bridge.origin}/metrics`)).text()
    const figure = (name: string): number => Number(new RegExp(`^botcity_odata_${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN)
    return figure('page_cache_hits_total') + figure('task_ledger_pages_served_total')
  }
  for (const [query, kept] of [['Tasks?$top=20&$select=id', true], ['Tasks?$top=1000', false]] as const) {
    const first = await fetch(`${bridge.feed}${query}`)
    const bytes = (await first.arrayBuffer()).byteLength
    const before = await hits()
    const again = await fetch(`${bridge.feed}${query}`)
    await again.arrayBuffer()
    const read = await hits() - before
    if (kept) t.equal(read, 0, `${query}: ${bytes} bytes, answered again from the kept answer`)
    else t.ok(read > 0, `${query}: ${bytes} bytes, not kept: written again from pages held (${read})`)
    t.ok(kept ? bytes < 32 * 1024 : bytes > 32 * 1024, `${bytes} bytes`)
  }
})
