// The command line of `botcity-insights-odata`: one flag per configuration
// variable (CONFIG_VARIABLES), named in kebab-case (--botcity-url sets
// BOTCITY_URL). Flags become environment variables, so config.ts validates
// them exactly as it validates the environment.
import { parseArgs } from 'node:util'
import { CONFIG_VARIABLES } from './config.js'

/** A command line the user got wrong; the CLI prints the message and exits with 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError'
}

export type CliCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  /** `env`: the variables the flags set, to lay over process.env. */
  | { readonly kind: 'run'; readonly env: Readonly<Record<string, string>> }

export const COMMAND = 'botcity-insights-odata'

/** PORT → port, BOTCITY_URL → botcity-url. */
export function flagName(variable: string): string {
  return variable.toLowerCase().replace(/_/g, '-')
}

/** Variables that may be given as a bare flag (meaning true): the booleans, and TRUST_PROXY (false unless told). */
const isBoolean = (v: (typeof CONFIG_VARIABLES)[number]): boolean => typeof v.default === 'boolean' || v.default === 'false'

function placeholder(v: (typeof CONFIG_VARIABLES)[number]): string {
  if (v.default === 'false') return '[true|false|N|ADDRESSES]'
  if (isBoolean(v)) return '[true|false]'
  if (typeof v.default === 'number') return 'N'
  return v.name.endsWith('_URL') ? 'URL' : 'VALUE'
}

export function helpText(): string {
  const rows = CONFIG_VARIABLES.map((v) => {
    const shown = v.default === undefined ? 'no default' : `default ${String(v.default)}`
    return `  --${flagName(v.name)} ${placeholder(v)}\n      ${v.name} (${shown}). ${v.description}`
  })
  return `${COMMAND}: an OData v4 feed of BotCity Insights (Tasks, Automations, Runners) for Power BI, Excel and curl.

Usage: ${COMMAND} [flags]

Each flag sets the environment variable of the same name (--port 9000 sets PORT=9000)
and wins over it. Without BOTCITY_URL the bridge serves the embedded simulator (demo mode).
Prefer the environment for secrets (keys): other users can read command lines (ps).

${rows.join('\n')}
  -h, --help
      This text.
  -v, --version
      The version.
`
}

/** `--trust-proxy` alone means `--trust-proxy=true`; `--trust-proxy false` still reads its value. */
function expandBareBooleans(argv: readonly string[]): string[] {
  const booleans = new Set(CONFIG_VARIABLES.filter(isBoolean).map((v) => `--${flagName(v.name)}`))
  return argv.map((arg, i) => {
    const next = argv[i + 1]
    return booleans.has(arg) && (next === undefined || next.startsWith('-')) ? `${arg}=true` : arg
  })
}

export function parseCli(argv: readonly string[]): CliCommand {
  const byFlag = new Map(CONFIG_VARIABLES.map((v) => [flagName(v.name), v.name]))
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: expandBareBooleans(argv),
      options: {
        ...Object.fromEntries([...byFlag.keys()].map((flag) => [flag, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (err) {
    throw new CliUsageError((err as Error).message)
  }
  if (values.help === true) return { kind: 'help' }
  if (values.version === true) return { kind: 'version' }
  const env: Record<string, string> = {}
  for (const [flag, name] of byFlag) {
    const value = values[flag]
    if (typeof value === 'string') env[name] = value
  }
  return { kind: 'run', env }
}
