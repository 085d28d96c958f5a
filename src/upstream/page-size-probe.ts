import type { UpstreamLogger } from './observability.js'
import type { PageFetcher } from './page-iterator.js'

export const DEFAULT_PROBE_SIZE = 1000

export interface PageSizeFinding {
  /** The size the probe asked for. */
  requested: number
  /** Rows per page the upstream answers with (when not honoured: its own default or cap). */
  pageSize: number
  /** Whether the upstream's `size` in the answer confirms the requested one. */
  honoured: boolean
}

/** Findings per base URL + route; in-flight probes are shared. */
export type PageSizeMemory = Map<string, Promise<PageSizeFinding>>

export interface ProbeOptions {
  /** Where the finding is remembered: base URL and route. */
  key: string
  memory: PageSizeMemory
  size?: number
  logger?: UpstreamLogger | undefined
}

/**
 * Asks once for a larger page and trusts it only if the response's `size` confirms it:
 * whether the `size` parameter is honoured is undocumented for the Insights routes.
 */
export function probePageSize<T>(fetchPage: PageFetcher<T>, options: ProbeOptions): Promise<PageSizeFinding> {
  const known = options.memory.get(options.key)
  if (known !== undefined) return known
  const requested = options.size ?? DEFAULT_PROBE_SIZE
  const finding = fetchPage(0, requested).then((page) => {
    const result: PageSizeFinding = { requested, pageSize: page.size, honoured: page.size === requested }
    options.logger?.info(
      { upstream: options.key, ...result },
      result.honoured
        ? `upstream honours size=${requested}: pages of ${page.size} rows`
        : `upstream does not honour size=${requested}: pages of ${page.size} rows`
    )
    return result
  })
  options.memory.set(options.key, finding)
  finding.catch(() => {
    if (options.memory.get(options.key) === finding) options.memory.delete(options.key)
  })
  return finding
}
