// ① Splits and decodes the raw query string (OData 4.01 Part 2 §2.1 "URL
// Parsing"): split the undecoded query at `&`, each option at the first `=`,
// then percent-decode name and value exactly once. `+` is NOT a space here.
import { bridgeError } from '../errors.js'
import { DEFAULT_LIMITS, type ParseLimits } from './limits.js'
import { percentDecode } from './percent-decode.js'
import { classifyOption, SUPPORTED_OPTIONS, type SupportedOption } from './system-options.js'

/** One `name=value` of a query string, still percent-encoded. */
export interface QueryPair {
  /** The pair as written. */
  readonly raw: string
  readonly rawName: string
  /** '' when the pair has no `=`. */
  readonly rawValue: string
}

/** Splits the undecoded query string at `&` (skipping empty parts), each part at its first `=`: the one place a query string is split. */
export function splitQuery(raw: string): QueryPair[] {
  const pairs: QueryPair[] = []
  for (const part of raw.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    pairs.push({ raw: part, rawName: eq < 0 ? part : part.slice(0, eq), rawValue: eq < 0 ? '' : part.slice(eq + 1) })
  }
  return pairs
}

/** A percent-encoded name or value decoded, or null when it is not valid percent-encoded UTF-8 (for lenient readers). */
export function decodedOrNull(raw: string): string | null {
  const decoded = percentDecode(raw)
  return decoded.ok ? decoded.value : null
}

export interface ParsedQueryString {
  /** Supported system options by canonical name (`$filter`, …), values decoded. */
  readonly system: ReadonlyMap<SupportedOption, string>
  /** Custom options (no `$`/`@` prefix) by exact name, values decoded; e.g. `days`, `api_key`. */
  readonly custom: ReadonlyMap<string, string>
  /** The pairs as split, still encoded (what a nextLink carries on). */
  readonly pairs: readonly QueryPair[]
}

const ALLOWED_LIST = SUPPORTED_OPTIONS.join(', ')

function decodePart(raw: string, what: 'name' | 'value', option: string): string {
  const decoded = percentDecode(raw)
  if (decoded.ok) return decoded.value
  throw bridgeError(
    'BRIDGE_ERR_SYNTAX',
    `Query option ${option === '' ? '(unnamed)' : `'${option}'`} has an invalid percent-encoding in its ${what} at position ${decoded.position}: ${decoded.reason}`,
    { target: option === '' ? raw : option }
  )
}

/**
 * Parses the raw query string (the part after `?`, as received on the wire).
 * Throws a BridgeError for: invalid escapes or UTF-8 (400), duplicates (400),
 * unknown `$` options (400), parameter aliases and recognised-but-unsupported
 * options such as `$compute` (501), and a query longer than the limit (400).
 */
export function parseQueryString(raw: string, limits: ParseLimits = DEFAULT_LIMITS, split: readonly QueryPair[] = splitQuery(raw)): ParsedQueryString {
  if (raw.length > limits.maxQueryLength) {
    throw bridgeError('BRIDGE_ERR_LIMIT_EXCEEDED', `The query string is ${raw.length} characters long; the limit is ${limits.maxQueryLength}`, { target: 'query' })
  }
  const system = new Map<SupportedOption, string>()
  const custom = new Map<string, string>()
  const seen = new Set<string>()
  for (const { raw: part, rawName, rawValue } of split) {
    const name = decodePart(rawName, 'name', rawName)
    if (name === '') throw bridgeError('BRIDGE_ERR_SYNTAX', `A query option has an empty name ('${part.slice(0, 40)}')`, { target: 'query' })
    const value = decodePart(rawValue, 'value', name)
    const kind = classifyOption(name)
    const key = kind.kind === 'custom' ? name : kind.name
    if (seen.has(key)) {
      // Power Query appends OData.Feed's Query=[days=…] to every URL, nextLinks
      // included, which already carry it: the same custom option with the same
      // value again says nothing new.
      if (kind.kind === 'custom' && custom.get(key) === value) continue
      throw bridgeError('BRIDGE_ERR_DUPLICATE_OPTION', `Query option '${key}' is given more than once${kind.kind === 'custom' ? ' with different values' : ''}`, { target: key })
    }
    seen.add(key)
    switch (kind.kind) {
      case 'supported':
        system.set(kind.name, value)
        break
      case 'custom':
        custom.set(kind.name, value)
        break
      case 'ignored':
        break
      case 'not-implemented':
        throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', `System query option '${kind.name}' is not supported by this service`, { target: kind.name })
      case 'alias':
        throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', `Parameter aliases ('${kind.name}') are not supported by this service`, { target: kind.name })
      case 'unknown-system':
        throw bridgeError('BRIDGE_ERR_UNKNOWN_OPTION', `Unknown system query option '${kind.name}'; the supported ones are ${ALLOWED_LIST}`, { target: kind.name })
      default: {
        const never: never = kind
        throw new Error(`unhandled option kind ${String(never)}`)
      }
    }
  }
  return { system, custom, pairs: split }
}
