import t from 'tap'
import { bufferedFetch } from '../../src/upstream/buffered-fetch.js'

t.test('the body is read before the promise resolves; status and headers kept', async (t) => {
  let bodyRead = false
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      bodyRead = true
      controller.enqueue(new TextEncoder().encode('{"a":1}'))
      controller.close()
    }
  })
  const fetch = bufferedFetch(async () => new Response(stream, { status: 418, statusText: 'Teapot', headers: { 'x-a': 'b' } }))
  const response = await fetch('http://upstream.test/')
  t.equal(bodyRead, true)
  t.equal(response.status, 418)
  t.equal(response.statusText, 'Teapot')
  t.equal(response.headers.get('x-a'), 'b')
  t.same(await response.json(), { a: 1 })
})

t.test('null-body statuses stay bodiless', async (t) => {
  const fetch = bufferedFetch(async () => new Response(null, { status: 204 }))
  const response = await fetch('http://upstream.test/')
  t.equal(response.status, 204)
  t.equal(await response.text(), '')
})

t.test('a body that fails midway fails the fetch', async (t) => {
  const stream = new ReadableStream<Uint8Array>({ pull(controller) { controller.error(new Error('reset')) } })
  const fetch = bufferedFetch(async () => new Response(stream))
  await t.rejects(fetch('http://upstream.test/'), { message: 'reset' })
})
