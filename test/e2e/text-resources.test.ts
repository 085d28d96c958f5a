// The text/plain resources (OData 4.01 Part 1 §11.2.10 "Requesting the Number
// of Items in a Collection", §11.2.4.1 "Requesting a Raw Value"): served to
// text/plain, text/*, */* and no Accept; 406 only where Accept excludes text/plain.
import t from 'tap'
import { startBridge } from '../fixtures/bridge.js'

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0)
const bridge = await startBridge({ sim: { tasks: 300, historyDays: 20, now: () => NOW }, now: () => NOW })
t.teardown(() => bridge.close())
const task = bridge.sim.tasks()[0] as { id: number; state: string }

const resources: [string, string][] = [
  ['Tasks/$count', '300'],
  [`Tasks(${task.id})/state/$value`, task.state]
]

for (const [path, body] of resources) {
  t.test(path, async (t) => {
    for (const accept of [undefined, 'text/plain', 'text/*', '*/*', 'text/plain;q=0.5, application/json', 'application/json;odata.metadata=minimal;q=1.0,application/xml;q=0.7,text/plain;q=0.7']) {
      const res = await fetch(`${bridge.feed}${path}`, accept === undefined ? {} : { headers: { accept } })
      t.equal(res.status, 200, `Accept: ${accept ?? '(none)'}`)
      t.match(res.headers.get('content-type'), /^text\/plain/)
      t.equal(await res.text(), body)
    }
    for (const accept of ['application/json', 'application/xml', 'text/html']) {
      const res = await fetch(`${bridge.feed}${path}`, { headers: { accept } })
      t.equal(res.status, 406, `Accept: ${accept}`)
      const error = (await res.json() as { error: { code: string; message: string; target: string } }).error
      t.match(error, { code: 'BRIDGE_ERR_NOT_ACCEPTABLE', target: 'Accept' })
      t.match(error.message, /text\/plain/)
    }
    const formatted = await fetch(`${bridge.feed}${path}?$format=json`)
    t.equal(formatted.status, 406, '$format=json')
  })
}
