// The automations and runners of one workspace, with the hidden traits
// (popularity, durations, failure rates, economics) its tasks are drawn from.
import { AUTOMATION_LABELS, EXTRA_REPOSITORIES, SYSTEMS, humanName } from './label-pool.js'
import { between, intBetween, logBetween, randomFor, shuffled } from './prng.js'
import type { Random } from './prng.js'
import { assignRunners, fitDurations } from './runner-load.js'

/** The automation of BotCity's documentation examples (its Insights API page). */
export const EXAMPLE_AUTOMATION = 'supplierHomologation'
import { DAY_MS } from './wire-dates.js'

export interface AutomationProfile {
  readonly label: string
  readonly name: string
  readonly description: string | null
  readonly repositoryLabel: string
  readonly machineId: string | null
  readonly dateMs: number
  /** Relative share of the workspace's tasks. */
  readonly weight: number
  readonly meanRunMs: number
  readonly meanItems: number
  /** Automations that never call finish with item counts leave them null. */
  readonly reportsItems: boolean
  readonly failRate: number
  readonly partialRate: number
  readonly cancelRate: number
  /** Indexes into Catalog.runners of the machines that run it. */
  readonly runners: readonly number[]
  readonly manualMinutesPerItem: number
  readonly manualMinutesPerTask: number
  readonly hourlyCost: number
  readonly monthlyCost: number
}

export interface RunnerProfile {
  readonly id: string
  readonly status: string
  readonly log: string | null
  readonly remoteAccess: string | null
}

export interface Catalog {
  readonly automations: readonly AutomationProfile[]
  readonly runners: readonly RunnerProfile[]
  /** Running sums of the automation weights, for weighted picks. */
  readonly cumulativeWeights: readonly number[]
}

export interface CatalogSpec {
  seed: number
  automations: number
  runners: number
  historyDays: number
  startMs: number
  /** History size, to keep runner utilization plausible. */
  tasks: number
  /** Hold the automation of BotCity's documentation examples (task-store.ts EXAMPLE_TASK) as the busiest one. */
  examples?: boolean
}

export function createCatalog(spec: CatalogSpec): Catalog {
  const random = randomFor(spec.seed, 'catalog')
  const runners = Array.from({ length: spec.runners }, (_, i) => createRunner(random, i, spec.runners))
  const active = runners.flatMap((runner, i) => (runner.status === 'created' ? [] : [i]))
  const repositories = ['DEFAULT', ...shuffled(random, EXTRA_REPOSITORIES).slice(0, intBetween(random, 1, 2))]
  const labels = labelsFor(random, spec.automations)
  if (spec.examples === true && !labels.includes(EXAMPLE_AUTOMATION)) labels[0] = EXAMPLE_AUTOMATION
  const weights = labels.map((_, rank) => between(random, 0.6, 1.4) / Math.pow(rank + 1, 0.8))
  const assigned = assignRunners(random, weights, active)
  const drafts = labels.map((label, i) => createAutomation(random, {
    label, weight: weights[i] as number, own: assigned[i] as number[], repositories, runners, spec
  }))
  const automations = fitDurations(drafts, spec)
  let sum = 0
  const cumulativeWeights = automations.map((a) => (sum += a.weight))
  return { automations, runners, cumulativeWeights }
}

function labelsFor(random: Random, count: number): string[] {
  const pool = shuffled(random, AUTOMATION_LABELS)
  return Array.from({ length: count }, (_, i) => {
    const base = pool[i % pool.length] as string
    const round = Math.floor(i / pool.length)
    return round === 0 ? base : `${base}${round + 1}`
  })
}

function createRunner(random: Random, index: number, count: number): RunnerProfile {
  const id = `vm${String(index + 1).padStart(2, '0')}`
  const status = count >= 3 && index === count - 1
    ? 'created'
    : count >= 4 && index === count - 2 ? 'offline' : 'online'
  const log = random() < 0.5 ? null : `runner ${id} ${status === 'created' ? 'registered' : 'connected'}`
  return { id, status, log, remoteAccess: random() < 0.7 ? '' : null }
}

interface AutomationSeed {
  label: string
  weight: number
  own: readonly number[]
  repositories: readonly string[]
  runners: readonly RunnerProfile[]
  spec: CatalogSpec
}

function createAutomation(random: Random, seed: AutomationSeed): AutomationProfile {
  const name = humanName(seed.label)
  const system = SYSTEMS[Math.floor(random() * SYSTEMS.length)] as string
  const reportsItems = random() >= 0.15
  const historyStart = seed.spec.startMs - seed.spec.historyDays * DAY_MS
  return {
    label: seed.label,
    name,
    description: random() < 0.15 ? null : `${name} Automation for ${system}`,
    repositoryLabel: random() < 0.5 ? 'DEFAULT' : seed.repositories[intBetween(random, 0, seed.repositories.length - 1)] as string,
    machineId: random() < 0.25 ? (seed.runners[seed.own[0] as number] as RunnerProfile).id : null,
    dateMs: Math.floor(between(random, historyStart - 90 * DAY_MS, seed.spec.startMs - DAY_MS)),
    weight: seed.weight,
    meanRunMs: Math.round(logBetween(random, 60_000, 40 * 60_000)),
    meanItems: logBetween(random, 5, 500),
    reportsItems,
    failRate: between(random, 0.02, 0.12),
    partialRate: reportsItems ? between(random, 0.03, 0.12) : 0,
    cancelRate: between(random, 0.01, 0.05),
    runners: seed.own,
    manualMinutesPerItem: between(random, 0.5, 6),
    manualMinutesPerTask: between(random, 15, 120),
    hourlyCost: between(random, 25, 80),
    monthlyCost: between(random, 200, 1500)
  }
}

/** Picks an automation index with probability proportional to its weight. */
export function pickAutomation(catalog: Catalog, random: Random): number {
  const weights = catalog.cumulativeWeights
  const target = random() * (weights[weights.length - 1] as number)
  let lo = 0
  let hi = weights.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((weights[mid] as number) > target) hi = mid
    else lo = mid + 1
  }
  return lo
}
