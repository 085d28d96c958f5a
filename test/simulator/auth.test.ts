import t from 'tap'
import { UPSTREAM_PATHS } from '../../src/upstream/wire.js'
import type { LoginResponse } from '../../src/upstream/wire.js'
import { getJson, login, manualClock, postJson, simulator } from './fixtures/simulator.js'

const TASKS = `${UPSTREAM_PATHS.tasks}?page=0`

t.test('login returns a token and the organization label', async (t) => {
  const sim = await simulator(t, { login: 'acme', key: 's3cret' })
  const response = await postJson(sim, UPSTREAM_PATHS.login, { login: 'acme', key: 's3cret' })
  t.equal(response.status, 200)
  const body = await response.json() as LoginResponse
  t.same(Object.keys(body).sort(), ['accessToken', 'organizationLabel'])
  t.equal(body.organizationLabel, 'acme')
  t.match(body.accessToken, /^[\w-]{20,}$/)
  const second = await (await postJson(sim, UPSTREAM_PATHS.login, { login: 'acme', key: 's3cret' })).json() as LoginResponse
  t.not(second.accessToken, body.accessToken, 'tokens are random')
})

t.test('login rejects wrong credentials with a Spring error body', async (t) => {
  const sim = await simulator(t)
  for (const credentials of [{ login: 'demo', key: 'nope' }, { login: 'nobody', key: 'demo' }, {}, 'text']) {
    const response = await postJson(sim, UPSTREAM_PATHS.login, credentials)
    t.equal(response.status, 401, JSON.stringify(credentials))
    const body = await response.json() as Record<string, unknown>
    t.same(Object.keys(body).sort(), ['error', 'message', 'path', 'status', 'timestamp'])
    t.match(body, { status: 401, error: 'Unauthorized', path: UPSTREAM_PATHS.login, message: /invalid/i })
    t.match(body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/)
  }
})

t.test('login with a body that is not JSON is a 400 or 415 in the same shape', async (t) => {
  const sim = await simulator(t)
  const broken = await fetch(sim.url + UPSTREAM_PATHS.login, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"login":' })
  t.equal(broken.status, 400)
  t.match(await broken.json(), { status: 400, error: 'Bad Request', path: UPSTREAM_PATHS.login })
  const form = await fetch(sim.url + UPSTREAM_PATHS.login, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' })
  t.equal(form.status, 415)
  t.match(await form.json(), { status: 415, error: 'Unsupported Media Type' })
})

t.test('data routes need a valid token and organization', async (t) => {
  const sim = await simulator(t)
  const headers = await login(sim)
  for (const path of [TASKS, UPSTREAM_PATHS.automation, UPSTREAM_PATHS.runners]) {
    t.equal((await getJson(sim, path, headers)).status, 200, `${path} with token`)
    const missing = await getJson<Record<string, unknown>>(sim, path, { organization: 'demo' })
    t.equal(missing.status, 401, `${path} without token`)
    t.match(missing.body, { status: 401, error: 'Unauthorized', message: 'Missing token', path: path.split('?')[0] })
    const wrong = await getJson(sim, path, { token: 'forged', organization: 'demo' })
    t.match(wrong, { status: 401, body: { message: 'Invalid or expired token' } })
  }
  t.match(await getJson(sim, TASKS, { token: headers.token as string }), { status: 401, body: { message: 'Missing organization' } })
  t.match(await getJson(sim, TASKS, { ...headers, organization: 'someone-else' }), { status: 401 })
})

t.test('Authorization: Bearer is accepted, and the login works as organization', async (t) => {
  const sim = await simulator(t, { workspaces: [{ login: 'corp-login', key: 'k', organizationLabel: 'Corp' }] })
  const headers = await login(sim, { login: 'corp-login', key: 'k' })
  t.equal(headers.organization, 'Corp')
  const bearer = { authorization: `Bearer ${headers.token as string}`, organization: 'Corp' }
  t.equal((await getJson(sim, TASKS, bearer)).status, 200)
  t.equal((await getJson(sim, TASKS, { ...headers, organization: 'corp-login' })).status, 200)
  t.equal((await getJson(sim, TASKS, { authorization: 'Basic abc', organization: 'Corp' })).status, 401)
})

t.test('tokens expire after tokenTtlS on the injected clock', async (t) => {
  const clock = manualClock()
  const sim = await simulator(t, { now: clock.now, tokenTtlS: 60 })
  const headers = await login(sim)
  clock.advance(59_999)
  t.equal((await getJson(sim, TASKS, headers)).status, 200, 'valid until the last millisecond')
  clock.advance(1)
  t.match(await getJson(sim, TASKS, headers), { status: 401, body: { message: 'Invalid or expired token' } })
  t.equal((await getJson(sim, TASKS, headers)).status, 401, 'stays expired')
  t.equal((await getJson(sim, TASKS, await login(sim))).status, 200, 'a new login works')
})

t.test('version needs no authentication; unknown paths are a Spring 404', async (t) => {
  const sim = await simulator(t)
  t.match(await getJson(sim, UPSTREAM_PATHS.version), { status: 200, body: { version: /^\d+\.\d+\.\d+$/ } })
  const missing = await getJson(sim, '/api/v1/insights/nothing?x=1')
  t.match(missing, { status: 404, body: { status: 404, error: 'Not Found', path: '/api/v1/insights/nothing' } })
})
