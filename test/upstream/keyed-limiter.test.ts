import t from 'tap'
import { KeyedLimiter } from '../../src/upstream/keyed-limiter.js'

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => { resolve = r })
  return { promise, resolve }
}

t.test('at most `limit` tasks per key; the others start in order as slots free up', async (t) => {
  const limiter = new KeyedLimiter(2)
  const started: number[] = []
  const gates = Array.from({ length: 5 }, deferred)
  const runs = gates.map((gate, i) => limiter.run('a', async () => { started.push(i); await gate.promise; return i }))
  const other = limiter.run('b', async () => 'b')
  await new Promise((r) => setImmediate(r))
  t.same(started, [0, 1])
  t.equal(limiter.pending('a'), 5)
  t.equal(await other, 'b', 'another key is not held up')
  gates[1]?.resolve()
  await runs[1]
  await new Promise((r) => setImmediate(r))
  t.same(started, [0, 1, 2])
  for (const gate of gates) gate.resolve()
  t.same(await Promise.all(runs), [0, 1, 2, 3, 4])
  t.equal(limiter.pending('a'), 0)
})

t.test('a failing task frees its slot', async (t) => {
  const limiter = new KeyedLimiter(1)
  await t.rejects(limiter.run('a', async () => { throw new Error('boom') }), { message: 'boom' })
  t.equal(await limiter.run('a', async () => 'next'), 'next')
})

t.test('an aborted wait leaves the queue and never runs', async (t) => {
  const limiter = new KeyedLimiter(1)
  const gate = deferred()
  const first = limiter.run('a', () => gate.promise)
  const controller = new AbortController()
  let ran = false
  const waiting = limiter.run('a', async () => { ran = true }, controller.signal)
  const after = limiter.run('a', async () => 'after')
  controller.abort(new Error('gave up'))
  await t.rejects(waiting, { message: 'gave up' })
  t.equal(limiter.pending('a'), 2)
  gate.resolve()
  await first
  t.equal(await after, 'after')
  t.equal(ran, false)
  const hold = deferred()
  const holder = limiter.run('a', () => hold.promise)
  await t.rejects(limiter.run('a', async () => 1, AbortSignal.abort(new Error('already'))), { message: 'already' })
  t.equal(limiter.pending('a'), 1, 'the aborted call never queued')
  hold.resolve()
  await holder
})
