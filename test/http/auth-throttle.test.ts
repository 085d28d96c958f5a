import t from 'tap'
import { createAuthThrottle } from '../../src/http/auth-throttle.js'

t.test('three free failures, then waits that double up to a ceiling; success forgets', async (t) => {
  let now = 0
  const th = createAuthThrottle({ now: () => now, maxDelayMs: 8_000 })
  const fail = (): number => { th.failed('10.0.0.1', 'acme'); return th.waitMs('10.0.0.1', 'acme') }
  t.same([fail(), fail(), fail()], [0, 0, 0], 'typing mistakes are free')
  t.same([fail(), fail(), fail(), fail(), fail()], [1000, 2000, 4000, 8000, 8000], 'then 1 s, 2 s, 4 s … up to the ceiling')
  now += 8_000
  t.equal(th.waitMs('10.0.0.1', 'acme'), 0, 'the wait ends: no lockout')
  t.equal(th.waitMs('10.0.0.2', 'acme'), 0, 'another address is another pair')
  t.equal(th.waitMs('10.0.0.1', 'other'), 0, 'another login is another pair')
  th.succeeded('10.0.0.1', 'acme')
  t.equal(fail(), 0, 'a success starts over')
})

t.test('a pair forgets its failures after a quiet spell', async (t) => {
  let now = 0
  const th = createAuthThrottle({ now: () => now, forgetMs: 60_000 })
  for (let i = 0; i < 4; i++) th.failed('a', 'l')
  t.equal(th.waitMs('a', 'l'), 1000)
  now += 61_000
  th.failed('a', 'l')
  t.equal(th.waitMs('a', 'l'), 0, 'counted from one again')
})
