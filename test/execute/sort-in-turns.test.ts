// sortInTurns gives what Array.prototype.sort gives (the same order, stable),
// for every size around its runs, and lets the event loop turn while it sorts.
import t from 'tap'
import { sortInTurns } from '../../src/execute/sort-in-turns.js'

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

interface Item { readonly key: number, readonly at: number }
const byKey = (x: Item, y: Item): number => x.key - y.key

t.test('the order of Array.prototype.sort, ties in their first order, at every size around the runs', async (t) => {
  const next = random(7)
  for (const n of [0, 1, 2, 1023, 1024, 1025, 2048, 2049, 3000, 5121, 20_000]) {
    // Few distinct keys: many ties, so stability shows.
    const items: Item[] = Array.from({ length: n }, (_, at) => ({ key: Math.floor(next() * 50), at }))
    const want = [...items].sort(byKey)
    const got = await sortInTurns([...items], byKey)
    t.same(got.map((i) => i.at), want.map((i) => i.at), `${n} rows`)
  }
})

t.test('the event loop turns while 20,000 rows are sorted', async (t) => {
  const next = random(11)
  const items: Item[] = Array.from({ length: 20_000 }, (_, at) => ({ key: next(), at }))
  let turned = false
  // Each comparison waits on nothing; the sort holds the loop unless it gives turns.
  const slow = (x: Item, y: Item): number => {
    const until = performance.now() + 0.001
    while (performance.now() < until) { /* a comparison that costs */ }
    return x.key - y.key
  }
  setImmediate(() => { turned = true })
  const sorting = sortInTurns(items, slow)
  const sorted = await sorting
  t.ok(turned, 'an immediate ran while sorting')
  t.ok(sorted.every((v, i) => i === 0 || (sorted[i - 1] as Item).key <= v.key), 'sorted')
})
