// Options of the embedded BotCity Insights simulator: the CLI flags
// (`npm run simulator -- --port 8090 ...`) map one to one onto these fields.

export interface SimulatorWorkspace {
  login: string
  key: string
  /** Organisation label returned by login (defaults to the login). */
  organizationLabel?: string
  /** Data seed for this workspace (defaults to the simulator seed + its 1-based position in `workspaces`). */
  seed?: number
}

/**
 * The order the tasks route lists tasks in. BotCity documents none, and its
 * example answer says `"unsorted": true`: newest first is what the bridge was
 * built on; oldest first is a store's insertion order (new tasks at the end,
 * tasks leaving the window gone from the front); by id is ascending id, where
 * ids are not given in creation order (a new task may list before older ones).
 */
export const TASK_ORDERS = ['newest-first', 'oldest-first', 'by-id'] as const
export type TaskOrder = typeof TASK_ORDERS[number]

export interface SimulatorOptions {
  port: number                // --port (8090); 0 = any free port
  host: string                // --host (127.0.0.1)
  login: string               // --login (demo)
  key: string                 // --key (demo)
  seed: number                // --seed (1)
  tasks: number               // --tasks (5000)
  automations: number         // --automations (12)
  runners: number             // --runners (6)
  historyDays: number         // --history-days (180)
  latencyMs: number           // --latency-ms (0)
  pageSize: number            // --page-size (20)
  honorSize: boolean          // --honor-size (off)
  taskOrder: TaskOrder        // --order (newest-first) the order the tasks route lists in
  honorTaskSort: boolean      // --honor-task-sort (off) the tasks route honours sort=dateCreation|id[,asc|desc]
  examples: boolean           // --examples (off) hold the task and automation of BotCity's documentation
  tokenTtlS: number           // --token-ttl-s (3600)
  errorRate: number           // --error-rate (0) fraction of data calls answered 500
  rateLimit: number           // --rate-limit (0 = off) requests/s before 429 + Retry-After
  growthPerS: number          // --growth-per-s (0) new tasks per second at the head
  timeScale: number           // --time-scale (1) the data clock runs N times faster than real time
  clockOffsetS: number        // --clock-offset-s (0) the data clock is S seconds ahead (negative: behind)
  /** Extra workspaces beside login/key (tests of isolation between workspaces). */
  workspaces?: SimulatorWorkspace[]
  /** Clock in epoch ms (tests inject one to expire tokens without sleeping); the data clock derives from it (clock.ts). */
  now?: () => number
}

export const SIMULATOR_DEFAULTS: SimulatorOptions = {
  port: 8090,
  host: '127.0.0.1',
  login: 'demo',
  key: 'demo',
  seed: 1,
  tasks: 5000,
  automations: 12,
  runners: 6,
  historyDays: 180,
  latencyMs: 0,
  pageSize: 20,
  honorSize: false,
  taskOrder: 'newest-first',
  honorTaskSort: false,
  examples: false,
  tokenTtlS: 3600,
  errorRate: 0,
  rateLimit: 0,
  growthPerS: 0,
  timeScale: 1,
  clockOffsetS: 0
}

/** Per-route request counts, as served by GET /__sim/stats. */
export interface SimulatorStats {
  login: number
  tasks: number
  automation: number
  runners: number
  version: number
}

/** A fault the next matching calls will suffer (POST /__sim/faults, or `simulator.inject`). */
export interface SimulatorFault {
  /** change-final: at once, a task already FINISHED or CANCELED changes (its finishStatus and dateLastModified), which BotCity is not expected to do: what the bridge's ledger must catch within LEDGER_VERIFY_H. */
  kind: 'status' | 'slow' | 'reset' | 'malformed' | 'expire-tokens' | 'change-final'
  /** HTTP status for kind=status (500, 502, 503, 429, 401, 403 …). */
  status?: number
  /** Retry-After seconds sent with kind=status 429/503. */
  retryAfterS?: number
  /** Delay before answering, for kind=slow. */
  delayMs?: number
  /** Which route it applies to (default: every data route). */
  route?: keyof SimulatorStats
  /** How many matching calls it applies to (default 1). */
  count?: number
  /** For change-final: the task (default: the newest final task created a day or more ago, of the main workspace). */
  taskId?: number
}
