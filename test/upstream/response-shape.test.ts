import t from 'tap'
import { asArray, asLogin, asSpringPage, asVersion, parseJson } from '../../src/upstream/response-shape.js'

function page(content: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    content, number: 0, size: 20, totalElements: content.length, totalPages: 1,
    numberOfElements: content.length, last: true, first: true, empty: content.length === 0, ...extra
  }
}

const TASK_KEY = { field: 'id', type: 'number' } as const

t.test('a Spring page passes; its envelope and items are checked', async (t) => {
  const ok = asSpringPage<{ id: number }>('tasks', page([{ id: 1 }, { id: 2 }]), TASK_KEY)
  t.same(ok.content.map((x) => x.id), [1, 2])
  const bad: [unknown, RegExp][] = [
    [null, /not a Spring page object/],
    [[], /not a Spring page object/],
    [page([], { content: {} }), /"content" is not an array/],
    [page([], { size: '20' }), /"size" is not an integer/],
    [page([], { totalPages: 1.5 }), /"totalPages" is not an integer/],
    [page([], { last: 'true' }), /"last" is not a boolean/],
    [page([{ id: 1 }, { id: '2' }]), /item 1 lacking a number "id"/],
    [page([null]), /item 0 lacking/]
  ]
  for (const [body, message] of bad) {
    t.throws(() => asSpringPage('tasks', body, TASK_KEY), { code: 'UPSTREAM_BAD_RESPONSE', message })
  }
  t.throws(() => asSpringPage('tasks', null, TASK_KEY), { message: /^BotCity Insights answered GET \/api\/v1\/insights\/tasks with/ })
})

t.test('arrays, logins, versions and JSON', async (t) => {
  t.same(asArray('runners', [{ id: 'vm01' }], { field: 'id', type: 'string' }), [{ id: 'vm01' }])
  t.throws(() => asArray('runners', { content: [] }, { field: 'id', type: 'string' }), { code: 'UPSTREAM_BAD_RESPONSE', message: /not an array/ })
  t.same(asLogin({ accessToken: 't', organizationLabel: 'org' }), { accessToken: 't', organizationLabel: 'org' })
  t.same(asLogin({ accessToken: 't', organizationLabel: '' }), { accessToken: 't', organizationLabel: undefined })
  t.same(asLogin({ accessToken: 't' }), { accessToken: 't', organizationLabel: undefined })
  t.throws(() => asLogin({ accessToken: '' }), { code: 'UPSTREAM_BAD_RESPONSE', message: /no "accessToken"/ })
  t.throws(() => asLogin('x'), { code: 'UPSTREAM_BAD_RESPONSE' })
  t.same(asVersion({ version: '2.3' }), { version: '2.3' })
  t.throws(() => asVersion({ version: 2 }), { code: 'UPSTREAM_BAD_RESPONSE' })
  t.same(parseJson('tasks', '{"a":1}'), { a: 1 })
  t.throws(() => parseJson('tasks', '{"a":'), { code: 'UPSTREAM_BAD_RESPONSE', message: /not JSON \(5 bytes\)/ })
})
