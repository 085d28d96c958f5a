// The catalogue of system query options (OData 4.01 Part 2 §5.1) and what the
// bridge does with each: supported, accepted and ignored, or 501.

/** Canonical (lower-case, `$`-prefixed) names of the options the bridge implements. */
export const SUPPORTED_OPTIONS = [
  '$filter',
  '$select',
  '$orderby',
  '$top',
  '$skip',
  '$count',
  '$search',
  '$skiptoken',
  '$format',
  '$apply',
  '$expand'
] as const

export type SupportedOption = (typeof SUPPORTED_OPTIONS)[number]

/**
 * Accepted and ignored: the service has one unversioned schema and declares no
 * Core.SchemaVersion, so there is nothing to reject (Part 1 §13.2.1 item 5).
 */
export const IGNORED_OPTIONS = ['$schemaversion'] as const

/** OData system options the bridge recognises but does not implement → 501. */
export const NOT_IMPLEMENTED_OPTIONS = [
  '$compute',
  '$levels',
  '$index',
  '$deltatoken',
  '$id'
] as const

const SUPPORTED = new Set<string>(SUPPORTED_OPTIONS)
const IGNORED = new Set<string>(IGNORED_OPTIONS)
const NOT_IMPLEMENTED = new Set<string>(NOT_IMPLEMENTED_OPTIONS)

export type OptionKind =
  | { readonly kind: 'supported'; readonly name: SupportedOption }
  | { readonly kind: 'ignored'; readonly name: string }
  | { readonly kind: 'not-implemented'; readonly name: string }
  | { readonly kind: 'unknown-system'; readonly name: string }
  | { readonly kind: 'alias'; readonly name: string }
  | { readonly kind: 'custom'; readonly name: string }

/**
 * Classifies a decoded option name. 4.01 makes system option names
 * case-insensitive and the `$` optional (Part 1 §13.2.1 items 6–7). The
 * `$`-less form is accepted only for the options the bridge supports, so a
 * custom option that happens to be called `id` or `expand` keeps passing
 * through untouched.
 */
export function classifyOption(name: string): OptionKind {
  if (name.startsWith('$')) {
    const canonical = name.toLowerCase()
    if (SUPPORTED.has(canonical)) return { kind: 'supported', name: canonical as SupportedOption }
    if (IGNORED.has(canonical)) return { kind: 'ignored', name: canonical }
    if (NOT_IMPLEMENTED.has(canonical)) return { kind: 'not-implemented', name: canonical }
    return { kind: 'unknown-system', name }
  }
  if (name.startsWith('@')) return { kind: 'alias', name }
  const prefixed = `$${name.toLowerCase()}`
  if (SUPPORTED.has(prefixed)) return { kind: 'supported', name: prefixed as SupportedOption }
  return { kind: 'custom', name }
}
