// Sends a body written in pieces. A small one is joined and sent whole (with a
// Content-Length); a large one is streamed as it is written, one chunk per
// turn of the event loop, so a 5,000-row page neither waits to be written
// whole before its first byte leaves nor holds up other requests while it is
// written, and @fastify/compress compresses it on the way. The bytes are also
// handed to `done` once all were written (the response cache keeps them) — if
// there are at most `keepAtMost`: past it, they are no longer gathered; a
// client that leaves early stops the writing, and nothing is kept.
import { Readable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { FastifyReply } from 'fastify'

/** Pieces at or below which a body is sent whole. */
const STREAM_MIN_PIECES = 4

export function sendChunks(reply: FastifyReply, contentType: string, pieces: Iterable<string>, keepAtMost: number, done: (body: Buffer) => void): FastifyReply {
  reply.header('content-type', contentType)
  const iterator = pieces[Symbol.iterator]()
  const first: string[] = []
  for (let r = iterator.next(); ; r = iterator.next()) {
    if (r.done === true) {
      const body = Buffer.from(first.join(''))
      if (body.length <= keepAtMost) done(body)
      return reply.send(body)
    }
    first.push(r.value)
    if (first.length > STREAM_MIN_PIECES) break
  }
  async function* write(): AsyncGenerator<Buffer> {
    let sent: Buffer[] | null = []
    let size = 0
    const keep = (chunk: Buffer): void => {
      size += chunk.length
      if (size > keepAtMost) sent = null
      else sent?.push(chunk)
    }
    for (const text of first) {
      const chunk = Buffer.from(text)
      keep(chunk)
      yield chunk
    }
    for (let r = iterator.next(); r.done !== true; r = iterator.next()) {
      await nextTurn()
      const chunk = Buffer.from(r.value)
      keep(chunk)
      yield chunk
    }
    if (sent !== null) done(Buffer.concat(sent))
  }
  return reply.send(Readable.from(write(), { objectMode: false }))
}
