// Large pages are streamed as they are written (src/http/send-chunks.ts): no
// Content-Length, chunked transfer, compressed on the way when asked, the same
// rows as the oracle, and the bytes kept for a warm repeat; small answers are
// sent whole. A client that leaves in the middle harms nothing.
import { get } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { gunzipSync } from 'node:zlib'
import t from 'tap'
import { startBridge } from '../fixtures/bridge.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const DAY = 86_400_000

const bridge = await startBridge({ sim: { tasks: 9000, historyDays: 60, now: () => NOW }, now: () => NOW, env: { PAGE_SIZE: '3000', MAX_PAGE_SIZE: '5000' } })
t.teardown(() => bridge.close())

/** The horizon's task ids, newest first, from the simulator's own data. */
const expectedIds = bridge.sim.tasks().filter((w) => Date.parse(w.dateCreation) >= NOW - 30 * DAY).map((w) => w.id)

interface Raw { status: number; headers: IncomingHttpHeaders; body: Buffer; chunks: number }

function raw(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const parts: Buffer[] = []
      res.on('data', (c: Buffer) => parts.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), chunks: parts.length }))
      res.on('error', reject)
    }).on('error', reject)
  })
}

/** Page-cache hits so far: a warm repeat answered from kept bytes does not touch the page cache. */
async function pageCacheHits(): Promise<number> {
  const text = await (await fetch(`${bridge.origin}/metrics`)).text()
  const figure = (name: string): number => Number(new RegExp(`^botcity_odata_${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN)
  // Pages read again, from the page cache or the task ledger.
  return figure('page_cache_hits_total') + figure('task_ledger_pages_served_total')
}

t.test('a large page is streamed: chunked, no Content-Length, exactly the oracle\'s rows', async (t) => {
  t.ok(expectedIds.length > 3000, `the horizon holds ${expectedIds.length} tasks, more than a page`)
  const res = await raw(`${bridge.feed}Tasks?$select=id,state&$count=true`, { accept: 'application/json' })
  t.equal(res.status, 200)
  t.equal(res.headers['transfer-encoding'], 'chunked')
  t.equal(res.headers['content-length'], undefined, 'no Content-Length on a streamed body')
  t.equal(res.headers['content-type'], 'application/json;odata.metadata=minimal')
  t.equal(res.headers['odata-version'], '4.0')
  const body = JSON.parse(res.body.toString('utf8')) as { '@odata.context': string; '@odata.count': number; value: { id: number }[]; '@odata.nextLink'?: string }
  t.equal(Object.keys(body)[0], '@odata.context', '@odata.context first')
  t.equal(body['@odata.count'], expectedIds.length)
  t.same(body.value.map((r) => r.id), expectedIds.slice(0, Math.min(3000, expectedIds.length)), 'rows in upstream order, none missing or repeated')
  t.equal(body['@odata.nextLink'] !== undefined, expectedIds.length > 3000, 'nextLink only when rows remain')
})

t.test('a streamed page is compressed on the way when the client accepts gzip', async (t) => {
  const plain = await raw(`${bridge.feed}Tasks?$top=2500`)
  const zipped = await raw(`${bridge.feed}Tasks?$top=2500`, { 'accept-encoding': 'gzip, deflate' })
  t.equal(zipped.headers['content-encoding'], 'gzip')
  t.ok(zipped.body.length * 4 < plain.body.length, `gzip: ${zipped.body.length} bytes for ${plain.body.length}`)
  t.same(gunzipSync(zipped.body), plain.body, 'the same bytes once decompressed')
})

t.test('the streamed bytes are kept: a warm repeat answers them without the upstream', async (t) => {
  const url = `${bridge.feed}Tasks?$orderby=totalItems%20desc&$top=2000`
  const cold = await raw(url)
  bridge.sim.resetStats()
  const hits = await pageCacheHits()
  const warm = await raw(url)
  const s = bridge.sim.stats()
  t.equal(s.tasks + s.login, 0, 'no upstream call')
  t.equal(await pageCacheHits(), hits, 'not even a page-cache read: the kept answer')
  t.same(warm.body, cold.body, 'byte for byte the streamed answer')
  t.equal(warm.headers['content-type'], cold.headers['content-type'])
})

t.test('small answers are sent whole, with a Content-Length', async (t) => {
  const res = await raw(`${bridge.feed}Tasks?$top=10`)
  t.equal(res.status, 200)
  t.equal(res.headers['content-length'], String(res.body.length))
  t.equal((JSON.parse(res.body.toString('utf8')) as { value: unknown[] }).value.length, 10)
  const count = await raw(`${bridge.feed}Tasks/$count`)
  t.equal(count.body.toString('utf8'), String(expectedIds.length))
})

t.test('a client that leaves in the middle of a streamed page harms nothing', async (t) => {
  const url = `${bridge.feed}Tasks?$filter=id%20gt%200&$top=2999`
  await new Promise<void>((resolve, reject) => {
    const req = get(url, (res) => {
      res.once('data', () => {
        req.destroy()
        resolve()
      })
    })
    req.on('error', (err: NodeJS.ErrnoException) => { if (err.code !== 'ECONNRESET') reject(err) })
  })
  const hits = await pageCacheHits()
  const after = await raw(url)
  t.equal(after.status, 200, 'the bridge still answers')
  const body = JSON.parse(after.body.toString('utf8')) as { value: { id: number }[] }
  t.same(body.value.map((r) => r.id), expectedIds.slice(0, 2999), 'the next answer is whole')
  t.ok(await pageCacheHits() > hits, 'the cut answer was not kept: it was written again from pages held')
})
