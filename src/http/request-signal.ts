// The end of one request's work: its signal aborts when the client leaves
// before the answer is whole (the connection closes first), or when the
// request's deadline (REQUEST_DEADLINE_S) passes. Every upstream read done for
// the request only then stops (upstream/shared-flight.ts keeps a read going
// for other requests waiting on it). A request that finished keeps its signal
// as it was, so pages read ahead for the next request go on.
import type { FastifyReply } from 'fastify'
import { bridgeError } from '../errors.js'

export function requestSignal(reply: FastifyReply, deadlineMs: number): AbortSignal {
  const controller = new AbortController()
  const deadline = setTimeout(() => {
    controller.abort(bridgeError('BRIDGE_ERR_DEADLINE', `This request took longer than ${Math.round(deadlineMs / 1000)} s (REQUEST_DEADLINE_S) and was stopped: narrow it (a dateCreation filter, a shorter days=N) or page it (Prefer: odata.maxpagesize).`))
  }, deadlineMs)
  deadline.unref()
  const raw = reply.raw
  raw.once('finish', () => clearTimeout(deadline))
  raw.once('close', () => {
    clearTimeout(deadline)
    if (!raw.writableFinished) controller.abort(bridgeError('BRIDGE_ERR_CLIENT_CLOSED', 'The client closed the connection before its answer was whole.'))
  })
  return controller.signal
}
