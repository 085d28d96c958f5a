// Back-pressure (PRESSURE_MAX_EVENT_LOOP_DELAY_MS, PRESSURE_MAX_HEAP_PERCENT):
// when the process is saturated, new requests get 503 BRIDGE_ERR_UNAVAILABLE
// as an OData error with Retry-After; /healthz stays answered; the bridge
// recovers by itself; with both limits at 0 nothing is watched.
import Fastify from 'fastify'
import t from 'tap'
import backPressure, { PRESSURE_RETRY_AFTER_S } from '../../src/http/back-pressure.js'
import { sendError } from '../../src/http/odata-error.js'
import odataHeaders from '../../src/http/odata-headers.js'
import { startBridge } from '../fixtures/bridge.js'
import { uncleanAnswer } from './clean-answer.js'
import { rawRequest } from './raw-http.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Keeps the event loop busy, as a long synchronous sort would. */
function block(ms: number): void {
  const end = Date.now() + ms
  while (Date.now() < end) { /* busy */ }
}

t.test('a blocked event loop: 503 with Retry-After until it recovers; /healthz answered', async (t) => {
  const b = await startBridge({ sim: { tasks: 100 }, env: { PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '50' } })
  t.teardown(() => b.close())
  t.equal((await rawRequest(b.origin, { target: '/odata/Runners' })).status, 200, 'answered before')
  // The figure is the mean delay over a one-second sample. One long block can
  // fall at the end of a sample and be averaged away by the free time before
  // it, so the loop is kept blocked: a second-long block between requests
  // makes every sample's mean about 1000 ms / (1 + free ms / 10), far above
  // the limit whatever the phase and however slow the request round trip.
  let shed = null
  for (let i = 0; i < 12 && shed === null; i++) {
    block(1000)
    const res = await rawRequest(b.origin, { target: '/odata/Runners' })
    if (res.status === 503) shed = res
  }
  t.ok(shed !== null, 'requests are shed')
  if (shed !== null) {
    t.equal(uncleanAnswer({ ...shed, status: 400 }), null, 'an OData error with OData-Version')
    t.match(JSON.parse(shed.body), { error: { code: 'BRIDGE_ERR_UNAVAILABLE' } })
    t.equal(shed.headers['retry-after'], String(PRESSURE_RETRY_AFTER_S))
  }
  t.equal((await rawRequest(b.origin, { target: '/healthz' })).status, 200, 'liveness is not shed')
  let recovered = false
  for (let i = 0; i < 60 && !recovered; i++) {
    await sleep(100)
    recovered = (await rawRequest(b.origin, { target: '/odata/Runners' })).status === 200
  }
  t.ok(recovered, 'answers again once the loop is free')
  t.notOk(b.logs.some((l) => /"level":50/.test(l)), 'shed requests are not logged as errors')
  t.ok(b.logs.some((l) => /under pressure: shedding requests with 503/.test(l)), 'one warning')
})

t.test('heap over its share: 503 (plugin with a tiny heap share)', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(odataHeaders)
  await app.register(backPressure, { maxEventLoopDelayMs: 0, maxHeapPercent: 0.0001, sampleIntervalMs: 10 })
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error))
  app.get('/odata/x', async () => ({ ok: true }))
  app.get('/healthz', async () => ({ status: 'ok' }))
  await app.ready()
  await sleep(50)
  const res = await app.inject('/odata/x')
  t.equal(res.statusCode, 503)
  t.equal(res.headers['odata-version'], '4.0')
  t.equal(res.headers['retry-after'], String(PRESSURE_RETRY_AFTER_S))
  t.match(res.json(), { error: { code: 'BRIDGE_ERR_UNAVAILABLE', message: /overloaded/ } })
  t.equal((await app.inject('/healthz')).statusCode, 200)
})

t.test('both limits at 0: nothing is watched', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(backPressure, { maxEventLoopDelayMs: 0, maxHeapPercent: 0 })
  await app.ready()
  t.notOk(app.hasDecorator('memoryUsage'), 'under-pressure not registered')
})
