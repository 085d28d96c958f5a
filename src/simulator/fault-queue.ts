// Faults queued by tests (inject / POST /__sim/faults) for the next matching calls.
import type { SimulatorFault, SimulatorStats } from './options.js'

export type RouteName = keyof SimulatorStats

export const ROUTE_NAMES: readonly RouteName[] = ['login', 'tasks', 'automation', 'runners', 'version']
export const DATA_ROUTES: ReadonlySet<RouteName> = new Set(['tasks', 'automation', 'runners'])

const KINDS: ReadonlySet<string> = new Set(['status', 'slow', 'reset', 'malformed', 'expire-tokens', 'change-final'])

interface Pending {
  fault: SimulatorFault
  remaining: number
}

export class FaultQueue {
  private pending: Pending[] = []

  add(fault: SimulatorFault): void {
    this.pending.push({ fault: checkFault(fault), remaining: fault.count ?? 1 })
  }

  clear(): void {
    this.pending = []
  }

  /** The first queued fault for this route, used up by one call. */
  take(route: RouteName): SimulatorFault | undefined {
    const entry = this.pending.find((p) => p.fault.route === undefined ? DATA_ROUTES.has(route) : p.fault.route === route)
    if (entry === undefined) return undefined
    if (--entry.remaining === 0) this.pending = this.pending.filter((p) => p !== entry)
    return entry.fault
  }
}

/** Validates a fault from JSON or code; throws a TypeError naming the bad field. */
export function checkFault(value: unknown): SimulatorFault {
  if (typeof value !== 'object' || value === null) throw new TypeError('fault must be a JSON object')
  const fault = value as Record<string, unknown>
  if (typeof fault.kind !== 'string' || !KINDS.has(fault.kind)) {
    throw new TypeError(`fault.kind must be one of ${[...KINDS].join(', ')}`)
  }
  optionalInt(fault, 'status', 100, 599)
  optionalInt(fault, 'retryAfterS', 0, 86_400)
  optionalInt(fault, 'delayMs', 0, 600_000)
  optionalInt(fault, 'count', 1, Number.MAX_SAFE_INTEGER)
  optionalInt(fault, 'taskId', 0, Number.MAX_SAFE_INTEGER)
  if (fault.route !== undefined && !ROUTE_NAMES.includes(fault.route as RouteName)) {
    throw new TypeError(`fault.route must be one of ${ROUTE_NAMES.join(', ')}`)
  }
  return value as SimulatorFault
}

function optionalInt(fault: Record<string, unknown>, field: string, min: number, max: number): void {
  const v = fault[field]
  if (v === undefined) return
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new TypeError(`fault.${field} must be an integer from ${min} to ${max}`)
  }
}
