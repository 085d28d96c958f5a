#!/usr/bin/env node
// The `botcity-insights-odata` command: flags (cli-args.ts) are laid over the
// environment, then server.ts loads the configuration and runs the bridge.
import { COMMAND, CliUsageError, helpText, parseCli } from './cli-args.js'
import type { CliCommand } from './cli-args.js'
import { packageVersion } from './upstream/user-agent.js'

let command: CliCommand
try {
  command = parseCli(process.argv.slice(2))
} catch (err) {
  if (!(err instanceof CliUsageError)) throw err
  console.error(`${err.message}\nRun ${COMMAND} --help to see the flags.`)
  process.exit(2)
}

if (command.kind === 'help') {
  process.stdout.write(helpText())
} else if (command.kind === 'version') {
  process.stdout.write(`${packageVersion()}\n`)
} else {
  Object.assign(process.env, command.env)
  await import('./server.js')
}
