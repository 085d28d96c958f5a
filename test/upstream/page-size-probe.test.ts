import t from 'tap'
import { probePageSize, type PageSizeMemory } from '../../src/upstream/page-size-probe.js'
import type { PageFetcher } from '../../src/upstream/page-iterator.js'
import type { SpringPage } from '../../src/upstream/wire.js'

function route(answerSize: (asked: number | undefined) => number) {
  const calls: (number | undefined)[] = []
  const fetch: PageFetcher<number> = async (_page, size) => {
    calls.push(size)
    return { content: [], number: 0, size: answerSize(size), totalElements: 0, totalPages: 0, numberOfElements: 0, last: true, first: true, empty: true } as unknown as SpringPage<number>
  }
  return { calls, fetch }
}

function captureInfo() {
  const lines: { fields: object; message: string | undefined }[] = []
  const log = (fields: object, message?: string) => { lines.push({ fields, message }) }
  return { lines, logger: { debug: () => {}, info: log, warn: () => {}, error: () => {} } }
}

t.test('an honoured size is used, logged and remembered per key', async (t) => {
  const r = route((asked) => asked ?? 20)
  const memory: PageSizeMemory = new Map()
  const { lines, logger } = captureInfo()
  const finding = await probePageSize(r.fetch, { key: 'http://x tasks', memory, logger })
  t.same(finding, { requested: 1000, pageSize: 1000, honoured: true })
  t.same(await probePageSize(r.fetch, { key: 'http://x tasks', memory, logger }), finding)
  t.same(r.calls, [1000], 'asked once')
  t.equal(lines.length, 1)
  t.equal(lines[0]?.message, 'upstream honours size=1000: pages of 1000 rows')
  t.same(lines[0]?.fields, { upstream: 'http://x tasks', requested: 1000, pageSize: 1000, honoured: true })
})

t.test('an ignored or capped size is not trusted', async (t) => {
  const memory: PageSizeMemory = new Map()
  const { lines, logger } = captureInfo()
  t.same(await probePageSize(route(() => 20).fetch, { key: 'a', memory, logger, size: 500 }), { requested: 500, pageSize: 20, honoured: false })
  t.equal(lines[0]?.message, 'upstream does not honour size=500: pages of 20 rows')
  t.same(await probePageSize(route(() => 200).fetch, { key: 'b', memory }), { requested: 1000, pageSize: 200, honoured: false })
})

t.test('concurrent probes share one call; a failed probe is forgotten', async (t) => {
  const r = route((asked) => asked ?? 20)
  const memory: PageSizeMemory = new Map()
  const both = await Promise.all([probePageSize(r.fetch, { key: 'k', memory }), probePageSize(r.fetch, { key: 'k', memory })])
  t.equal(both[0], both[1])
  t.equal(r.calls.length, 1)

  let fail = true
  const flaky: PageFetcher<number> = async (page, size) => {
    if (fail) throw new Error('down')
    return r.fetch(page, size)
  }
  await t.rejects(probePageSize(flaky, { key: 'f', memory }), { message: 'down' })
  t.equal(memory.has('f'), false)
  fail = false
  t.equal((await probePageSize(flaky, { key: 'f', memory })).honoured, true)
})
