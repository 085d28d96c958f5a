import t from 'tap'
import { CliUsageError, HELP, parseCliArgs } from '../../src/simulator/cli-args.js'
import { SIMULATOR_DEFAULTS } from '../../src/simulator/index.js'

t.test('no flags: the defaults', async (t) => {
  t.same(parseCliArgs([]), { kind: 'run', options: SIMULATOR_DEFAULTS })
})

t.test('every option as a kebab-case flag', async (t) => {
  const command = parseCliArgs([
    '--port', '0', '--host', '0.0.0.0', '--login', 'acme', '--key', 'k', '--seed=-3', '--tasks', '100000',
    '--automations', '20', '--runners', '3', '--history-days', '30', '--latency-ms', '2.5', '--page-size', '100',
    '--honor-size', '--order', 'oldest-first', '--honor-task-sort', '--examples', '--token-ttl-s', '60', '--error-rate', '0.05', '--rate-limit', '50', '--growth-per-s', '0.5',
    '--time-scale', '60', '--clock-offset-s=-300', '--workspace', 'beta:bk', '--workspace=gamma:gk:Gamma Inc:42'
  ])
  t.same(command, {
    kind: 'run',
    options: {
      port: 0, host: '0.0.0.0', login: 'acme', key: 'k', seed: -3, tasks: 100000, automations: 20, runners: 3,
      historyDays: 30, latencyMs: 2.5, pageSize: 100, honorSize: true, taskOrder: 'oldest-first', honorTaskSort: true, examples: true, tokenTtlS: 60, errorRate: 0.05,
      rateLimit: 50, growthPerS: 0.5, timeScale: 60, clockOffsetS: -300,
      workspaces: [{ login: 'beta', key: 'bk' }, { login: 'gamma', key: 'gk', organizationLabel: 'Gamma Inc', seed: 42 }]
    }
  })
})

t.test('--help and -h', async (t) => {
  t.same(parseCliArgs(['--help']), { kind: 'help' })
  t.same(parseCliArgs(['--port', '1', '-h']), { kind: 'help' })
  for (const flag of ['--port', '--history-days', '--honor-size', '--order', '--honor-task-sort', '--growth-per-s', '--time-scale', '--clock-offset-s', '--examples', '--workspace']) t.match(HELP, flag)
})

t.test('invalid values name the flag', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--port', 'abc'], /^--port must be an integer from 0 to 65535 \(got "abc"\)$/],
    [['--port', '70000'], /^--port must be/],
    [['--page-size', '0'], /^--page-size must be an integer from 1 to 2000/],
    [['--order', 'random'], /^--order must be newest-first or oldest-first or by-id \(got "random"\)$/],
    [['--tasks', '1.5'], /^--tasks must be an integer/],
    [['--error-rate', '2'], /^--error-rate must be a number from 0 to 1/],
    [['--latency-ms', '0x10'], /^--latency-ms must be a number/],
    [['--seed', 'one'], /^--seed must be an integer \(got "one"\)$/],
    [['--rate-limit', ''], /^--rate-limit must be/],
    [['--login', ''], /^--login must be a non-empty string/],
    [['--workspace', 'lonely'], /^--workspace must be LOGIN:KEY/],
    [['--workspace', 'a:b:c:d:e'], /^--workspace must be LOGIN:KEY/],
    [['--workspace', 'a:b::x'], /^--workspace seed must be an integer/],
    [['--workspace', 'demo:other'], /^--workspace must be unique among workspaces/],
    [['--nope'], /Unknown option '--nope'/],
    [['--port'], /--port/],
    [['stray'], /positional argument/]
  ]
  for (const [argv, message] of cases) {
    t.throws(() => parseCliArgs(argv), { name: 'CliUsageError', message }, argv.join(' '))
  }
  t.type(new CliUsageError('x'), Error)
})
