// Upstream faults during a Power BI-style refresh: the client gets either the
// complete, correct set or a clear 5xx OData error — never fewer rows
// presented as complete, never a nextLink that skips or repeats rows.
import t from 'tap'
import { getJson, startBridge } from '../fixtures/bridge.js'
import type { BridgeFixture } from '../fixtures/bridge.js'
import { expectedTasks } from '../fixtures/oracle.js'
import type { SimulatorFault } from '../../src/simulator/index.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)

interface Outcome { rows: Record<string, unknown>[]; error: { status: number; code: string } | null }

/** Follows nextLink like Power Query; on an error stops and reports it (Power Query would fail the refresh). */
async function refresh(b: BridgeFixture, url: string, between?: (page: number) => void): Promise<Outcome> {
  const rows: Record<string, unknown>[] = []
  let next: string | undefined = url
  for (let page = 0; next !== undefined; page++) {
    between?.(page)
    const res = await getJson(next)
    if (res.status !== 200) return { rows, error: { status: res.status, code: (res.body.error as { code: string }).code } }
    rows.push(...(res.body.value as Record<string, unknown>[]))
    next = res.body['@odata.nextLink'] as string | undefined
  }
  return { rows, error: null }
}

async function withBridge(env: Record<string, string>, fn: (b: BridgeFixture, expected: Record<string, unknown>[]) => Promise<void>): Promise<void> {
  const b = await startBridge({ sim: { tasks: 1200, historyDays: 40, now: () => NOW }, now: () => NOW, env: { PAGE_SIZE: '100', UPSTREAM_RETRIES: '2', UPSTREAM_TIMEOUT_MS: '10000', CACHE_TTL_S: '0', ...env } })
  try {
    await fn(b, expectedTasks(b.sim.tasks(), NOW, 30))
  } finally {
    await b.close()
  }
}

/** Where the timeout is the subject: an answer four times slower than it, so a busy machine changes neither side. */
const TIMEOUT_ENV = { UPSTREAM_TIMEOUT_MS: '1500' }
const SLOW_MS = 6000
const envFor = (fault: SimulatorFault): Record<string, string> => (fault.kind === 'slow' ? TIMEOUT_ENV : {})

const recoverable: [string, SimulatorFault][] = [
  ['a short 500 burst', { kind: 'status', status: 500, count: 2, route: 'tasks' }],
  ['429 with Retry-After', { kind: 'status', status: 429, retryAfterS: 1, count: 1, route: 'tasks' }],
  ['a 503', { kind: 'status', status: 503, count: 1, route: 'tasks' }],
  ['a connection reset', { kind: 'reset', count: 1, route: 'tasks' }],
  ['a slow answer past the timeout', { kind: 'slow', delayMs: SLOW_MS, count: 1, route: 'tasks' }],
  ['token expiry mid-refresh', { kind: 'expire-tokens', count: 1, route: 'tasks' }]
]

for (const [name, fault] of recoverable) {
  t.test(`${name} in the middle of a refresh is absorbed: complete, exact rows`, async (t) => {
    await withBridge(envFor(fault), async (b, expected) => {
      const out = await refresh(b, `${b.feed}Tasks`, (page) => { if (page === 3) b.sim.inject(fault) })
      t.equal(out.error, null, 'no error')
      t.same(out.rows.map((r) => r.id), expected.map((r) => r.id), 'every task once, in order')
    })
  })
}

const fatal: [string, SimulatorFault, number, string][] = [
  ['a long 500 burst', { kind: 'status', status: 500, count: 50, route: 'tasks' }, 502, 'UPSTREAM_ERROR'],
  ['persistent 429', { kind: 'status', status: 429, retryAfterS: 0, count: 50, route: 'tasks' }, 503, 'UPSTREAM_RATE_LIMITED'],
  ['malformed JSON', { kind: 'malformed', count: 50, route: 'tasks' }, 502, 'UPSTREAM_BAD_RESPONSE'],
  ['resets', { kind: 'reset', count: 50, route: 'tasks' }, 502, 'UPSTREAM_UNREACHABLE'],
  ['persistent slowness', { kind: 'slow', delayMs: SLOW_MS, count: 50, route: 'tasks' }, 504, 'UPSTREAM_TIMEOUT']
]

for (const [name, fault, status, code] of fatal) {
  t.test(`${name} fails the refresh with ${status} ${code}, never a short result`, async (t) => {
    await withBridge(envFor(fault), async (b, expected) => {
      const out = await refresh(b, `${b.feed}Tasks`, (page) => { if (page === 2) b.sim.inject(fault) })
      t.same(out.error, { status, code })
      t.ok(out.rows.length < expected.length, 'the refresh did not end as if complete')
      t.same(out.rows.map((r) => r.id), expected.slice(0, out.rows.length).map((r) => r.id), 'what came before is exact')
      b.sim.clearFaults()
      // The refresh can be retried once the upstream recovers.
      const again = await refresh(b, `${b.feed}Tasks`)
      t.same(again.rows.map((r) => r.id), expected.map((r) => r.id))
    })
  })
}

t.test('login failing for a while, then recovering', async (t) => {
  await withBridge({}, async (b) => {
    b.sim.inject({ kind: 'status', status: 503, count: 20, route: 'login' })
    const first = await getJson(`${b.feed}Tasks?$top=5`)
    t.equal(first.status, 503)
    t.equal((first.body.error as { code: string }).code, 'UPSTREAM_UNAVAILABLE')
    b.sim.clearFaults()
    t.equal((await getJson(`${b.feed}Tasks?$top=5`)).status, 200)
  })
})

t.test('the upstream down at start: the bridge starts, says so, then serves', async (t) => {
  const { buildApp } = await import('../../src/app.js')
  const { loadConfig } = await import('../../src/config.js')
  const { fixedCredential } = await import('../../src/http/credentials.js')
  const { createServer } = await import('node:net')
  // A port nobody listens on: bind, read the port, close.
  const port = await new Promise<number>((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)) }) })
  const url = `http://127.0.0.1:${port}`
  const config = loadConfig({ BOTCITY_URL: url, BOTCITY_LOGIN: 'demo', BOTCITY_KEY: 'demo', ALLOW_ANONYMOUS: 'true', UPSTREAM_RETRIES: '0', LOG_LEVEL: 'silent' })
  const app = await buildApp({ config, upstreamUrl: url, credentials: fixedCredential({ login: 'demo', key: 'demo' }) })
  t.teardown(() => app.close())
  const ready = await app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 503)
  t.equal((ready.json() as { error: { code: string } }).error.code, 'UPSTREAM_UNREACHABLE')
  const data = await app.inject({ url: '/odata/Tasks' })
  t.equal(data.statusCode, 502)
  t.match((data.json() as { error: { message: string } }).error.message, /BotCity/)
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'alive all the same')
})
