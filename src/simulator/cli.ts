// Entry point of `npm run simulator -- FLAGS` (see cli-args.ts for the flags).
import { HELP, parseCliArgs } from './cli-args.js'
import type { CliCommand } from './cli-args.js'
import { startSimulator } from './index.js'

let command: CliCommand
try {
  command = parseCliArgs(process.argv.slice(2))
} catch (error) {
  console.error(`${(error as Error).message}\nRun with --help to see the flags.`)
  process.exit(2)
}

if (command.kind === 'help') {
  console.log(HELP)
} else {
  const { options } = command
  const simulator = await startSimulator(options).catch((error: unknown) => {
    console.error(`simulator could not start: ${(error as Error).message}`)
    process.exit(1)
  })
  console.log(`BotCity Insights simulator listening on ${simulator.url}`)
  console.log(`Workspace credentials: login=${options.login} key=${options.key}` +
    (options.workspaces ?? []).map((w) => `, login=${w.login} key=${w.key}`).join(''))
  console.log(`${options.tasks} tasks over ${options.historyDays} days, seed ${options.seed}; counters at ${simulator.url}/__sim/stats`)
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
