import t from 'tap'
import { iteratePages, type PageFetcher } from '../../src/upstream/page-iterator.js'
import type { SpringPage } from '../../src/upstream/wire.js'

/** A fake paged route over `rows` numbers: `honoured` decides whether `size` is obeyed. */
function pagedRoute(rows: number, defaultSize: number, honoured: boolean) {
  const asked: { page: number; size: number | undefined }[] = []
  const fetch: PageFetcher<number> = async (page, size) => {
    asked.push({ page, size })
    const s = honoured && size !== undefined ? size : defaultSize
    const content = Array.from({ length: Math.max(0, Math.min(s, rows - page * s)) }, (_, i) => page * s + i)
    const totalPages = Math.ceil(rows / s)
    return {
      content, number: page, size: s, totalElements: rows, totalPages, numberOfElements: content.length,
      last: page + 1 >= totalPages, first: page === 0, empty: content.length === 0
    } as SpringPage<number>
  }
  return { asked, fetch }
}

async function collect(iterable: AsyncIterable<SpringPage<number>>): Promise<number[]> {
  const rows: number[] = []
  for await (const page of iterable) rows.push(...page.content)
  return rows
}

t.test('pages to the end, learning the page size', async (t) => {
  const route = pagedRoute(45, 20, false)
  const pages = iteratePages(route.fetch)
  t.equal(pages.pageSize, undefined)
  t.same(await collect(pages), Array.from({ length: 45 }, (_, i) => i))
  t.equal(pages.pageSize, 20)
  t.same(route.asked, [{ page: 0, size: undefined }, { page: 1, size: undefined }, { page: 2, size: undefined }])
})

t.test('a size the upstream ignores is not sent again; an honoured one is kept', async (t) => {
  const ignored = pagedRoute(45, 20, false)
  const ignoring = iteratePages(ignored.fetch, { size: 1000 })
  await collect(ignoring)
  t.same(ignored.asked.map((a) => a.size), [1000, undefined, undefined])
  t.equal(ignoring.pageSize, 20)

  const obeyed = pagedRoute(45, 20, true)
  const obeying = iteratePages(obeyed.fetch, { size: 10 })
  t.equal((await collect(obeying)).length, 45)
  t.same(obeyed.asked.map((a) => a.size), [10, 10, 10, 10, 10])
  t.equal(obeying.pageSize, 10)
})

t.test('start page, page limit, empty routes', async (t) => {
  const route = pagedRoute(100, 20, false)
  t.same(await collect(iteratePages(route.fetch, { startPage: 3 })), Array.from({ length: 40 }, (_, i) => 60 + i))
  t.same(await collect(iteratePages(route.fetch, { startPage: 1, maxPages: 2 })), Array.from({ length: 40 }, (_, i) => 20 + i))
  const empty = pagedRoute(0, 20, false)
  t.same(await collect(iteratePages(empty.fetch)), [])
  t.equal(empty.asked.length, 1)
  const beyond = pagedRoute(10, 20, false)
  t.same(await collect(iteratePages(beyond.fetch, { startPage: 5 })), [], 'past the end: one empty page')
})

t.test('stops on empty or totalPages even if `last` never comes; refuses a wrong page number', async (t) => {
  const neverLast: PageFetcher<number> = async (page) => ({
    content: page < 2 ? [page] : [], number: page, size: 1, totalElements: 2, totalPages: 99,
    numberOfElements: page < 2 ? 1 : 0, last: false, first: page === 0, empty: page >= 2
  } as SpringPage<number>)
  t.same(await collect(iteratePages(neverLast)), [0, 1])
  const capped: PageFetcher<number> = async (page) => ({
    content: [page], number: page, size: 1, totalElements: 3, totalPages: 3,
    numberOfElements: 1, last: false, first: page === 0, empty: false
  } as SpringPage<number>)
  t.same(await collect(iteratePages(capped)), [0, 1, 2])
  const stuck: PageFetcher<number> = async () => ({
    content: [0], number: 0, size: 1, totalElements: 9, totalPages: 9,
    numberOfElements: 1, last: false, first: true, empty: false
  } as SpringPage<number>)
  await t.rejects(collect(iteratePages(stuck)), { code: 'UPSTREAM_BAD_RESPONSE', message: /answered page 0 when asked for page 1/ })
})
