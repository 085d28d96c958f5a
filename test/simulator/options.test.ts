import t from 'tap'
import { SIMULATOR_DEFAULTS, SimulatorOptionError, startSimulator } from '../../src/simulator/index.js'
import { resolveOptions } from '../../src/simulator/resolve-options.js'
import type { SimulatorOptions } from '../../src/simulator/index.js'

t.test('defaults fill what is not given; undefined counts as not given', async (t) => {
  t.same(resolveOptions(), SIMULATOR_DEFAULTS)
  t.same(resolveOptions({ tasks: 10, seed: undefined }), { ...SIMULATOR_DEFAULTS, tasks: 10 })
})

t.test('invalid options are rejected with the option named', async (t) => {
  const cases: Array<[Partial<SimulatorOptions>, RegExp]> = [
    [{ pageSize: 0 }, /^simulator option pageSize must be an integer from 1 to 2000 \(got 0\)$/],
    [{ errorRate: Number.NaN }, /errorRate must be a number from 0 to 1 \(got NaN\)/],
    [{ port: '80' as unknown as number }, /port must be an integer.*\(got "80"\)/],
    [{ host: '' }, /host must be a non-empty string/],
    [{ honorSize: 'yes' as unknown as boolean }, /honorSize must be a boolean/],
    [{ now: 5 as unknown as () => number }, /now must be a function/],
    [{ workspaces: [{ login: '', key: 'k' }] }, /workspaces\[0\]\.login must be a non-empty string/],
    [{ workspaces: [{ login: 'demo', key: 'k' }] }, /workspaces\[0\]\.login must be unique among workspaces/],
    [{ workspaces: [{ login: 'a', key: 'k' }, { login: 'a', key: 'k' }] }, /workspaces\[1\]\.login must be unique/],
    [{ workspaces: [{ login: 'a', key: '' }] }, /workspaces\[0\]\.key must be a non-empty string/],
    [{ workspaces: [{ login: 'a', key: 'k', seed: 0.5 }] }, /workspaces\[0\]\.seed must be an integer/]
  ]
  for (const [options, message] of cases) {
    t.throws(() => resolveOptions(options), { name: 'SimulatorOptionError', message }, message.source)
  }
  await t.rejects(startSimulator({ port: 0, runners: 0 }), SimulatorOptionError)
})

t.test('a simulator on 0.0.0.0 reports a reachable URL', async (t) => {
  const sim = await startSimulator({ port: 0, host: '0.0.0.0', tasks: 1 })
  t.teardown(() => sim.close())
  t.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal(sim.options.host, '0.0.0.0')
  t.equal((await fetch(`${sim.url}/api/v2/maestro/version`)).status, 200)
})
