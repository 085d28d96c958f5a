// Validators for the scalar query options: $top, $skip (ABNF 1*DIGIT),
// $count (booleanValue), $format, $skiptoken, and the custom `days`.
// Values are validated, never coerced: `1.5`, `1e3`, `-1`, ` 5` are errors.
import { bridgeError } from '../errors.js'
import type { FormatChoice } from './ast.js'

/** ABNF `top = '$top' EQ 1*DIGIT` (likewise $skip, days): digits only, within [min, max]. */
export function parseInteger(option: string, value: string, min: number, max: number): number {
  const what = min > 0 ? 'a positive integer' : 'a non-negative integer'
  if (!/^\d+$/.test(value)) {
    throw bridgeError('BRIDGE_ERR_INVALID_OPTION_VALUE', `${option} must be ${what} (digits only), not '${value.slice(0, 40)}'`, { target: option })
  }
  const n = Number(value)
  if (n < min || n > max) {
    throw bridgeError('BRIDGE_ERR_INVALID_OPTION_VALUE', `${option} must be between ${min} and ${max}, not ${value.length > 20 ? `${value.slice(0, 20)}…` : value}`, { target: option })
  }
  return n
}

/** ABNF booleanValue = "true" / "false" (ABNF strings are case-insensitive). */
export function parseBooleanOption(option: string, value: string): boolean {
  const lower = value.toLowerCase()
  if (lower === 'true' || lower === 'false') return lower === 'true'
  throw bridgeError('BRIDGE_ERR_INVALID_OPTION_VALUE', `${option} must be true or false, not '${value.slice(0, 40)}'`, { target: option })
}


const METADATA = new Set(['minimal', 'full', 'none'])

/**
 * $format (Part 2 §5.1.9; Part 1, "System Query Option $format"): `json` or `application/json`,
 * optionally with `odata.metadata=minimal|full|none` (or 4.01 `metadata=`)
 * and `IEEE754Compatible=true|false`; other parameters (charset,
 * odata.streaming) are accepted and ignored. Anything else is 406.
 */
export function parseFormat(value: string): FormatChoice {
  const [type = '', ...params] = value.split(';').map((s) => s.trim())
  const notAcceptable = (why: string): Error =>
    bridgeError('BRIDGE_ERR_NOT_ACCEPTABLE', `$format '${value.slice(0, 60)}' cannot be produced: ${why}; use json or application/json`, { target: '$format' })
  const media = type.toLowerCase()
  if (media !== 'json' && media !== 'application/json') throw notAcceptable('this service answers JSON only')
  let metadata: FormatChoice['metadata']
  let ieee754Compatible: boolean | undefined
  for (const param of params) {
    if (param === '') continue
    const eq = param.indexOf('=')
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase()
    const v = (eq < 0 ? '' : param.slice(eq + 1)).trim().toLowerCase()
    if (name === 'odata.metadata' || name === 'metadata') {
      if (!METADATA.has(v)) throw notAcceptable(`odata.metadata must be minimal, full or none`)
      metadata = v as FormatChoice['metadata']
    } else if (name === 'ieee754compatible') {
      if (v !== 'true' && v !== 'false') throw notAcceptable('IEEE754Compatible must be true or false')
      ieee754Compatible = v === 'true'
    }
  }
  return { ...(metadata === undefined ? {} : { metadata }), ...(ieee754Compatible === undefined ? {} : { ieee754Compatible }) }
}

/** ABNF `skiptoken = '$skiptoken' EQ 1*( qchar-no-AMP )`: opaque, but not empty. */
export function parseSkiptoken(value: string): string {
  if (value === '') throw bridgeError('BRIDGE_ERR_INVALID_OPTION_VALUE', '$skiptoken must not be empty', { target: '$skiptoken' })
  return value
}
