import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'

t.test('no variables: demo mode with documented defaults', async (t) => {
  const c = loadConfig({})
  t.equal(c.mode, 'demo')
  t.equal(c.port, 8080)
  t.equal(c.host, '127.0.0.1')
  t.equal(c.botcityUrl, null)
  t.equal(c.horizonDays, 30)
  t.ok(Object.isFrozen(c))
})

t.test('modes follow BOTCITY_URL and the service credentials', async (t) => {
  const pass = loadConfig({ BOTCITY_URL: 'https://developers.botcity.dev/' })
  t.equal(pass.mode, 'passthrough')
  t.equal(pass.botcityUrl, 'https://developers.botcity.dev', 'trailing slash removed')
  t.equal(pass.serviceAccount, null)
  const svc = loadConfig({ BOTCITY_URL: 'https://acme.botcity.dev', BOTCITY_LOGIN: 'acme', BOTCITY_KEY: 'k3y', BRIDGE_API_KEYS: 'aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbb' })
  t.equal(svc.mode, 'service-account')
  t.same(svc.serviceAccount, { login: 'acme', key: 'k3y' })
  t.same(svc.apiKeys, ['aaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb'])
  t.throws(() => loadConfig({ BOTCITY_URL: 'https://acme.botcity.dev', BOTCITY_LOGIN: 'acme', BOTCITY_KEY: 'k3y' }), /needs BRIDGE_API_KEYS/)
  t.throws(() => loadConfig({ BOTCITY_URL: 'https://acme.botcity.dev', BOTCITY_LOGIN: 'acme', BOTCITY_KEY: 'k3y', BRIDGE_API_KEYS: 'short' }), /at least 16/)
  t.equal(loadConfig({ BOTCITY_URL: 'https://acme.botcity.dev', BOTCITY_LOGIN: 'acme', BOTCITY_KEY: 'k3y', ALLOW_ANONYMOUS: 'true' }).allowAnonymous, true)
})

t.test('empty strings count as unset', async (t) => {
  t.equal(loadConfig({ BOTCITY_URL: '', PORT: '' }).mode, 'demo')
})

t.test('a bad value stops the start naming the variable and what is allowed', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /PORT.*integer from 0 to 65535/],
    [{ PORT: '70000' }, /PORT.*integer from 0 to 65535/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL.*one of fatal, error/],
    [{ BOTCITY_URL: 'ftp://x' }, /BOTCITY_URL.*http\(s\) URL/],
    [{ TRUST_PROXY: 'maybe' }, /TRUST_PROXY.*true, false, a number of proxies, or proxy addresses/],
    [{ REDIS_URL: 'redis://127.0.0.1:6379' }, /REDIS_URL needs BRIDGE_SECRET/],
    [{ BRIDGE_SECRET: 'too-short' }, /BRIDGE_SECRET/],
    [{ SKIPTOKEN_SECRET: 'an-old-secret-of-the-bridge' }, /SKIPTOKEN_SECRET is now BRIDGE_SECRET/],
    [{ BOTCITY_URL: 'https://x.botcity.dev', BOTCITY_LOGIN: 'a' }, /BOTCITY_KEY is missing/],
    [{ BOTCITY_LOGIN: 'a', BOTCITY_KEY: 'b' }, /need BOTCITY_URL/],
    [{ PAGE_SIZE: '9000', MAX_PAGE_SIZE: '5000' }, /PAGE_SIZE \(9000\) must not exceed MAX_PAGE_SIZE/]
  ]
  for (const [env, message] of cases) {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env))
  }
  t.ok(new ConfigError('x') instanceof Error)
})

t.test('TRUST_PROXY: false, true (every hop), a hop count, or proxy addresses', async (t) => {
  t.equal(loadConfig({}).trustProxy, false)
  t.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true)
  t.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2)
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.1.0.0/16' }).trustProxy, ['10.0.0.1', '10.1.0.0/16'])
})

t.test('BRIDGE_SECRET: optional alone, required with REDIS_URL', async (t) => {
  t.equal(loadConfig({}).bridgeSecret, null)
  const secret = 'x'.repeat(32)
  t.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', BRIDGE_SECRET: secret }).bridgeSecret, secret)
})

t.test('the key never appears in a config error', async (t) => {
  try {
    loadConfig({ BOTCITY_URL: 'not a url', BOTCITY_LOGIN: 'acme', BOTCITY_KEY: 'SUPERSECRET' })
    t.fail('should throw')
  } catch (err) {
    t.notMatch((err as Error).message, /SUPERSECRET/)
  }
})

t.test('the README configuration table lists every variable', async (t) => {
  const { readFileSync } = await import('node:fs')
  const { CONFIG_VARIABLES } = await import('../src/config.js')
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  for (const v of CONFIG_VARIABLES) t.match(readme, `| \`${v.name}\` |`, v.name)
})
