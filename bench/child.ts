// A server under test in its own process, so its memory is its own and the
// load generator does not share its event loop: the bridge (in front of a
// simulator the parent runs) or a plain Fastify route serving fixed bytes.
// Driven over IPC by processes.ts.
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { fixedCredential } from '../src/http/credentials.js'
import type { ChildReply, ChildRequest, ChildStart } from './protocol.js'

let app: FastifyInstance | null = null
/** How far a moving clock has been moved forward. */
let offsetMs = 0

function send(message: ChildReply): void {
  process.send?.(message)
}

async function start(init: ChildStart): Promise<string> {
  if (init.kind === 'bridge') {
    // No per-client rate limit under a benchmark's load generator (one address, many requests).
    const config = loadConfig({ LOG_LEVEL: 'warn', RATE_LIMIT_PER_MIN: '0', ...init.env, BOTCITY_URL: init.upstreamUrl, BOTCITY_LOGIN: init.login, BOTCITY_KEY: init.key, ALLOW_ANONYMOUS: 'true' })
    const fixedNow = init.now
    app = await buildApp({
      config,
      upstreamUrl: init.upstreamUrl,
      credentials: fixedCredential({ login: init.login, key: init.key }),
      ...(fixedNow !== undefined ? { now: () => fixedNow } : init.movingClock === true ? { now: () => Date.now() + offsetMs } : {})
    })
  } else {
    const body = Buffer.from(init.bodyBase64, 'base64')
    const plain = Fastify({ logger: false })
    plain.get('/*', async (_request, reply) => reply.type(init.contentType).send(body))
    app = plain
  }
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
}

function usage(): Omit<Extract<ChildReply, { kind: 'usage' }>, 'id'> {
  const m = process.memoryUsage()
  // maxRSS is the process's peak resident set size so far, in kilobytes.
  return { kind: 'usage', rss: m.rss, heapUsed: m.heapUsed, maxRss: process.resourceUsage().maxRSS * 1024 }
}

process.on('message', (message: ChildRequest) => {
  void (async () => {
    try {
      switch (message.kind) {
        case 'start':
          send({ kind: 'ready', id: message.id, url: await start(message.init) })
          break
        case 'usage':
          if (message.gc === true) globalThis.gc?.()
          send({ ...usage(), id: message.id })
          break
        case 'advance':
          offsetMs += message.ms
          send({ kind: 'advanced', id: message.id })
          break
        case 'close':
          await app?.close()
          process.send?.({ kind: 'closed', id: message.id } satisfies ChildReply, () => process.exit(0))
          break
      }
    } catch (error) {
      send({ kind: 'error', id: message.id, message: error instanceof Error ? error.stack ?? error.message : String(error) })
    }
  })()
})
