// Graceful shutdown (server.ts: close-with-grace → app.close()): a response in
// flight when the close starts is finished, whole; a request that still
// arrives on an open connection gets an OData 503 with Retry-After and
// Connection: close (Power Query retries it); new connections are refused;
// and the close itself ends promptly once the in-flight work is done
// (keep-alive connections do not hold it open until their idle timeout, nor
// connections that never sent a request).
import { connect } from 'node:net'
import t from 'tap'
import { startBridge } from '../fixtures/bridge.js'
import { uncleanAnswer } from './clean-answer.js'
import { rawRequest, splitResponses } from './raw-http.js'

const SLOW_QUERY = '/odata/Tasks?$top=5'

t.test('an in-flight response finishes, whole; the close then ends promptly', async (t) => {
  const b = await startBridge({ sim: { tasks: 200, latencyMs: 400 } })
  t.teardown(() => b.sim.close())
  // fetch keeps its connection alive after the answer, as Power Query does.
  const inFlight = fetch(`${b.origin}${SLOW_QUERY}`).then(async (r) => ({ status: r.status, connection: r.headers.get('connection'), body: await r.json() as { value: unknown[] } }))
  await new Promise((r) => setTimeout(r, 150))
  const started = Date.now()
  const closed = b.app.close().then(() => Date.now() - started)
  const res = await inFlight
  t.equal(res.status, 200)
  t.equal(res.body.value.length, 5, 'the whole page')
  t.equal(res.connection, 'close', 'told to close its connection')
  const closeMs = await closed
  t.ok(closeMs < 5000, `closed ${closeMs} ms after the close started (the in-flight request took ~1 s)`)
  await t.rejects(fetch(`${b.origin}/healthz`), 'new connections are refused')
})

t.test('a request completed on an open connection while closing: OData 503 with Retry-After', async (t) => {
  const b = await startBridge({ sim: { tasks: 200 } })
  t.teardown(() => b.sim.close())
  const { hostname, port } = new URL(b.origin)
  const socket = connect(Number(port), hostname)
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  const chunks: Buffer[] = []
  socket.on('data', (c: Buffer) => chunks.push(c))
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  // A request begun before the close (so its connection is not idle) and finished after it.
  socket.write(`GET /odata/Runners HTTP/1.1\r\nHost: ${hostname}\r\n`)
  await new Promise((r) => setTimeout(r, 50))
  const closed = b.app.close()
  await new Promise((r) => setTimeout(r, 50))
  socket.write('\r\n')
  await Promise.race([ended, new Promise((r) => setTimeout(r, 10_000))])
  socket.destroy()
  await closed
  const [answer] = splitResponses(Buffer.concat(chunks))
  t.equal(answer?.status, 503, 'refused')
  if (answer !== undefined) {
    t.equal(uncleanAnswer({ ...answer, status: 400 }), null, 'an OData error with OData-Version')
    t.match(JSON.parse(answer.body), { error: { code: 'BRIDGE_ERR_UNAVAILABLE' } })
    t.equal(answer.headers['retry-after'], '2')
    t.equal(answer.headers.connection, 'close')
  }
})

t.test('the closing bridge still answers a request that reached it first (raw client)', async (t) => {
  const b = await startBridge({ sim: { tasks: 200, latencyMs: 300 } })
  t.teardown(() => b.sim.close())
  const pending = rawRequest(b.origin, { target: SLOW_QUERY })
  await new Promise((r) => setTimeout(r, 100))
  await Promise.all([b.app.close(), pending.then((res) => { t.equal(res.status, 200); t.equal(uncleanAnswer(res), null) })])
})

t.test('a connection that never sent a byte does not hold the close open', async (t) => {
  const b = await startBridge({ sim: { tasks: 200 } })
  t.teardown(() => b.sim.close())
  const { hostname, port } = new URL(b.origin)
  // Opened ahead, as clients do, and never used: Node counts it busy, so the close waited for it.
  const socket = connect(Number(port), hostname)
  t.teardown(() => socket.destroy())
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  const ended = new Promise<string>((resolve) => socket.once('close', () => resolve('closed by the bridge')))
  const closed = b.app.close().then(() => 'the close ended')
  const hung = new Promise<string>((resolve) => setTimeout(() => resolve('still open after 20 s'), 20_000).unref())
  t.equal(await Promise.race([ended, hung]), 'closed by the bridge')
  t.equal(await Promise.race([closed, hung]), 'the close ended')
})
