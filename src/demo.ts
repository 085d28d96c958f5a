// Demo mode's upstream: the embedded simulator as `npm start` runs it with no
// configuration — living at real time (tasks progress, new ones arrive at the
// history's own pace) and holding the examples of BotCity's documentation, so
// what a user copies from the README, docs/ or BotCity's page answers.
import type { Config } from './config.js'
import { SIMULATOR_DEFAULTS, startSimulator } from './simulator/index.js'
import type { Simulator } from './simulator/index.js'

export const DEMO_CREDENTIAL = { login: 'demo', key: 'demo' } as const

export function startDemoSimulator(demo: Config['demo']): Promise<Simulator> {
  const growthPerS = demo.tasks / (SIMULATOR_DEFAULTS.historyDays * 86_400)
  return startSimulator({ port: 0, host: '127.0.0.1', ...DEMO_CREDENTIAL, tasks: demo.tasks, seed: demo.seed, growthPerS, examples: true })
}
