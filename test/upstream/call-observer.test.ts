import t from 'tap'
import { observe, type ObserverDeps } from '../../src/upstream/call-observer.js'
import type { UpstreamCallEvent } from '../../src/upstream/observability.js'

function deps(events: UpstreamCallEvent[], onCallThrows = false): ObserverDeps {
  return {
    logger: undefined,
    timeoutMs: 100,
    onCall: (event) => {
      events.push(event)
      if (onCallThrows) throw new Error('metrics broke')
    }
  }
}

t.test('a call is reported once with its outcome, retries and re-login', async (t) => {
  const events: UpstreamCallEvent[] = []
  const value = await observe(deps(events), { route: 'tasks', fields: {}, secrets: [] }, async (track) => {
    track.retries = 2
    track.relogin = true
    return 42
  })
  t.equal(value, 42)
  t.equal(events.length, 1)
  t.match(events[0], { route: 'tasks', outcome: 'ok', retries: 2, relogin: true })
  t.ok((events[0]?.ms ?? -1) >= 0)
})

t.test('a throwing onCall hook does not break the call', async (t) => {
  const events: UpstreamCallEvent[] = []
  t.equal(await observe(deps(events, true), { route: 'version', fields: {}, secrets: [] }, async () => 'v'), 'v')
  t.equal(events.length, 1)
})

t.test('an aborted call rejects with the caller\'s reason; a deadline becomes UPSTREAM_TIMEOUT', async (t) => {
  const events: UpstreamCallEvent[] = []
  const controller = new AbortController()
  const reason = new Error('client went away')
  controller.abort(reason)
  await t.rejects(
    observe(deps(events), { route: 'tasks', fields: {}, secrets: [], signal: controller.signal }, async () => { throw reason }),
    reason
  )
  t.equal(events[0]?.outcome, 'aborted')

  const deadline = AbortSignal.abort(new DOMException('deadline', 'TimeoutError'))
  await t.rejects(
    observe(deps(events), { route: 'tasks', fields: {}, secrets: [], signal: deadline }, async () => { throw deadline.reason }),
    { code: 'UPSTREAM_TIMEOUT', message: /deadline of the request/ }
  )
  t.equal(events[1]?.outcome, 'UPSTREAM_TIMEOUT')
})
