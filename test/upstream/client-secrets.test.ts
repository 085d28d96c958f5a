import t from 'tap'
import { inspect } from 'node:util'
import { DEMO, captureLogger, recordingFetch, simulator, testClient } from './fixtures/upstream.js'

const TASKS = { page: 0, days: 30 }

t.test('neither the key nor any token appears in a logged line or an error', async (t) => {
  const sim = await simulator(t)
  const { lines, logger } = captureLogger()
  const { sent, fetch } = recordingFetch()
  const { client } = testClient(sim.url, { logger, fetch, timeoutMs: 100, retry: { limit: 1 } })
  const errors: unknown[] = []
  const attempt = async (call: Promise<unknown>): Promise<void> => {
    await call.catch((error: unknown) => { errors.push(error) })
  }

  await attempt(client.tasks(DEMO, TASKS))
  sim.inject({ kind: 'expire-tokens' })
  await attempt(client.runners(DEMO))
  sim.inject({ kind: 'status', status: 500, count: 2, route: 'tasks' })
  await attempt(client.tasks(DEMO, TASKS))
  sim.inject({ kind: 'status', status: 403, count: 2, route: 'tasks' })
  await attempt(client.tasks(DEMO, TASKS))
  sim.inject({ kind: 'slow', delayMs: 500, route: 'tasks', count: 2 })
  await attempt(client.tasks(DEMO, TASKS))
  sim.inject({ kind: 'malformed', route: 'tasks' })
  await attempt(client.tasks(DEMO, TASKS))
  sim.inject({ kind: 'reset', route: 'tasks', count: 2 })
  await attempt(client.tasks(DEMO, TASKS))
  await attempt(client.tasks({ login: DEMO.login, key: 'wrong-key-0xfeedface' }, TASKS))

  const tokens = [...new Set(sent.map((s) => s.headers.get('token')).filter((v): v is string => v !== null))]
  t.ok(tokens.length >= 3, `${tokens.length} tokens were issued and used`)
  t.same(
    errors.map((e) => (e as { code?: string }).code),
    ['UPSTREAM_ERROR', 'UPSTREAM_FORBIDDEN', 'UPSTREAM_TIMEOUT', 'UPSTREAM_BAD_RESPONSE', 'UPSTREAM_UNREACHABLE', 'UPSTREAM_CREDENTIALS_REJECTED']
  )
  t.ok(lines.length >= 12, `${lines.length} lines logged`)
  t.ok(lines.every((line) => line.includes('"level":"debug"') || line.includes('"level":"info"')))
  const everything = [...lines, ...errors.map((e) => inspect(e, { depth: Infinity, showHidden: true }))].join('\n')
  for (const secret of [DEMO.key, 'wrong-key-0xfeedface', ...tokens]) {
    t.notOk(everything.includes(secret), `never shows ${secret.slice(0, 4)}…`)
  }
  t.match(lines.join('\n'), /"component":"upstream"/, 'logs through a child logger')
  t.match(lines.join('\n'), /"msg":"upstream retry"/)
})
