// Splitting option text at a separator that stands outside parentheses and
// string literals ('…' with '' escaping): $expand items and their `;` options,
// $apply transformations and their arguments.
import { bridgeError } from '../errors.js'

/** Splits at `separator` outside parentheses and string literals. */
export function splitOutside(text: string, separator: string, option: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === "'") quoted = !quoted
    else if (quoted) continue
    else if (c === '(') depth++
    else if (c === ')' && --depth < 0) throw bridgeError('BRIDGE_ERR_SYNTAX', `Syntax error in ${option} at position ${i + 1}: unbalanced ')'`, { target: option })
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  if (depth !== 0 || quoted) throw bridgeError('BRIDGE_ERR_SYNTAX', `Syntax error in ${option}: ${quoted ? 'unterminated string literal' : "missing ')'"}`, { target: option })
  parts.push(text.slice(start))
  return parts.map((p) => p.trim())
}
