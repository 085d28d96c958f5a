// Explicit limits on what one request may ask the parser to do (issue 6,
// "Hostile input"). Every limit answers 400 BRIDGE_ERR_LIMIT_EXCEEDED (or
// BRIDGE_ERR_INVALID_OPTION_VALUE for $top/$skip/days), never a crash.

export interface ParseLimits {
  /** Characters in the raw query string (after `?`, before decoding). */
  readonly maxQueryLength: number
  /** Characters in one decoded option value ($filter, $orderby, …). */
  readonly maxOptionLength: number
  /** Nesting depth of an expression: parentheses, unary operators, call arguments, and tree height. */
  readonly maxDepth: number
  /** Nodes in one expression tree (a $filter, all $orderby keys, or a $search). */
  readonly maxNodes: number
  /** Largest $top (2^31-1, the Edm.Int32 maximum). */
  readonly maxTop: number
  /** Largest $skip. */
  readonly maxSkip: number
  /** Largest custom `days` horizon (ten years). */
  readonly maxDays: number
}

export const DEFAULT_LIMITS: ParseLimits = Object.freeze({
  maxQueryLength: 16_384,
  maxOptionLength: 8_192,
  maxDepth: 100,
  maxNodes: 10_000,
  maxTop: 2_147_483_647,
  maxSkip: 2_147_483_647,
  maxDays: 3_650
})
