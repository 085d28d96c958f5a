export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

const NULL_BODY_STATUSES = new Set([204, 205, 304])

/**
 * A fetch that reads the whole body before resolving. ky's timeout covers only the
 * promise of fetch, so this puts the body, not just the headers, under the deadline.
 */
export function bufferedFetch(fetchImpl: FetchLike = globalThis.fetch): FetchLike {
  return async (input, init) => {
    const response = await fetchImpl(input, init)
    const body = await response.arrayBuffer()
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers
    })
  }
}
