import t from 'tap'
import { UPSTREAM_PATHS } from '../../src/upstream/wire.js'
import type { SpringPage, WireAutomation, WireTask } from '../../src/upstream/wire.js'
import { getJson, login, manualClock, simulator } from './fixtures/simulator.js'

t.test('each workspace sees only its own data', async (t) => {
  const sim = await simulator(t, {
    now: manualClock().now,
    tasks: 300,
    workspaces: [{ login: 'beta', key: 'b-key', organizationLabel: 'Beta Corp' }, { login: 'gamma', key: 'g-key', seed: 1 }]
  })
  const demo = await login(sim)
  const beta = await login(sim, { login: 'beta', key: 'b-key' })
  const gamma = await login(sim, { login: 'gamma', key: 'g-key' })
  t.equal(beta.organization, 'Beta Corp')
  t.equal(gamma.organization, 'gamma')

  const demoTasks = (await getJson<SpringPage<WireTask>>(sim, `${UPSTREAM_PATHS.tasks}?days=365`, demo)).body
  const betaTasks = (await getJson<SpringPage<WireTask>>(sim, `${UPSTREAM_PATHS.tasks}?days=365`, beta)).body
  t.same(demoTasks.content, sim.tasks().slice(0, 20))
  t.same(betaTasks.content, sim.tasks('beta').slice(0, 20))
  t.notSame(demoTasks.content.map((x) => x.id), betaTasks.content.map((x) => x.id), 'a different seed, different data')
  t.same(sim.tasks('gamma'), sim.tasks(), 'an explicit seed reproduces a dataset')

  const betaAutomations = (await getJson<SpringPage<WireAutomation>>(sim, UPSTREAM_PATHS.automation, beta)).body.content
  t.ok(betaAutomations.every((a) => a.organizationLabel === 'Beta Corp'))
  t.same(betaAutomations, sim.automations(30, 'beta'))
  t.ok(sim.runners(30, 'beta').every((r) => r.organization === 'Beta Corp'))

  t.equal((await getJson(sim, UPSTREAM_PATHS.tasks, { token: demo.token as string, organization: 'Beta Corp' })).status, 401, 'token A with organization B')
  t.equal((await getJson(sim, UPSTREAM_PATHS.tasks, { token: beta.token as string, organization: 'demo' })).status, 401)
  t.equal((await getJson(sim, UPSTREAM_PATHS.tasks, { token: beta.token as string, organization: 'beta' })).status, 200, 'the login works as organization')
  t.throws(() => sim.tasks('nobody'), /no workspace with login nobody/)
})
