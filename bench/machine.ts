// What the figures were measured on.
import { execFileSync } from 'node:child_process'
import os from 'node:os'

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly memory: string
  readonly os: string
  readonly node: string
  readonly load: string
  readonly commit: string
}

export function describeMachine(): Machine {
  const cpus = os.cpus()
  return {
    cpu: `${cpus[0]?.model.trim() ?? 'unknown CPU'}${cpus[0]?.speed ? ` (${cpus[0].speed} MHz)` : ''}`,
    cores: os.availableParallelism(),
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: `${process.version} (V8 ${process.versions.v8})`,
    load: loadAverage(),
    commit: gitCommit()
  }
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== ''
    return `${sha}${dirty ? ' with uncommitted changes in src/' : ''}`
  } catch {
    return 'unknown (not a git checkout)'
  }
}

export function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ')
}

/** The machine, and the load averages (1, 5, 15 min) at the start and, when given, the end of the suite. */
export function machineLines(m: Machine, endLoad?: string): string[] {
  return [
    `CPU: ${m.cpu}, ${m.cores} cores`,
    `Memory: ${m.memory}`,
    `OS: ${m.os}`,
    `Node: ${m.node}`,
    `Load average (1/5/15 min) at start: ${m.load}${endLoad === undefined ? '' : `; at end: ${endLoad}`}`,
    `Commit: ${m.commit}`
  ]
}
