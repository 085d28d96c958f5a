// Allowed values of every scalar simulator option, shared by the programmatic
// API (startSimulator) and the CLI flags, so both reject the same values.
import type { SimulatorOptions } from './options.js'

export type NumericOption = {
  [K in keyof SimulatorOptions]-?: SimulatorOptions[K] extends number ? K : never
}[keyof SimulatorOptions]

export type TextOption = 'host' | 'login' | 'key'

export interface NumberRule {
  integer: boolean
  min: number
  max: number
}

export const NUMBER_RULES: Readonly<Record<NumericOption, NumberRule>> = {
  port: { integer: true, min: 0, max: 65_535 },
  seed: { integer: true, min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  tasks: { integer: true, min: 0, max: 10_000_000 },
  automations: { integer: true, min: 1, max: 10_000 },
  runners: { integer: true, min: 1, max: 10_000 },
  historyDays: { integer: true, min: 1, max: 3_650 },
  latencyMs: { integer: false, min: 0, max: 600_000 },
  pageSize: { integer: true, min: 1, max: 2_000 },
  tokenTtlS: { integer: false, min: 1, max: 31_536_000 },
  errorRate: { integer: false, min: 0, max: 1 },
  rateLimit: { integer: true, min: 0, max: 1_000_000 },
  growthPerS: { integer: false, min: 0, max: 100_000 },
  timeScale: { integer: false, min: 0.001, max: 1_000_000 },
  clockOffsetS: { integer: false, min: -315_360_000, max: 315_360_000 }
}

export const TEXT_OPTIONS: readonly TextOption[] = ['host', 'login', 'key']

export const NUMERIC_OPTIONS = Object.keys(NUMBER_RULES) as NumericOption[]

/** camelCase option name → its CLI flag (historyDays → history-days). */
export function flagName(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

export function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a number'
  if (rule.max === Number.MAX_SAFE_INTEGER) return kind
  return `${kind} from ${rule.min} to ${rule.max}`
}

export function satisfies(rule: NumberRule, value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    value >= rule.min && value <= rule.max
}
