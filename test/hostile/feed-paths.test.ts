// Every path under /odata/ needs credentials where the bridge asks for them —
// unknown entity sets, misspellings and percent-encoded forms included —
// decided on the decoded path the router reads, not on a prefix of the raw URL.
import t from 'tap'
import { listenBridge } from '../fixtures/bridge.js'
import { startSimulator } from '../../src/simulator/index.js'

const sim = await startSimulator({ port: 0, tasks: 50 })
t.teardown(() => sim.close())
const passthrough = await listenBridge(sim, {}, { passthrough: true })
const service = await listenBridge(sim, { BRIDGE_API_KEYS: 'a-bridge-key-of-some-length', ALLOW_ANONYMOUS: 'false' })
t.teardown(async () => {
  await passthrough.app.close()
  await service.app.close()
})

const FEED_PATHS = ['/odata', '/odata/', '/odata/$metadata', '/odata/Tasks', '/odata/Nope', '/odata/tasks', '/odata/Task', '/odata/Tasks(1)/state/$value',
  '/%6Fdata/Tasks', '/%6fdata/%54asks', '/%6F%64%61%74%61/', '/odata//Tasks', '/odata/Tasks/../Runners', '/odata/%24metadata']

for (const [mode, bridge] of [['passthrough', passthrough], ['service account', service]] as const) {
  t.test(`${mode}: 401 on every feed path without credentials`, async (t) => {
    for (const path of FEED_PATHS) {
      const res = await fetch(`${bridge.origin}${path}`)
      t.equal(res.status, 401, path)
      t.match(res.headers.get('www-authenticate'), /^Basic /, `${path}: a Basic challenge`)
      await res.arrayBuffer()
    }
  })
}

t.test('with credentials, an encoded path is the path it decodes to', async (t) => {
  const auth = { authorization: `Basic ${Buffer.from(`${sim.options.login}:${sim.options.key}`).toString('base64')}` }
  const plain = await (await fetch(`${passthrough.origin}/odata/Tasks?$top=2&$select=id`, { headers: auth })).json() as { value: unknown[] }
  const encoded = await (await fetch(`${passthrough.origin}/%6Fdata/Tasks?$top=2&$select=id`, { headers: auth })).json() as { value: unknown[] }
  t.same(encoded.value, plain.value)
  t.equal(plain.value.length, 2)
})

t.test('outside the feed: 404, not 401', async (t) => {
  for (const path of ['/ODATA/Tasks', '/odata%2FTasks', '/odatax/Tasks', '/nowhere']) {
    const res = await fetch(`${passthrough.origin}${path}`)
    t.equal(res.status, 404, path)
    await res.arrayBuffer()
  }
})
