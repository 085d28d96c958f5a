// The botcity-insights-odata command: flags mirror CONFIG_VARIABLES, --help
// lists them, a bad flag exits 2, and a run starts the bridge.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { CliUsageError, flagName, helpText, parseCli } from '../../src/cli-args.js'
import { CONFIG_VARIABLES } from '../../src/config.js'
import { runScript } from '../fixtures/run-script.js'

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))

function run(args: string[], env: Record<string, string> = {}) {
  // Only the variables a test gives: the machine's own must not leak into the config.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CONFIG_VARIABLES.some((v) => v.name === k)))
  return runScript(CLI, args, { ...clean, ...env })
}

t.test('flag names are the kebab-case of the variables', async (t) => {
  t.equal(flagName('PORT'), 'port')
  t.equal(flagName('BOTCITY_URL'), 'botcity-url')
  t.equal(flagName('UPSTREAM_TIMEOUT_MS'), 'upstream-timeout-ms')
})

t.test('flags map to environment variables', async (t) => {
  t.same(parseCli([]), { kind: 'run', env: {} })
  t.same(parseCli(['--port', '9000', '--botcity-url', 'https://developers.botcity.dev']), { kind: 'run', env: { PORT: '9000', BOTCITY_URL: 'https://developers.botcity.dev' } })
  t.same(parseCli(['--port=9000', '--host=0.0.0.0']), { kind: 'run', env: { PORT: '9000', HOST: '0.0.0.0' } })
  t.same(parseCli(['--port', '1', '--port', '2']), { kind: 'run', env: { PORT: '2' } }, 'the last one wins')
  t.same(parseCli(['--trust-proxy']), { kind: 'run', env: { TRUST_PROXY: 'true' } }, 'a bare boolean flag means true')
  t.same(parseCli(['--trust-proxy', '--port', '1']), { kind: 'run', env: { TRUST_PROXY: 'true', PORT: '1' } })
  t.same(parseCli(['--allow-anonymous', 'false']), { kind: 'run', env: { ALLOW_ANONYMOUS: 'false' } })
  t.same(parseCli(['--allow-anonymous=true']), { kind: 'run', env: { ALLOW_ANONYMOUS: 'true' } })
  for (const v of CONFIG_VARIABLES) {
    t.same(parseCli([`--${flagName(v.name)}`, 'x']), { kind: 'run', env: { [v.name]: 'x' } }, `--${flagName(v.name)} sets ${v.name}`)
  }
  t.same(parseCli(['--help']), { kind: 'help' })
  t.same(parseCli(['--port', '1', '-h']), { kind: 'help' })
  t.same(parseCli(['--version']), { kind: 'version' })
})

t.test('bad command lines are usage errors', async (t) => {
  t.throws(() => parseCli(['--bogus']), CliUsageError)
  t.throws(() => parseCli(['--bogus']), /--bogus/)
  t.throws(() => parseCli(['--port']), CliUsageError, 'a missing value')
  t.throws(() => parseCli(['8080']), CliUsageError, 'a positional argument')
  t.throws(() => parseCli(['--PORT', '1']), CliUsageError, 'flags are lower case')
})

t.test('--help lists every variable with its flag, default and description', async (t) => {
  const help = helpText()
  t.match(help, /^Usage: botcity-insights-odata \[flags\]$/m)
  for (const v of CONFIG_VARIABLES) {
    t.match(help, `--${flagName(v.name)} `, `flag of ${v.name}`)
    t.match(help, `${v.name} (${v.default === undefined ? 'no default' : `default ${String(v.default)}`})`, `${v.name} with its default`)
    t.match(help, v.description, `description of ${v.name}`)
  }
})

t.test('the command: --help exits 0', async (t) => {
  const cli = run(['--help'])
  const [code] = await cli.exited
  t.equal(code, 0)
  for (const v of CONFIG_VARIABLES) t.match(cli.out(), `--${flagName(v.name)}`)
  t.equal(cli.err(), '')
})

t.test('the command: an invalid flag exits 2 and names it', async (t) => {
  const cli = run(['--bogus', '1'])
  const [code] = await cli.exited
  t.equal(code, 2)
  t.match(cli.err(), /--bogus/)
  t.match(cli.err(), /--help/)
})

t.test('the command: an invalid value exits 2 and names the variable', async (t) => {
  const cli = run(['--port', 'abc'])
  const [code] = await cli.exited
  t.equal(code, 2)
  t.match(cli.err(), /PORT/)
})

t.test('the command runs the bridge; flags win over the environment', async (t) => {
  const cli = run(['--port', '0', '--host', '127.0.0.1', '--demo-tasks', '20'], { PORT: 'not-a-port' })
  t.teardown(() => { cli.child.kill('SIGKILL') })
  const feed = await new Promise<string>((resolve, reject) => {
    cli.child.stdout.on('data', () => {
      const match = /OData feed ready at (http:\/\/127\.0\.0\.1:\d+\/odata\/)/.exec(cli.out())
      if (match?.[1] !== undefined) resolve(match[1])
    })
    void cli.exited.then(() => reject(new Error(`exited early: ${cli.err()} ${cli.out()}`)))
  })
  const res = await fetch(`${feed}Tasks?$top=1`)
  t.equal(res.status, 200)
  t.equal((await res.json() as { value: unknown[] }).value.length, 1)
  cli.child.kill('SIGTERM')
  const [code] = await cli.exited
  t.equal(code, 0)
})

t.test('the command: a port in use is one line naming PORT, no stack trace', async (t) => {
  const { createServer } = await import('node:net')
  const taken = createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  t.teardown(() => taken.close())
  const port = (taken.address() as { port: number }).port
  const cli = run(['--port', String(port), '--host', '127.0.0.1', '--demo-tasks', '20', '--log-level', 'warn'])
  const [code] = await cli.exited
  t.equal(code, 1)
  const lines = cli.err().trim().split('\n')
  t.equal(lines.length, 1, cli.err())
  t.match(lines[0], new RegExp(`^Port ${port} on 127\\.0\\.0\\.1 is already in use \\(PORT\\): .*PORT=${port + 1} npm start`))
  t.notMatch(cli.err(), /at .*\.js:\d+/, 'no stack trace')
})

t.test('the command: a BOTCITY_URL with user:password@ is logged without them', async (t) => {
  const cli = run(['--port', '0', '--host', '127.0.0.1'], { BOTCITY_URL: 'http://someone:hunter2-password@127.0.0.1:1', BOTCITY_LOGIN: 'acme', BOTCITY_KEY: 'acme-key', ALLOW_ANONYMOUS: 'true' })
  t.teardown(() => { cli.child.kill('SIGKILL') })
  await new Promise<void>((resolve, reject) => {
    cli.child.stdout.on('data', () => { if (/OData feed ready/.test(cli.out())) resolve() })
    void cli.exited.then(() => reject(new Error(`exited early: ${cli.err()} ${cli.out()}`)))
  })
  t.match(cli.out(), /"upstream":"http:\/\/127\.0\.0\.1:1/)
  t.notMatch(cli.out() + cli.err(), /hunter2|someone/, 'no user-info anywhere in the output')
})
