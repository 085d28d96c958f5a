// Who a client is, for limits: the bridge key that matched or the workspace
// credential BotCity accepted — never header text nobody checked — else its
// address, as far as TRUST_PROXY believes proxies. Failed sign-ins cost time
// per (address, login) pair, and a credential BotCity refused is refused again
// without asking BotCity. Each case is one of issue 13's measurements, which
// got through on the code before it.
import t from 'tap'
import { startBridge } from '../fixtures/bridge.js'
import { rawRequest } from './raw-http.js'
import { uncleanAnswer } from './clean-answer.js'

const KEY = 'identity-test-key-0123456789'
const QUERY = '/odata/Tasks?$top=1'
const b64 = (s: string): string => Buffer.from(s).toString('base64')

async function statuses(origin: string, n: number, request: (i: number) => { target?: string; headers?: [string, string][] }): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const r = request(i)
    out.push((await rawRequest(origin, { target: r.target ?? QUERY, ...(r.headers === undefined ? {} : { headers: r.headers }) })).status)
  }
  return out
}

const FIVE_THEN_LIMITED = [200, 200, 200, 200, 200, 429, 429, 429]
/** The bridge's clock stands still where waits are counted, so a slow machine cannot see one end. */
const frozen = (): number => Date.UTC(2026, 9, 15, 12, 0, 0)

t.test('service account: one budget per key, however the request dresses it up', async (t) => {
  const b = await startBridge({ sim: { tasks: 50 }, env: { RATE_LIMIT_PER_MIN: '5', BRIDGE_API_KEYS: KEY, ALLOW_ANONYMOUS: 'false' } })
  t.teardown(() => b.close())
  t.same(await statuses(b.origin, 8, () => ({ headers: [['Authorization', `Bearer ${KEY}`]] })), FIVE_THEN_LIMITED, 'the same key 8 times')
  const c = await startBridge({ sim: { tasks: 50 }, env: { RATE_LIMIT_PER_MIN: '5', BRIDGE_API_KEYS: KEY, ALLOW_ANONYMOUS: 'false' } })
  t.teardown(() => c.close())
  t.same(await statuses(c.origin, 8, (i) => ({ headers: [['Authorization', `Basic ${b64(`u${i}:${KEY}`)}`]] })), FIVE_THEN_LIMITED, 'a new Basic user name each time')
  const d = await startBridge({ sim: { tasks: 50 }, env: { RATE_LIMIT_PER_MIN: '5', BRIDGE_API_KEYS: KEY, ALLOW_ANONYMOUS: 'false' } })
  t.teardown(() => d.close())
  t.same(await statuses(d.origin, 8, (i) => ({ target: `${QUERY}&api_key=${KEY}`, headers: [['Authorization', `Bearer r${i}`]] })), FIVE_THEN_LIMITED, 'a random Bearer beside the right api_key')
})

t.test('passthrough: one budget per workspace credential BotCity accepted', async (t) => {
  const b = await startBridge({ sim: { tasks: 50 }, passthrough: true, env: { RATE_LIMIT_PER_MIN: '5' } })
  t.teardown(() => b.close())
  const pair = `${b.sim.options.login}:${b.sim.options.key}`
  t.same(await statuses(b.origin, 8, (i) => ({ target: `${QUERY}&api_key=${pair}`, headers: [['Authorization', `Bearer r${i}`]] })), FIVE_THEN_LIMITED, 'a random Bearer beside api_key=login:key')
})

t.test('wrong keys cost time: three free, then 429 with Retry-After, growing; a right key is never held up', async (t) => {
  const b = await startBridge({ sim: { tasks: 50 }, now: frozen, env: { BRIDGE_API_KEYS: KEY, ALLOW_ANONYMOUS: 'false' } })
  t.teardown(() => b.close())
  const got = await statuses(b.origin, 15, (i) => ({ headers: [['Authorization', `Bearer wrong-key-number-${i}`]] }))
  t.same(got.slice(0, 4), [401, 401, 401, 401], 'the first failures are answered')
  t.ok(got.slice(4).every((s) => s === 429), `then each waits: ${got.join(',')}`)
  const limited = await rawRequest(b.origin, { target: QUERY, headers: [['Authorization', 'Bearer wrong-key-again']] })
  t.equal(uncleanAnswer(limited), null)
  t.ok(Number(limited.headers['retry-after']) >= 1, `Retry-After ${limited.headers['retry-after']}`)
  t.match(limited.body, /Too many failed sign-ins/)
  t.equal((await rawRequest(b.origin, { target: QUERY, headers: [['Authorization', `Bearer ${KEY}`]] })).status, 200, 'the right key from the same address')
})

t.test('passthrough: guesses cost time and no upstream login once BotCity refused them', async (t) => {
  const b = await startBridge({ sim: { tasks: 50 }, passthrough: true, now: frozen })
  t.teardown(() => b.close())
  const login = b.sim.options.login
  b.sim.resetStats()
  const guesses = await statuses(b.origin, 20, (i) => ({ headers: [['Authorization', `Basic ${b64(`${login}:guess-${i}`)}`]] }))
  t.ok(guesses.filter((s) => s === 401).length <= 4 && guesses.slice(4).every((s) => s === 429), `20 guesses: ${guesses.join(',')}`)
  t.ok(b.sim.stats().login <= 4, `${b.sim.stats().login} upstream logins for 20 guesses (was 20)`)
  // Another login from the same address is a pair of its own: nobody locks a user out by failing as another.
  const other = await startBridge({ sim: { tasks: 50, workspaces: [{ login: 'second', key: 'second-key' }] }, passthrough: true, now: frozen })
  t.teardown(() => other.close())
  await statuses(other.origin, 6, (i) => ({ headers: [['Authorization', `Basic ${b64(`${other.sim.options.login}:guess-${i}`)}`]] }))
  t.equal((await rawRequest(other.origin, { target: QUERY, headers: [['Authorization', `Basic ${b64('second:second-key')}`]] })).status, 200, 'another login from the same address signs in')
  // A refused credential sent again is refused without asking BotCity.
  const again = await startBridge({ sim: { tasks: 50 }, passthrough: true })
  t.teardown(() => again.close())
  again.sim.resetStats()
  const wrong: [string, string][] = [['Authorization', `Basic ${b64(`${login}:not-the-key`)}`]]
  t.same(await statuses(again.origin, 3, () => ({ headers: wrong })), [401, 401, 401])
  t.equal(again.sim.stats().login, 1, 'one upstream login for three tries of one wrong key')
  t.equal((await rawRequest(again.origin, { target: QUERY, headers: [['Authorization', `Basic ${b64(`${login}:${again.sim.options.key}`)}`]] })).status, 200, 'the right key then signs in')
})

t.test('the wait ends: no lockout', async (t) => {
  let now = Date.UTC(2026, 9, 15, 12, 0, 0)
  const b = await startBridge({ sim: { tasks: 50 }, passthrough: true, now: () => now })
  t.teardown(() => b.close())
  const login = b.sim.options.login
  await statuses(b.origin, 8, (i) => ({ headers: [['Authorization', `Basic ${b64(`${login}:guess-${i}`)}`]] }))
  const right: [string, string][] = [['Authorization', `Basic ${b64(`${login}:${b.sim.options.key}`)}`]]
  t.equal((await rawRequest(b.origin, { target: QUERY, headers: right })).status, 429, 'even the right key waits its turn after many failures')
  now += 61_000
  t.equal((await rawRequest(b.origin, { target: QUERY, headers: right })).status, 200, 'a minute later it signs in')
})

t.test('TRUST_PROXY: a hop count or addresses believe the proxy, not what the client wrote', async (t) => {
  const spoofed = (i: number): [string, string][] => [['X-Forwarded-For', `203.0.113.${i}, 198.51.100.7`]]
  for (const value of ['1', '127.0.0.1', '127.0.0.0/8']) {
    const b = await startBridge({ sim: { tasks: 50 }, env: { RATE_LIMIT_PER_MIN: '5', TRUST_PROXY: value } })
    t.teardown(() => b.close())
    t.same(await statuses(b.origin, 8, (i) => ({ headers: spoofed(i) })), FIVE_THEN_LIMITED, `TRUST_PROXY=${value}: the address the proxy saw, one budget`)
  }
  const every = await startBridge({ sim: { tasks: 50 }, env: { RATE_LIMIT_PER_MIN: '5', TRUST_PROXY: 'true' } })
  t.teardown(() => every.close())
  t.same(await statuses(every.origin, 8, (i) => ({ headers: spoofed(i) })), [200, 200, 200, 200, 200, 200, 200, 200], 'TRUST_PROXY=true believes every hop, as documented: only behind a proxy that overwrites the header')
})
