// One real run of the CLI entry (through tap's TypeScript loader).
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { runScript } from '../fixtures/run-script.js'

const CLI = fileURLToPath(new URL('../../src/simulator/cli.ts', import.meta.url))

const run = (args: string[]): ReturnType<typeof runScript> => runScript(CLI, args)

t.test('serves, logs the URL and credentials, and exits cleanly on SIGTERM', async (t) => {
  const cli = run(['--port', '0', '--tasks', '50', '--login', 'acme', '--key', 'pw'])
  t.teardown(() => { cli.child.kill('SIGKILL') })
  const url = await new Promise<string>((resolve, reject) => {
    cli.child.stdout.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)[^]*counters/.exec(cli.out())
      if (match?.[1] !== undefined) resolve(match[1])
    })
    void cli.exited.then(() => reject(new Error(`exited early: ${cli.err()}`)))
  })
  t.match(cli.out(), /login=acme key=pw/)
  const version = await fetch(`${url}/api/v2/maestro/version`)
  t.equal(version.status, 200)
  cli.child.kill('SIGTERM')
  const [code] = await cli.exited
  t.equal(code, 0)
})

t.test('an invalid flag exits with 2 and names the flag', async (t) => {
  const cli = run(['--page-size', '0'])
  const [code] = await cli.exited
  t.equal(code, 2)
  t.match(cli.err(), /--page-size must be an integer from 1 to 2000/)
})

t.test('--help prints the flags and exits with 0', async (t) => {
  const cli = run(['--help'])
  const [code] = await cli.exited
  t.equal(code, 0)
  t.match(cli.out(), /Usage: npm run simulator/)
})

t.test('a port in use exits with 1', async (t) => {
  const { createServer } = await import('node:net')
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.close() })
  const port = (server.address() as { port: number }).port
  const cli = run(['--port', String(port), '--tasks', '1'])
  const [code] = await cli.exited
  t.equal(code, 1)
  t.match(cli.err(), /could not start/)
})
