// Small pieces whose edge cases HTTP tests reach only with difficulty.
import t from 'tap'
import { buildSimulatorApp } from '../../src/simulator/app.js'
import { baseUrl } from '../../src/simulator/base-url.js'
import { BoundedCache } from '../../src/simulator/bounded-cache.js'
import { simClock } from '../../src/simulator/clock.js'
import { createContext } from '../../src/simulator/context.js'
import { RateLimiter } from '../../src/simulator/rate-limiter.js'
import { resolveOptions } from '../../src/simulator/resolve-options.js'
import { parseSort, sortRows } from '../../src/simulator/sort-spec.js'
import type { Sortable } from '../../src/simulator/sort-spec.js'
import { pathOf, springErrorBody } from '../../src/simulator/spring-error.js'

t.test('BoundedCache computes once per key and forgets the oldest', async (t) => {
  const cache = new BoundedCache<number>(2)
  let computed = 0
  const get = (key: string): number => cache.get(key, () => ++computed)
  t.same([get('a'), get('a'), get('b'), get('c')], [1, 1, 2, 3])
  t.equal(get('b'), 2, 'b kept')
  t.equal(get('a'), 4, 'a was forgotten')
})

t.test('RateLimiter slides over one second and compacts its log', async (t) => {
  const limiter = new RateLimiter(2000)
  let admitted = 0
  for (let ms = 0; ms < 3000; ms++) if (limiter.admit(ms) && limiter.admit(ms)) admitted++
  t.equal(admitted, 3000, 'two per millisecond fit in 2000 per second')
  t.notOk(limiter.admit(2999), 'the window is full')
  t.ok(limiter.admit(3000), 'the oldest left it')
  t.ok(new RateLimiter(0).admit(0), '0 means no limit')
})

t.test('sorting puts nulls first ascending and last descending', async (t) => {
  interface Row { id: string; value: number | null }
  const sortable: Sortable<Row> = { typeName: 'Row', keys: { value: (r) => r.value }, defaultSort: 'value', tieBreak: (r) => r.id }
  const rows: Row[] = [{ id: 'a', value: 2 }, { id: 'b', value: null }, { id: 'c', value: 1 }, { id: 'd', value: null }]
  t.same(sortRows(sortable, rows, parseSort(sortable, [])).map((r) => r.id), ['b', 'd', 'c', 'a'])
  t.same(sortRows(sortable, rows, parseSort(sortable, ['value,desc'])).map((r) => r.id), ['a', 'c', 'b', 'd'])
  t.same(sortRows(sortable, [rows[0] as Row, rows[0] as Row], []).length, 2, 'equal rows keep their place')
  t.throws(() => parseSort(sortable, ['toString']), /No property 'toString' found for type 'Row'/)
})

t.test('Spring error bodies', async (t) => {
  t.equal(pathOf('/a/b?c=d?e'), '/a/b')
  t.equal(pathOf('/a'), '/a')
  t.same(springErrorBody(499, 'x', '/p?q', 0), { timestamp: '1970-01-01T00:00:00.000+00:00', status: 499, error: 'Unknown', message: 'x', path: '/p' })
})

t.test('baseUrl', async (t) => {
  t.equal(baseUrl('0.0.0.0', 1), 'http://127.0.0.1:1')
  t.equal(baseUrl('::', 2), 'http://[::1]:2')
  t.equal(baseUrl('::1', 3), 'http://[::1]:3')
  t.equal(baseUrl('localhost', 4), 'http://localhost:4')
})

t.test('the error handler keeps Fastify 4xx and hides unexpected errors', async (t) => {
  const options = resolveOptions({ tasks: 0 })
  const app = buildSimulatorApp(createContext(options, simClock(options), []))
  app.get('/boom', async () => { throw new Error('secret detail') })
  t.teardown(() => app.close())
  const boom = await app.inject('/boom')
  t.equal(boom.statusCode, 500)
  t.match(boom.json(), { status: 500, error: 'Internal Server Error', message: 'Internal Server Error', path: '/boom' })
  const huge = await app.inject({ method: 'POST', url: '/api/v2/workspace/login', headers: { 'content-type': 'application/json' }, payload: `"${'x'.repeat(1_100_000)}"` })
  t.equal(huge.statusCode, 413)
  t.match(huge.json(), { status: 413, error: 'Payload Too Large' })
})
