import { readFileSync } from 'node:fs'

const PACKAGE_NAME = 'botcity-insights-odata'

/** This package's version, from package.json two levels above `from` (src/…) or three (dist/src/…). */
export function packageVersion(from: string | URL = import.meta.url): string {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, from), 'utf8')) as { name?: unknown; version?: unknown }
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version
    } catch {
      // Not this one; try the next.
    }
  }
  return '0.0.0'
}

/** Sent on every call: the gateway may reject calls without a User-Agent. */
export const DEFAULT_USER_AGENT = `${PACKAGE_NAME}/${packageVersion()}`
