// Every curl example against localhost:8080 in README.md and docs/*.md runs
// against the feed it is written for and answers 2xx: the demo feed (what
// `npm start` serves with no configuration), or, where the example shows
// credentials, a bridge in that mode over the same simulator. Lines that are
// shell scripts (`$(…)`, "$var") are not commands to copy as they are; they
// are counted, not run.
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { DEMO_CREDENTIAL, startDemoSimulator } from '../../src/demo.js'
import { fixedCredential } from '../../src/http/credentials.js'
import { NO_BACK_PRESSURE, listenBridge } from '../fixtures/bridge.js'

const ROOT = new URL('../../', import.meta.url)
const files = ['README.md', ...readdirSync(new URL('docs/', ROOT)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

interface Example { readonly file: string; readonly line: number; readonly text: string }

/** `curl …` lines inside fenced code blocks that reach localhost:8080. */
function examples(): Example[] {
  const out: Example[] = []
  for (const file of files) {
    let fenced = false
    readFileSync(new URL(file, ROOT), 'utf8').split('\n').forEach((raw, i) => {
      if (/^\s*```/.test(raw)) fenced = !fenced
      const text = raw.trim()
      if (fenced && /^curl\s/.test(text) && text.includes('localhost:8080')) out.push({ file, line: i + 1, text })
    })
  }
  return out
}

/** Shell words of a line: single-quoted, double-quoted (without expansions) and bare words; a trailing # comment dropped. */
function words(text: string): string[] {
  const out: string[] = []
  const re = /'([^']*)'|"([^"$`]*)"|(#.*$)|(\S+)/g
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[3] !== undefined) break
    out.push(m[1] ?? m[2] ?? m[4] ?? '')
  }
  return out
}

interface Request { url: string; headers: Record<string, string>; user: string | null }

function request(text: string): Request {
  const w = words(text).slice(1)
  const req: Request = { url: '', headers: {}, user: null }
  for (let i = 0; i < w.length; i++) {
    const a = w[i] as string
    if (a === '-H') {
      const h = w[++i] as string
      const colon = h.indexOf(':')
      req.headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim()
    } else if (a === '-u') req.user = w[++i] as string
    else if (a === '--compressed') req.headers['accept-encoding'] = 'gzip, deflate, br'
    else if (/^-[a-z]+$/i.test(a)) continue
    else req.url = a
  }
  return req
}

const sim = await startDemoSimulator(loadConfig({}).demo)
t.teardown(() => sim.close())
const demoConfig = loadConfig({ LOG_LEVEL: 'warn', ...NO_BACK_PRESSURE })
const demo = await buildApp({ config: demoConfig, upstreamUrl: sim.url, credentials: fixedCredential(DEMO_CREDENTIAL), logStream: { write: () => true } as unknown as NodeJS.WritableStream })
await demo.listen({ host: '127.0.0.1', port: 0 })
t.teardown(() => demo.close())
const demoOrigin = `http://127.0.0.1:${(demo.server.address() as { port: number }).port}`
// The modes the docs show credentials for, over the same simulator.
const SERVICE_KEYS = ['API_KEY', 'local-key-0123456789']
const passthrough = await listenBridge(sim, { LOG_LEVEL: 'warn' }, { passthrough: true })
const service = await listenBridge(sim, { LOG_LEVEL: 'warn', BRIDGE_API_KEYS: SERVICE_KEYS.map((k) => k.padEnd(16, '-')).join(','), ALLOW_ANONYMOUS: 'false' })
t.teardown(async () => {
  await passthrough.app.close()
  await service.app.close()
})

const all = examples()
t.ok(all.length >= 40, `${all.length} curl examples found in ${files.length} files`)

let scripts = 0
for (const ex of all) {
  if (/\$\(|"\$|`/.test(ex.text)) {
    scripts++
    continue
  }
  t.test(`${ex.file}:${ex.line} ${ex.text.slice(5, 110)}`, async (t) => {
    const req = request(ex.text)
    const placeholder = /WORKSPACE_LOGIN|WORKSPACE_KEY/.test(ex.text)
    const key = SERVICE_KEYS.find((k) => ex.text.includes(k))
    const origin = placeholder ? passthrough.origin : key !== undefined ? service.origin : demoOrigin
    let url = req.url.replace('http://localhost:8080', origin).replace(/WORKSPACE_LOGIN:WORKSPACE_KEY/g, 'demo:demo')
    const headers = { ...req.headers }
    if (key !== undefined) {
      url = url.replaceAll(key, key.padEnd(16, '-'))
      if (headers.authorization !== undefined) headers.authorization = headers.authorization.replace(key, key.padEnd(16, '-'))
    }
    const user = req.user === null ? null : req.user.replace('WORKSPACE_LOGIN', 'demo').replace('WORKSPACE_KEY', 'demo').replace(key ?? '\0', (key ?? '').padEnd(16, '-'))
    if (user !== null) headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`
    const res = await fetch(url, { headers })
    const body = await res.text()
    t.ok(res.status >= 200 && res.status < 300, `${res.status}: ${body.slice(0, 200)}`)
  })
}
t.test('scripts are counted, not run', async (t) => {
  t.ok(scripts <= 3, `${scripts} line(s) are shell scripts with expansions`)
})
