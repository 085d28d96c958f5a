// The task ledger (issue 17) against a living upstream on a clock that moves:
// tasks keep arriving (1,000 an hour) and progress, and the clock of both the
// simulator and the bridge jumps an hour at a time. A repeat load reads only
// the pages of new tasks and of tasks not final at the previous load, and
// every load is the upstream as it stood at one instant of its requests (or at
// most CACHE_TTL_S before; a final task at most LEDGER_VERIFY_H before).
// Nothing here depends on the machine's speed: the clock jumps are far larger
// than any load takes.
import t from 'tap'
import type { Test } from 'tap'
import { closeNow, listenBridge } from '../fixtures/bridge.js'
import type { ListeningBridge } from '../fixtures/bridge.js'
import { expectNone, loadAll, setFailures, staleRows } from '../fixtures/moving-oracle.js'
import type { Window } from '../fixtures/moving-oracle.js'
import { startSimulator } from '../../src/simulator/index.js'
import type { Simulator } from '../../src/simulator/index.js'

const HOUR = 3_600_000
const P = 20
const TTL_S = 600
let offset = 0
const now = (): number => Date.now() + offset

const sim = await startSimulator({ port: 0, tasks: 3000, historyDays: 300, growthPerS: 1000 / 3600, seed: 17, now })
t.teardown(() => sim.close())

async function bridgeWith(env: Record<string, string>): Promise<ListeningBridge> {
  const bridge = await listenBridge(sim, { CACHE_TTL_S: String(TTL_S), PAGE_SIZE: '1000', ...env }, { now })
  t.teardown(() => closeNow(bridge.app))
  return bridge
}

interface Load {
  readonly rows: Record<string, unknown>[]
  readonly calls: number
  readonly first: Window
  readonly created: number
}

/** A whole nextLink load, its upstream calls to the tasks route, and the tasks created while it ran. */
async function load(bridge: ListeningBridge, query: string, init?: RequestInit): Promise<Load> {
  const before = sim.stats().tasks
  const tasksBefore = sim.tasks().length
  const { rows, windows, first } = await loadAll(sim, TTL_S * 1000, `${bridge.feed}${query}`, init)
  return { rows, calls: sim.stats().tasks - before, first: { lo: first.lo, hi: windows[windows.length - 1]?.hi ?? first.hi }, created: sim.tasks().length - tasksBefore }
}

function exact(t: Test, l: Load, what: string): void {
  expectNone(t, setFailures(sim, l.rows.map((r) => r.id as number), l.first, { days: 3650, clockFuzzMs: 5000 }), `${what}: every task once, none missing`)
  expectNone(t, staleRows(sim, l.rows, l.first), `${what}: each task as the upstream had it during the load, or at most CACHE_TTL_S before`)
}

const notFinal = (rows: readonly Record<string, unknown>[]): Set<number> =>
  new Set(rows.filter((r) => r.state !== 'FINISHED' && r.state !== 'CANCELED').map((r) => r.id as number))

/** Pages of the upstream list now holding these tasks. */
function pagesHolding(s: Simulator, ids: ReadonlySet<number>): number {
  const pages = new Set<number>()
  s.tasks().forEach((w, i) => { if (ids.has(w.id)) pages.add(Math.floor(i / P)) })
  return pages.size
}

t.test('a repeat load reads only new tasks and tasks not final the load before', async (t) => {
  const bridge = await bridgeWith({})
  const listed = sim.tasks().length
  const cold = await load(bridge, 'Tasks?days=3650')
  t.ok(cold.calls <= Math.ceil(listed / P) + Math.ceil(cold.created / P) + 1, `cold: ${cold.calls} calls for ${Math.ceil(listed / P)} pages, ${cold.created} tasks created meanwhile`)
  exact(t, cold, 'cold')

  const warm = await load(bridge, 'Tasks?days=3650', { headers: { prefer: 'odata.maxpagesize=700' } })
  t.equal(warm.calls, 0, 'a repeat within CACHE_TTL_S makes no call')
  exact(t, warm, 'repeat within CACHE_TTL_S')

  let previous = cold
  for (let hour = 1; hour <= 2; hour++) {
    const tasksBefore = sim.tasks().length
    offset += HOUR
    const arrived = sim.tasks().length - tasksBefore
    const running = pagesHolding(sim, notFinal(previous.rows))
    const next = await load(bridge, 'Tasks?days=3650')
    const bound = 1.1 * (Math.ceil((arrived + next.created) / P) + running + 2)
    t.ok(next.calls <= bound, `an hour later, ${arrived} new tasks, ${notFinal(previous.rows).size} not final before on ${running} pages: ${next.calls} calls (at most ${bound.toFixed(1)}; the whole list is ${Math.ceil(sim.tasks().length / P)} pages)`)
    t.ok(next.rows.length >= previous.rows.length + arrived, 'the new tasks are in')
    exact(t, next, `hour ${hour}`)
    previous = next
  }
})

t.test('every kind of Tasks query reads through the ledger', async (t) => {
  const bridge = await bridgeWith({})
  for (const query of [
    'Tasks?days=3650&$orderby=machineId,id&$select=id,machineId',
    'Tasks?$filter=dateCreation%20ge%20{since}%20and%20dateCreation%20lt%20{until}&days=3650',
    'Tasks?days=3650&$skip=1500&$top=45',
    "Tasks?days=3650&$filter=state%20eq%20'FINISHED'&$count=true&$select=id",
    'Tasks?days=3650&$apply=groupby((state),aggregate($count%20as%20n))',
    'Tasks/$count?days=3650',
    'Automations?days=30&$expand=Tasks($select=id)&$top=1'
  ]) {
    // The load before: the whole list, as a refresh reads it.
    offset += HOUR
    const running = notFinal((await load(bridge, 'Tasks?days=3650')).rows)
    const tasksBefore = sim.tasks().length
    offset += HOUR
    const arrived = sim.tasks().length - tasksBefore
    const bound = 1.1 * (Math.ceil(arrived / P) + pagesHolding(sim, running) + 2)
    const path = query.replace('{since}', new Date(sim.now() - 40 * 86_400_000).toISOString()).replace('{until}', new Date(sim.now() - 20 * 86_400_000).toISOString())
    const before = sim.stats().tasks
    let next: string | undefined = `${bridge.feed}${path}`
    while (next !== undefined) {
      const res: Response = await fetch(next)
      t.equal(res.status, 200, query)
      next = path.includes('$count?') ? undefined : ((await res.json()) as { '@odata.nextLink'?: string })['@odata.nextLink']
    }
    const calls = sim.stats().tasks - before
    t.ok(calls <= bound, `${query}, an hour later: ${calls} calls (at most ${bound.toFixed(1)}; the whole list is ${Math.ceil(sim.tasks().length / P)} pages)`)
  }
})

t.test('a final task that changes shows the change within LEDGER_VERIFY_H, and not before', async (t) => {
  const bridge = await bridgeWith({ LEDGER_VERIFY_H: '1' })
  offset += HOUR
  await load(bridge, 'Tasks?days=3650')
  // A task of a month ago: its page holds only final tasks.
  const old = sim.tasks().find((w) => Date.parse(w.dateCreation) < sim.now() - 30 * 86_400_000) as { id: number }
  const id = sim.inject({ kind: 'change-final', taskId: old.id }) as number
  const changed = sim.tasks().find((w) => w.id === id)
  offset += 20 * 60_000
  const soon = await load(bridge, 'Tasks?days=3650')
  const seen = soon.rows.find((r) => r.id === id)
  t.not(seen?.finishStatus, changed?.finishStatus, 'twenty minutes later, the ledger still stands for the task as it was (a final task is believed)')
  offset += 45 * 60_000
  const later = await load(bridge, 'Tasks?days=3650')
  t.equal(later.rows.find((r) => r.id === id)?.finishStatus, changed?.finishStatus, 'past LEDGER_VERIFY_H its page was read again: the change shows')
  exact(t, later, 'after the change')
})

t.test('LEDGER_MAX_MB=0 turns the ledger off: a repeat an hour later reads every page', async (t) => {
  const bridge = await bridgeWith({ LEDGER_MAX_MB: '0' })
  offset += HOUR
  await load(bridge, 'Tasks?days=3650')
  offset += HOUR
  const pages = Math.ceil(sim.tasks().length / P)
  const again = await load(bridge, 'Tasks?days=3650')
  t.ok(again.calls >= pages, `${again.calls} calls for ${pages} pages`)
  exact(t, again, 'without the ledger')
})
