import t from 'tap'
import { CLIENT_DEFAULTS, resolveClientOptions } from '../../src/upstream/options.js'
import { DEFAULT_USER_AGENT, packageVersion } from '../../src/upstream/user-agent.js'

t.test('defaults: 30 s timeout, 3 retries, 50 min tokens, 6 calls per credential', async (t) => {
  const resolved = resolveClientOptions({ baseUrl: 'https://developers.botcity.dev' })
  t.same(resolved, { baseUrl: 'https://developers.botcity.dev', ...CLIENT_DEFAULTS })
  t.equal(resolved.timeoutMs, 30_000)
  t.equal(resolved.retry.limit, 3)
  t.same(resolved.retry.statusCodes, [429, 500, 502, 503, 504])
  t.equal(resolved.tokenLifetimeMs, 50 * 60_000)
  t.equal(resolved.maxConcurrentPerCredential, 6)
})

t.test('given values win; an undefined retry field keeps its default', async (t) => {
  const resolved = resolveClientOptions({
    baseUrl: 'http://x', userAgent: 'ua/1', timeoutMs: 5, tokenLifetimeMs: 7, maxCredentials: 2,
    maxConcurrentPerCredential: 1, probeSize: 50, retry: { limit: 0, maxDelayMs: undefined }
  })
  t.same(resolved, {
    baseUrl: 'http://x', userAgent: 'ua/1', timeoutMs: 5, tokenLifetimeMs: 7, maxCredentials: 2,
    maxConcurrentPerCredential: 1, probeSize: 50, retry: { ...CLIENT_DEFAULTS.retry, limit: 0 }
  })
})

t.test('the User-Agent carries the package version', async (t) => {
  const pkg = (await import('../../package.json', { with: { type: 'json' } })).default
  t.equal(DEFAULT_USER_AGENT, `botcity-insights-odata/${pkg.version}`)
  t.equal(packageVersion(new URL('../../src/upstream/x.js', import.meta.url)), pkg.version)
  t.equal(packageVersion(new URL('file:///nowhere/a/b/c.js')), '0.0.0', 'no package.json found')
})
