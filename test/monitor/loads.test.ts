// The load book on its own: marks read back from any token, client kinds,
// queries as shown, the bound on loads held, and a load's end told once.
import t from 'tap'
import { LoadBook, clientKind, loadLine, loadMarkOf, shownQuery } from '../../src/monitor/loads.js'

const NO_READS = { reads: 0, calls: 0, ledger: 0, rows: 0 }

t.test('a mark read back from a token: only well-formed figures count', async (t) => {
  t.equal(loadMarkOf(null), null)
  t.equal(loadMarkOf({ m: 'scan' }), null, 'a token of an older bridge')
  t.equal(loadMarkOf({ L: { i: 'x', t: 1, f: { rows: 1 } } }), null, 'figures not an array')
  t.same(loadMarkOf({ L: { i: 'abc', t: 5, f: [10, 1, 3, 2, 1, 0] } }), { id: 'abc', started: 5, figures: { rows: 10, pages: 1, reads: 3, calls: 2, cached: 1, ledger: 0 } })
  t.same(loadMarkOf({ L: { i: 'a'.repeat(100), t: 5, f: [-1, 1.5, 'x'] } })?.figures, { rows: 0, pages: 0, reads: 0, calls: 0, cached: 0, ledger: 0 }, 'bad numbers read as 0')
  t.equal(loadMarkOf({ L: { i: 'a'.repeat(100), t: 5, f: [] } })?.id.length, 32, 'an id cut to 32 characters')
})

t.test('client kinds from the User-Agent', async (t) => {
  t.equal(clientKind('Microsoft.Data.Mashup (https://go.microsoft.com/fwlink/?LinkID=304225)'), 'power-query')
  t.equal(clientKind('curl/8.5.0'), 'curl')
  t.equal(clientKind('Mozilla/5.0 (X11; Linux x86_64) Chrome/156'), 'browser')
  t.equal(clientKind('python-requests/2.31'), 'other')
  t.equal(clientKind(undefined), 'other')
})

t.test('a query as shown: decoded, a + kept, cut at 1,000 characters', async (t) => {
  t.equal(shownQuery('/odata/Tasks', ['$filter=state%20eq%20%27FINISHED%27', 'days=30']), "/odata/Tasks?$filter=state eq 'FINISHED'&days=30")
  t.equal(shownQuery('/odata/Tasks', ['$filter=dateCreation%20ge%202024-01-01T00:00:00+03:00']), '/odata/Tasks?$filter=dateCreation ge 2024-01-01T00:00:00+03:00')
  t.equal(shownQuery('/odata/Tasks', ['$filter=%E0%A4%A']), '/odata/Tasks?$filter=%E0%A4%A', 'undecodable text as sent')
  t.equal(shownQuery('/odata/Tasks', [`$filter=${'x'.repeat(2000)}`]).length, 1000)
})

t.test('at most maxLive loads held: the one awaiting its next request longest is abandoned', async (t) => {
  let now = 1_000
  const lines: Record<string, unknown>[] = []
  const book = new LoadBook({ now: () => now, abandonMs: 600_000, maxLive: 3, log: (load) => { lines.push(loadLine(load)[0]) } })
  t.teardown(() => book.close())
  const start = (): string => {
    const ticket = book.begin({ mark: null, set: 'Tasks', query: () => '/odata/Tasks', client: 'other', credential: 'c' })
    now += 10
    ticket.answered(100, NO_READS, true, null)
    return ticket.id
  }
  const ids = [start(), start(), start()]
  t.equal(book.inFlight(), 3)
  t.equal(lines.length, 0)
  start()
  t.equal(book.inFlight(), 3, 'still three')
  t.match(lines, [{ load: { id: ids[0], outcome: 'abandoned', rows: 100 } }], 'the first one went, abandoned')
})

t.test('a request that failed while another of its load runs does not end it', async (t) => {
  let now = 0
  const ended: string[] = []
  const book = new LoadBook({ now: () => now, abandonMs: 1000, log: (load) => { ended.push(loadLine(load)[1]) } })
  t.teardown(() => book.close())
  const first = book.begin({ mark: null, set: 'Tasks', query: () => '/odata/Tasks', client: 'other', credential: 'c' })
  const mark = first.answered(100, NO_READS, true, null)
  const m = loadMarkOf({ L: mark })
  const a = book.begin({ mark: m, set: 'Tasks', query: () => '/odata/Tasks', client: 'other', credential: 'c' })
  const b = book.begin({ mark: m, set: 'Tasks', query: () => '/odata/Tasks', client: 'other', credential: 'c' })
  a.failed(502, 'UPSTREAM_BAD_RESPONSE', false)
  t.same(ended, [], 'its retry still runs')
  b.answered(50, NO_READS, false, null)
  b.answered(50, NO_READS, false, null)
  t.same(ended, ['load finished'], 'ended once')
  now += 5000
  await book.sweep()
  t.equal(book.inFlight(), 0)
})

t.test('a page asked again (a client retrying it) is counted once', async (t) => {
  const ended: Record<string, unknown>[] = []
  const book = new LoadBook({ now: () => 0, abandonMs: 1000, log: (load) => { ended.push(loadLine(load)[0]) } })
  t.teardown(() => book.close())
  const begin = (mark: ReturnType<typeof loadMarkOf>): ReturnType<LoadBook['begin']> => book.begin({ mark, set: 'Tasks', query: () => '/odata/Tasks', client: 'other', credential: 'c' })
  const first = loadMarkOf({ L: begin(null).answered(100, NO_READS, true, null) })
  const second = loadMarkOf({ L: begin(first).answered(100, NO_READS, true, null) })
  t.same(second?.figures.pages, 2)
  // The second page again, from the first page's token: the load has answered two pages, not three.
  t.same(loadMarkOf({ L: begin(first).answered(100, NO_READS, true, null) })?.figures, second?.figures)
  begin(second).answered(30, NO_READS, false, null)
  t.match(ended, [{ load: { pages: 3, rows: 230 } }])
})
