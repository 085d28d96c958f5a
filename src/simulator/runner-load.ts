// Which runners run which automation, and how long runs last, so that the
// runners stay plausibly busy (utilizationRate well below 100%).
import type { AutomationProfile, CatalogSpec } from './catalog.js'
import type { Random } from './prng.js'
import { DAY_MS } from './wire-dates.js'

/** Share of the history the busiest runner may spend running tasks. */
const MAX_UTILIZATION = 0.6

/**
 * Heaviest automations first, each to the least loaded active runner;
 * some also get a second runner.
 */
export function assignRunners(random: Random, weights: readonly number[], active: readonly number[]): number[][] {
  const load = new Map(active.map((runner) => [runner, 0]))
  const order = weights.map((weight, i) => ({ weight, i })).sort((a, b) => b.weight - a.weight)
  const assigned: number[][] = weights.map(() => [])
  for (const { weight, i } of order) {
    const ranked = [...load.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([runner]) => runner)
    const own = ranked.length > 1 && random() < 0.3 ? ranked.slice(0, 2) : ranked.slice(0, 1)
    for (const runner of own) load.set(runner, (load.get(runner) as number) + weight / own.length)
    assigned[i] = own
  }
  return assigned
}

/** Shortens every run alike when the busiest runner would exceed MAX_UTILIZATION. */
export function fitDurations(automations: AutomationProfile[], spec: CatalogSpec): AutomationProfile[] {
  const totalWeight = automations.reduce((sum, a) => sum + a.weight, 0)
  const busy = new Map<number, number>()
  for (const a of automations) {
    const share = spec.tasks * a.weight / totalWeight * a.meanRunMs / a.runners.length
    for (const runner of a.runners) busy.set(runner, (busy.get(runner) ?? 0) + share)
  }
  const busiestMs = Math.max(0, ...busy.values())
  const capacityMs = spec.historyDays * DAY_MS * MAX_UTILIZATION
  if (busiestMs <= capacityMs) return automations
  const factor = capacityMs / busiestMs
  return automations.map((a) => ({ ...a, meanRunMs: Math.max(1000, Math.round(a.meanRunMs * factor)) }))
}
