// HTTP clients of the benchmark: a Power Query-like nextLink reader and a raw GET.
import { get } from 'node:http'

/** What Power Query's OData.Feed sends. */
export const POWER_QUERY_HEADERS: Readonly<Record<string, string>> = {
  accept: 'application/json;odata.metadata=minimal',
  'accept-encoding': 'gzip, deflate',
  'odata-version': '4.0',
  'odata-maxversion': '4.0'
}

export interface FeedPage {
  readonly value: Record<string, unknown>[]
  readonly '@odata.nextLink'?: string
}

/** Content-Encoding of the last feed page read (fetch decodes the body itself). */
export let lastEncoding = 'identity'

export async function getFeedPage(url: string, headers: Readonly<Record<string, string>> = POWER_QUERY_HEADERS): Promise<FeedPage> {
  const res = await fetch(url, { headers })
  const text = await res.text()
  lastEncoding = res.headers.get('content-encoding') ?? 'identity'
  if (res.status !== 200) throw new Error(`${res.status} from ${url}: ${text.slice(0, 300)}`)
  return JSON.parse(text) as FeedPage
}

/**
 * Reads a feed the way Power Query does: one request after another, each
 * after the previous answer was decompressed and parsed, following
 * @odata.nextLink to the end. Returns the rows seen and the pages read.
 * `headers` go with every request of the load (a Prefer asked once holds for
 * the whole load, as Power Query sends its options on every page).
 */
export async function readFeed(url: string, onPage?: (page: FeedPage) => void, headers: Readonly<Record<string, string>> = POWER_QUERY_HEADERS): Promise<{ rows: number; pages: number }> {
  let next: string | undefined = url
  let rows = 0
  let pages = 0
  while (next !== undefined) {
    const page = await getFeedPage(next, headers)
    onPage?.(page)
    rows += page.value.length
    pages++
    next = page['@odata.nextLink']
  }
  return { rows, pages }
}

/** A GET with no Accept-Encoding: the bytes exactly as the server sends them. */
export function rawGet(url: string): Promise<{ status: number; contentType: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? 'application/json'), body: Buffer.concat(chunks) }))
      res.on('error', reject)
    }).on('error', reject)
  })
}
