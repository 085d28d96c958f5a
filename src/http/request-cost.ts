// What a request cost the upstream, against what its plan estimated: kept
// with the reply so the request's log line ("request completed") carries it.
import type { FastifyReply } from 'fastify'
import type { Bounds } from '../plan/plan.js'
import type { Actual } from '../execute/meter.js'

export interface RequestCost {
  /** Each read as `Set:strategy`. */
  readonly plan: string
  /** Upstream page reads estimated (null: unknown before reading). */
  readonly estimate: Bounds | null
  readonly actual: Actual
}

const COSTS = new WeakMap<object, RequestCost>()

export function recordCost(reply: FastifyReply, cost: RequestCost): void {
  COSTS.set(reply, cost)
}

export function costOf(reply: object): RequestCost | undefined {
  return COSTS.get(reply)
}
