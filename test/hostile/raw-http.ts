// A raw HTTP/1.1 client over a TCP socket: sends exactly the bytes it is given
// (unescaped characters, invalid percent-escapes, huge request lines, odd
// headers), with Connection: close, and reads the answer to the end. A
// deadline turns a hang into a failure instead of a stuck test.
import { connect } from 'node:net'

export interface RawRequest {
  readonly method?: string
  /** The request target, sent as is. */
  readonly target: string
  /** Header lines, sent as is (name, value). */
  readonly headers?: readonly (readonly [string, string])[]
  readonly body?: string | Buffer
  /** Milliseconds before the request counts as hung (default 15 s). */
  readonly timeoutMs?: number
}

export interface RawResponse {
  readonly status: number
  /** Header names lower-cased; repeated headers joined with ', '. */
  readonly headers: Readonly<Record<string, string>>
  /** How many times each header appeared. */
  readonly headerCounts: Readonly<Record<string, number>>
  readonly body: string
}

export class HangError extends Error {
  override readonly name = 'HangError'
}

/** Reads a chunked body; returns it and where the message ends. */
function dechunk(raw: Buffer): { body: Buffer; end: number } {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = raw.indexOf('\r\n', at)
    if (eol < 0) return { body: Buffer.concat(parts), end: raw.length }
    const size = Number.parseInt(raw.subarray(at, eol).toString('latin1'), 16)
    if (!Number.isFinite(size) || size === 0) return { body: Buffer.concat(parts), end: Math.min(raw.length, eol + 4) }
    parts.push(raw.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}

/** Parses the first response in `raw`; returns it and the bytes after it. */
function parseOne(whole: Buffer, method: string): { response: RawResponse; rest: Buffer } {
  // Interim answers (100 Continue) come first; the final answer is the one judged.
  let raw = whole
  while (/^HTTP\/1\.[01] 1\d\d /.test(raw.subarray(0, 13).toString('latin1')) && raw.indexOf('\r\n\r\n') >= 0) raw = raw.subarray(raw.indexOf('\r\n\r\n') + 4)
  const end = raw.indexOf('\r\n\r\n')
  if (end < 0) throw new Error(`no complete response head in ${raw.length} bytes: ${JSON.stringify(raw.subarray(0, 200).toString('latin1'))}`)
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n')
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)
  if (m === null) throw new Error(`bad status line ${JSON.stringify(statusLine)}`)
  const headers: Record<string, string> = {}
  const headerCounts: Record<string, number> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
    headerCounts[name] = (headerCounts[name] ?? 0) + 1
  }
  const after = raw.subarray(end + 4)
  let body: Buffer
  let rest: Buffer
  if (method === 'HEAD') {
    body = Buffer.alloc(0)
    rest = after
  } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const chunked = dechunk(after)
    body = chunked.body
    rest = after.subarray(chunked.end)
  } else if (headers['content-length'] !== undefined) {
    body = after.subarray(0, Number(headers['content-length']))
    rest = after.subarray(Number(headers['content-length']))
  } else {
    body = after
    rest = Buffer.alloc(0)
  }
  return { response: { status: Number(m[1]), headers, headerCounts, body: body.toString('utf8') }, rest }
}

/** Every response in the bytes read from one connection (pipelined requests), in order. */
export function splitResponses(raw: Buffer, method = 'GET'): RawResponse[] {
  const out: RawResponse[] = []
  let rest = raw
  while (rest.length > 0) {
    const one = parseOne(rest, method)
    out.push(one.response)
    rest = one.rest
  }
  return out
}

/** Sends one request on a new connection and resolves with the parsed answer. */
export function rawRequest(origin: string, request: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(origin)
  const method = request.method ?? 'GET'
  const head = [`${method} ${request.target} HTTP/1.1`, `Host: ${hostname}:${port}`, ...(request.headers ?? []).map(([n, v]) => `${n}: ${v}`), 'Connection: close']
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body)
  if (body.length > 0) head.push(`Content-Length: ${body.length}`)
  const bytes = Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body])
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect(Number(port), hostname)
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new HangError(`no complete answer within ${request.timeoutMs ?? 15_000} ms to ${method} ${request.target.slice(0, 120)}`))
    }, request.timeoutMs ?? 15_000)
    // The server may answer and close before it has read everything (a refused
    // request line): a write error then is expected; the answer is what counts.
    socket.on('error', () => { /* judged on close */ })
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('close', () => {
      clearTimeout(timer)
      const raw = Buffer.concat(chunks)
      if (raw.length === 0) {
        reject(new Error(`connection closed without an answer to ${method} ${request.target.slice(0, 120)}`))
        return
      }
      try {
        resolve(parseOne(raw, method).response)
      } catch (err) {
        reject(err as Error)
      }
    })
    socket.write(bytes)
  })
}
