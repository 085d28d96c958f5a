// Starts a server under test (child.ts) in a separate Node process and talks
// to it over IPC: its URL, its memory, and closing it.
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ChildReply, ChildRequest, ChildStart } from './protocol.js'

export interface ServerProcess {
  /** http://127.0.0.1:PORT */
  readonly url: string
  readonly pid: number
  /** Current and peak resident set size of the process, in bytes (after a full collection when `gc`). */
  usage(gc?: boolean): Promise<{ rss: number; maxRss: number; heapUsed: number }>
  /** Moves a moving clock (ChildStart movingClock) forward. */
  advance(ms: number): Promise<void>
  close(): Promise<void>
}

type Request = { kind: 'start'; init: ChildStart } | { kind: 'usage'; gc?: boolean } | { kind: 'advance'; ms: number } | { kind: 'close' }

export async function startServerProcess(init: ChildStart): Promise<ServerProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./child.js', import.meta.url)), [], {
    // --expose-gc: usage(true) measures what stays in memory, not what awaits collection.
    execArgv: ['--expose-gc'],
    // The bridge's own log lines (LOG_LEVEL, default warn here) are dropped; errors show.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc']
  })
  let nextId = 0
  const pending = new Map<number, { resolve: (r: ChildReply) => void; reject: (e: Error) => void }>()
  const failAll = (error: Error): void => {
    for (const p of pending.values()) p.reject(error)
    pending.clear()
  }
  child.on('message', (reply: ChildReply) => {
    const p = pending.get(reply.id)
    if (p === undefined) return
    pending.delete(reply.id)
    if (reply.kind === 'error') p.reject(new Error(`server process: ${reply.message}`))
    else p.resolve(reply)
  })
  child.on('exit', (code, signal) => failAll(new Error(`server process exited (${code ?? signal})`)))
  child.on('error', failAll)
  const ask = (request: Request): Promise<ChildReply> => new Promise((resolve, reject) => {
    const id = ++nextId
    pending.set(id, { resolve, reject })
    child.send({ ...request, id } satisfies ChildRequest)
  })
  const ready = await ask({ kind: 'start', init })
  if (ready.kind !== 'ready') throw new Error(`server process answered ${ready.kind} to start`)
  return {
    url: ready.url,
    pid: child.pid ?? -1,
    async usage(gc = false) {
      const u = await ask({ kind: 'usage', gc })
      if (u.kind !== 'usage') throw new Error(`server process answered ${u.kind} to usage`)
      return { rss: u.rss, maxRss: u.maxRss, heapUsed: u.heapUsed }
    },
    async advance(ms) {
      const a = await ask({ kind: 'advance', ms })
      if (a.kind !== 'advanced') throw new Error(`server process answered ${a.kind} to advance`)
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      try {
        await ask({ kind: 'close' })
      } catch {
        // It exited on its own: fine.
      }
      await exited
      clearTimeout(timer)
    }
  }
}
