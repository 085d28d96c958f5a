import { NUMBER_RULES, NUMERIC_OPTIONS, TEXT_OPTIONS, describeRule, satisfies } from './option-spec.js'
import { SIMULATOR_DEFAULTS, TASK_ORDERS } from './options.js'
import type { SimulatorOptions, SimulatorWorkspace } from './options.js'

/** A simulator option with a value outside what it allows; `option` names it. */
export class SimulatorOptionError extends Error {
  constructor (readonly option: string, readonly allowed: string, readonly value: unknown) {
    super(`simulator option ${option} must be ${allowed} (got ${typeof value === 'string' ? JSON.stringify(value) : String(value)})`)
    this.name = 'SimulatorOptionError'
  }
}

/** Defaults filled in and every value checked; throws SimulatorOptionError. */
export function resolveOptions(partial: Partial<SimulatorOptions> = {}): SimulatorOptions {
  const options: SimulatorOptions = { ...SIMULATOR_DEFAULTS, ...withoutUndefined(partial) }
  for (const name of NUMERIC_OPTIONS) {
    const rule = NUMBER_RULES[name]
    if (!satisfies(rule, options[name])) throw new SimulatorOptionError(name, describeRule(rule), options[name])
  }
  for (const name of TEXT_OPTIONS) {
    if (typeof options[name] !== 'string' || options[name] === '') {
      throw new SimulatorOptionError(name, 'a non-empty string', options[name])
    }
  }
  if (typeof options.honorSize !== 'boolean') throw new SimulatorOptionError('honorSize', 'a boolean', options.honorSize)
  if (!(TASK_ORDERS as readonly unknown[]).includes(options.taskOrder)) throw new SimulatorOptionError('taskOrder', TASK_ORDERS.join(' or '), options.taskOrder)
  if (typeof options.honorTaskSort !== 'boolean') throw new SimulatorOptionError('honorTaskSort', 'a boolean', options.honorTaskSort)
  if (typeof options.examples !== 'boolean') throw new SimulatorOptionError('examples', 'a boolean', options.examples)
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new SimulatorOptionError('now', 'a function returning epoch milliseconds', options.now)
  }
  checkWorkspaces(options.login, options.workspaces ?? [])
  return options
}

function checkWorkspaces(mainLogin: string, workspaces: readonly SimulatorWorkspace[]): void {
  const logins = new Set([mainLogin])
  workspaces.forEach((workspace, index) => {
    const where = `workspaces[${index}]`
    if (typeof workspace.login !== 'string' || workspace.login === '') {
      throw new SimulatorOptionError(`${where}.login`, 'a non-empty string', workspace.login)
    }
    if (logins.has(workspace.login)) throw new SimulatorOptionError(`${where}.login`, 'unique among workspaces', workspace.login)
    logins.add(workspace.login)
    if (typeof workspace.key !== 'string' || workspace.key === '') {
      throw new SimulatorOptionError(`${where}.key`, 'a non-empty string', workspace.key)
    }
    if (workspace.seed !== undefined && !satisfies(NUMBER_RULES.seed, workspace.seed)) {
      throw new SimulatorOptionError(`${where}.seed`, 'an integer', workspace.seed)
    }
  })
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
