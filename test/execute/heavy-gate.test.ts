// The heavy gate's queue, alone: a request whose client already left takes no
// place in it (the e2e test, test/e2e/heavy-gate.test.ts, covers the rest).
import t from 'tap'
import { HeavyGate } from '../../src/execute/heavy-gate.js'

t.test('a client already gone is refused at once, not queued', async (t) => {
  const gate = new HeavyGate(1, 4, 60_000, 10)
  const leave = await gate.enter()
  const gone = new AbortController()
  gone.abort(new Error('the client left'))
  await t.rejects(gate.enter(gone.signal), { message: 'the client left' })
  t.same(gate.state(), { running: 1, queued: 0, refused: 0 }, 'nothing waits in its name')
  leave()
  t.same(gate.state(), { running: 0, queued: 0, refused: 0 })
})
