// Error messages that say where an option value broke: 1-based character
// position in the decoded value and a short excerpt from that point.
import { bridgeError, type BridgeError, type ErrorCode } from '../errors.js'

const EXCERPT = 24

/** `at 'and x eq'` or `at end of input`, for a 1-based position. */
export function excerptAt(text: string, position: number): string {
  if (position > text.length) return 'at end of input'
  const slice = text.slice(position - 1, position - 1 + EXCERPT)
  return `at '${slice}${position - 1 + EXCERPT < text.length ? '…' : ''}'`
}

/** 400 BRIDGE_ERR_SYNTAX: "Syntax error in $filter at position 14: expected …, at 'x'". */
export function syntaxError(option: string, text: string, position: number, reason: string): BridgeError {
  return bridgeError('BRIDGE_ERR_SYNTAX', `Syntax error in ${option} at position ${position}: ${reason}, ${excerptAt(text, position)}`, { target: option })
}

/** Any other positioned error (type mismatch, invalid literal, limit, 501): "<kind> in $filter at position N: reason". */
const KIND: Partial<Record<ErrorCode, string>> = {
  BRIDGE_ERR_TYPE_MISMATCH: 'Type mismatch',
  BRIDGE_ERR_INVALID_LITERAL: 'Invalid literal',
  BRIDGE_ERR_NOT_IMPLEMENTED: 'Not supported',
  BRIDGE_ERR_LIMIT_EXCEEDED: 'Limit exceeded'
}

export function positionedError(code: ErrorCode, option: string, position: number, reason: string): BridgeError {
  const kind = KIND[code] ?? 'Error'
  return bridgeError(code, `${kind} in ${option} at position ${position}: ${reason}`, { target: option })
}
