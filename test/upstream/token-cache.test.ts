import t from 'tap'
import type { Credential } from '../../src/upstream/credential.js'
import { createTokenCache, type Session } from '../../src/upstream/token-cache.js'
import { ephemeralKeys } from '../../src/keys.js'

const ALICE: Credential = { login: 'alice', key: 'alice-key' }
const BOB: Credential = { login: 'bob', key: 'bob-key' }
const MINUTE = 60_000

/** A login that counts its calls and can be told to fail or to wait. */
function fakeLogin() {
  const state = { calls: 0, fail: false, gate: undefined as Promise<void> | undefined }
  const login = async (credential: Credential): Promise<Session> => {
    state.calls++
    const n = state.calls
    if (state.gate !== undefined) await state.gate
    if (state.fail) throw new Error('rejected')
    return { token: `${credential.login}-token-${n}`, organization: credential.login }
  }
  return { state, login }
}

t.test('20 concurrent gets share one login (single flight)', async (t) => {
  const { state, login } = fakeLogin()
  let open!: () => void
  state.gate = new Promise((resolve) => { open = resolve })
  const cache = createTokenCache({ credentialId: ephemeralKeys().credentialId, login, lifetimeMs: 50 * MINUTE, maxCredentials: 10 })
  const pending = Array.from({ length: 20 }, () => cache.get(ALICE))
  open()
  const sessions = await Promise.all(pending)
  t.equal(state.calls, 1)
  t.same(new Set(sessions.map((s) => s.token)), new Set(['alice-token-1']))
})

t.test('a token is reused until its lifetime, measured on the injected clock', async (t) => {
  const { state, login } = fakeLogin()
  let now = 0
  const cache = createTokenCache({ credentialId: ephemeralKeys().credentialId, login, lifetimeMs: 50 * MINUTE, maxCredentials: 10, now: () => now })
  t.equal((await cache.get(ALICE)).token, 'alice-token-1')
  now += 49 * MINUTE
  t.equal((await cache.get(ALICE)).token, 'alice-token-1', 'still fresh at 49 min')
  now += 2 * MINUTE
  t.equal((await cache.get(ALICE)).token, 'alice-token-2', 'logged in again at 51 min')
  t.equal(state.calls, 2)
})

t.test('credentials have their own tokens', async (t) => {
  const { state, login } = fakeLogin()
  const cache = createTokenCache({ credentialId: ephemeralKeys().credentialId, login, lifetimeMs: MINUTE, maxCredentials: 10 })
  t.equal((await cache.get(ALICE)).token, 'alice-token-1')
  t.equal((await cache.get(BOB)).token, 'bob-token-2')
  t.equal((await cache.get(ALICE)).token, 'alice-token-1')
  t.equal(state.calls, 2)
})

t.test('a failed login is never cached', async (t) => {
  const { state, login } = fakeLogin()
  const cache = createTokenCache({ credentialId: ephemeralKeys().credentialId, login, lifetimeMs: MINUTE, maxCredentials: 10 })
  state.fail = true
  await t.rejects(cache.get(ALICE), { message: 'rejected' })
  await t.rejects(cache.get(ALICE), { message: 'rejected' })
  state.fail = false
  t.equal((await cache.get(ALICE)).token, 'alice-token-3')
  t.equal(state.calls, 3)
})

t.test('invalidate forgets the token; with the rejected session, only that one', async (t) => {
  const { state, login } = fakeLogin()
  const cache = createTokenCache({ credentialId: ephemeralKeys().credentialId, login, lifetimeMs: MINUTE, maxCredentials: 10 })
  const first = await cache.get(ALICE)
  cache.invalidate(ALICE)
  const second = await cache.get(ALICE)
  t.equal(second.token, 'alice-token-2')
  cache.invalidate(ALICE, first)
  t.equal((await cache.get(ALICE)).token, 'alice-token-2', 'a stale rejection keeps the newer token')
  cache.invalidate(ALICE, second)
  t.equal((await cache.get(ALICE)).token, 'alice-token-3')
  t.equal(state.calls, 3)
})

t.test('many callers rejecting the same token cause one new login', async (t) => {
  const { state, login } = fakeLogin()
  const cache = createTokenCache({ credentialId: ephemeralKeys().credentialId, login, lifetimeMs: MINUTE, maxCredentials: 10 })
  const rejected = await cache.get(ALICE)
  const renewed = await Promise.all(Array.from({ length: 20 }, async () => {
    cache.invalidate(ALICE, rejected)
    return cache.get(ALICE)
  }))
  t.equal(state.calls, 2)
  t.same(new Set(renewed.map((s) => s.token)), new Set(['alice-token-2']))
})

t.test('invalidating during a login does not fail those waiting for it', async (t) => {
  const { state, login } = fakeLogin()
  let open!: () => void
  state.gate = new Promise((resolve) => { open = resolve })
  const cache = createTokenCache({ credentialId: ephemeralKeys().credentialId, login, lifetimeMs: MINUTE, maxCredentials: 10 })
  const waiting = cache.get(ALICE)
  cache.invalidate(ALICE)
  open()
  t.equal((await waiting).token, 'alice-token-1')
})

t.test('clear forgets every token; the least recently used credential goes first', async (t) => {
  const { state, login } = fakeLogin()
  const cache = createTokenCache({ credentialId: ephemeralKeys().credentialId, login, lifetimeMs: MINUTE, maxCredentials: 1 })
  await cache.get(ALICE)
  await cache.get(BOB)
  t.equal((await cache.get(ALICE)).token, 'alice-token-3', 'alice was evicted by bob')
  cache.clear()
  t.equal((await cache.get(ALICE)).token, 'alice-token-4')
  t.equal(state.calls, 4)
})

t.test('a login that yields nothing is an error, not an undefined session', async (t) => {
  const cache = createTokenCache({
    login: async () => undefined as unknown as Session,
    lifetimeMs: MINUTE,
    maxCredentials: 1,
    credentialId: ephemeralKeys().credentialId
  })
  await t.rejects(cache.get(ALICE), { message: 'login produced no session' })
})
