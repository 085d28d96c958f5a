// `npm run simulator -- FLAGS`: every SimulatorOptions field as a kebab-case flag.
import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'
import { NUMBER_RULES, NUMERIC_OPTIONS, TEXT_OPTIONS, describeRule, flagName, satisfies } from './option-spec.js'
import { SIMULATOR_DEFAULTS } from './options.js'
import type { SimulatorOptions, SimulatorWorkspace } from './options.js'
import { resolveOptions } from './resolve-options.js'
import type { SimulatorOptionError } from './resolve-options.js'

/** A flag the user got wrong; the CLI prints the message and exits with 2. */
export class CliUsageError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'CliUsageError'
  }
}

export type CliCommand = { kind: 'help' } | { kind: 'run'; options: SimulatorOptions }

const d = SIMULATOR_DEFAULTS
export const HELP = `BotCity Insights simulator: a local, deterministic stand-in for the Insights API.

Usage: npm run simulator -- [flags]

  --port N            port to listen on, 0 = any free port (${d.port})
  --host HOST         interface to listen on (${d.host})
  --login LOGIN       workspace login (${d.login})
  --key KEY           workspace key (${d.key})
  --seed N            data seed: same seed and start time, same data (${d.seed})
  --tasks N           tasks in the history (${d.tasks})
  --automations N     automations (${d.automations})
  --runners N         runners (${d.runners})
  --history-days N    days the history spans before start (${d.historyDays})
  --latency-ms MS     delay before every answer (${d.latencyMs})
  --page-size N       rows per page of the paged routes (${d.pageSize})
  --honor-size        honour the size parameter (capped at 2000); ignored by default
  --order ORDER       the order the tasks route lists in: newest-first,
                      oldest-first, or by-id (ids then not in creation order) (${d.taskOrder})
  --honor-task-sort   the tasks route honours sort=dateCreation|id[,asc|desc]; the
                      docs name sort for automations and runners only, so ignored by default
  --examples          hold the task (17296058) and automation (supplierHomologation)
                      of BotCity's documentation, a day old at start
  --token-ttl-s S     access token lifetime (${d.tokenTtlS})
  --error-rate R      fraction of data calls answered 500, 0..1 (${d.errorRate})
  --rate-limit N      requests per second before 429 + Retry-After, 0 = off (${d.rateLimit})
  --growth-per-s R    new tasks created per second at the head (${d.growthPerS})
  --time-scale N      the data clock runs N times faster than real time: growth and
                      task progress alike (${d.timeScale})
  --clock-offset-s S  the data clock is S seconds ahead of this machine's (negative:
                      behind), as BotCity's clock never quite agrees with yours (${d.clockOffsetS})
  --workspace L:K[:ORG[:SEED]]
                      an extra workspace with its own data (repeatable)
  -h, --help          this text
`

export function parseCliArgs(argv: readonly string[]): CliCommand {
  const config = {
    args: [...argv],
    options: {
      ...Object.fromEntries([...NUMERIC_OPTIONS, ...TEXT_OPTIONS].map((name) => [flagName(name), { type: 'string' }])),
      'honor-size': { type: 'boolean' },
      order: { type: 'string' },
      'honor-task-sort': { type: 'boolean' },
      examples: { type: 'boolean' },
      workspace: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' }
    },
    strict: true,
    allowPositionals: false
  } satisfies ParseArgsConfig
  let values: Record<string, string | boolean | string[] | undefined>
  try {
    values = parseArgs(config).values
  } catch (error) {
    throw new CliUsageError((error as Error).message)
  }
  if (values.help === true) return { kind: 'help' }

  const options: Partial<SimulatorOptions> = {}
  for (const name of NUMERIC_OPTIONS) {
    const raw = values[flagName(name)]
    if (typeof raw === 'string') options[name] = toNumber(`--${flagName(name)}`, raw, NUMBER_RULES[name])
  }
  for (const name of TEXT_OPTIONS) {
    const raw = values[name]
    if (typeof raw === 'string') options[name] = raw
  }
  if (values['honor-size'] === true) options.honorSize = true
  if (values['honor-task-sort'] === true) options.honorTaskSort = true
  if (typeof values.order === 'string') options.taskOrder = values.order as SimulatorOptions['taskOrder']
  if (values.examples === true) options.examples = true
  const workspaces = values.workspace
  if (Array.isArray(workspaces)) options.workspaces = workspaces.map(toWorkspace)
  try {
    return { kind: 'run', options: resolveOptions(options) }
  } catch (error) {
    const { option, allowed, value } = error as SimulatorOptionError
    const flag = option.startsWith('workspaces') ? 'workspace' : option === 'taskOrder' ? 'order' : flagName(option)
    throw new CliUsageError(`--${flag} must be ${allowed} (got ${JSON.stringify(value)})`)
  }
}

function toNumber(flag: string, raw: string, rule: typeof NUMBER_RULES[keyof typeof NUMBER_RULES]): number {
  const value = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) ? Number(raw) : Number.NaN
  if (!satisfies(rule, value)) throw new CliUsageError(`${flag} must be ${describeRule(rule)} (got ${JSON.stringify(raw)})`)
  return value
}

function toWorkspace(raw: string): SimulatorWorkspace {
  const [login, key, organizationLabel, seed, ...rest] = raw.split(':')
  if (login === undefined || login === '' || key === undefined || key === '' || rest.length > 0) {
    throw new CliUsageError(`--workspace must be LOGIN:KEY[:ORGANIZATION[:SEED]] (got ${JSON.stringify(raw)})`)
  }
  const workspace: SimulatorWorkspace = { login, key }
  if (organizationLabel !== undefined && organizationLabel !== '') workspace.organizationLabel = organizationLabel
  if (seed !== undefined) workspace.seed = toNumber('--workspace seed', seed, NUMBER_RULES.seed)
  return workspace
}
