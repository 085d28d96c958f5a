// Which requests are the feed's: those whose first path segment, decoded, is
// `odata` — so /odata/Tasks, /%6Fdata/Tasks and /odata/Nope are all the feed's,
// and authentication, the read-only rule and the resource path are decided
// on the path as the router reads it, never on a prefix of the raw URL.

export const FEED_SEGMENT = 'odata'

function rawPath(url: string): string {
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}

/**
 * The raw (still percent-encoded) path below the feed's segment — '' for the
 * root, '/Tasks(1)/state' … — or null when the URL is not the feed's.
 */
export function feedPath(url: string): string | null {
  const path = rawPath(url)
  if (!path.startsWith('/')) return null
  const end = path.indexOf('/', 1)
  const first = end < 0 ? path.slice(1) : path.slice(1, end)
  if (decoded(first) !== FEED_SEGMENT) return null
  return end < 0 ? '' : path.slice(end)
}

export function isFeedUrl(url: string): boolean {
  return feedPath(url) !== null
}

/** The monitor (page, assets, state): behind the feed's authentication. */
export const MONITOR_SEGMENT = 'monitor'

export function isMonitorUrl(url: string): boolean {
  const path = rawPath(url)
  const end = path.indexOf('/', 1)
  return path.startsWith('/') && decoded(end < 0 ? path.slice(1) : path.slice(1, end)) === MONITOR_SEGMENT
}
