// Configuration from the environment, validated once at boot (env-schema),
// typed and frozen. A bad value stops the start with a message naming the
// variable and what it allows. README.md's configuration table lists each one.
import envSchema from 'env-schema'

/** UPSTREAM_TASK_ORDER (upstream/task-order.ts): probe, or take the operator's word (still checked on every page). */
export const TASK_ORDER_SETTINGS = ['auto', 'newest-first', 'oldest-first', 'sorted', 'unordered'] as const
export type TaskOrderSetting = typeof TASK_ORDER_SETTINGS[number]

const SCHEMA = {
  type: 'object',
  additionalProperties: true,
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8080, description: 'TCP port to listen on.' },
    HOST: { type: 'string', minLength: 1, default: '127.0.0.1', description: 'Interface to listen on (0.0.0.0 in containers).' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', description: 'Log level.' },
    BOTCITY_URL: { type: 'string', pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$', description: 'Base URL of BotCity (e.g. https://developers.botcity.dev). Unset: demo mode on the embedded simulator.' },
    BOTCITY_LOGIN: { type: 'string', minLength: 1, description: 'Workspace login of the service account (with BOTCITY_KEY: service-account mode).' },
    BOTCITY_KEY: { type: 'string', minLength: 1, description: 'Workspace key of the service account.' },
    BRIDGE_API_KEYS: { type: 'string', minLength: 1, description: 'Service-account mode: comma-separated API keys clients must present (Basic password, Bearer token, or the API-key query parameter), each at least 16 characters (e.g. openssl rand -hex 24).' },
    ALLOW_ANONYMOUS: { type: 'boolean', default: false, description: 'Service-account mode: serve clients without an API key (only behind your own access control).' },
    API_KEY_PARAM: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,63}$', default: 'api_key', description: 'Query parameter carrying a Web API key (Power BI "Web API" credentials): a bridge key, or login:key in passthrough mode.' },
    PUBLIC_URL: { type: 'string', pattern: '^https?://[^\\s?#]+$', description: 'Absolute URL clients reach the bridge at, when it differs from what requests show (behind a proxy).' },
    TRUST_PROXY: { type: 'string', pattern: '^(true|false|[0-9]{1,2}|[0-9A-Fa-f.:/]+(,\\s*[0-9A-Fa-f.:/]+)*)$', default: 'false', description: 'Which reverse proxies to believe about X-Forwarded-Proto/Host/For: their number in front of the bridge (e.g. 1), or their addresses or CIDR ranges, comma-separated; true believes every hop (a client can then pick its own address); false none.' },
    HORIZON_DAYS: { type: 'integer', minimum: 1, maximum: 3650, default: 30, description: 'Default feed horizon in days: Tasks created in the last N days; the window of Automations and Runners figures. Clients override it with the query option days=N.' },
    PAGE_SIZE: { type: 'integer', minimum: 1, maximum: 100000, default: 1000, description: 'Rows per feed page (server-driven paging).' },
    MAX_PAGE_SIZE: { type: 'integer', minimum: 1, maximum: 100000, default: 5000, description: 'Largest page a client may ask for with Prefer: odata.maxpagesize.' },
    MAX_LOCAL_ROWS: { type: 'integer', minimum: 1000, maximum: 10000000, default: 500000, description: 'Most rows the bridge reads for work the upstream cannot do (local sort or filter over a window).' },
    REQUEST_MAX_UPSTREAM_READS: { type: 'integer', minimum: 1, maximum: 10000000, default: 2500, description: 'Most upstream page reads one request may make (pages from the cache count; pages read ahead for the next request are read only while the bound still covers them, so its calls never exceed it). A query whose plan needs more is refused before its first call, one that finds out while reading stops there: 400 BRIDGE_ERR_QUERY_TOO_COSTLY, saying what it would cost and how to narrow it. The default never refuses a page in the upstream order of up to MAX_PAGE_SIZE rows, nor a one-day partition.' },
    EXPAND_MAX_ROWS: { type: 'integer', minimum: 100, maximum: 10000000, default: 10000, description: 'Most related rows one $expand item reads for a page of its source (e.g. the tasks of the automations on a page); above it 400 BRIDGE_ERR_WINDOW_TOO_LARGE names the query that reads them as a set of their own, paged (Automations(\'x\')/Tasks).' },
    HEAVY_MAX_CONCURRENT: { type: 'integer', minimum: 1, maximum: 1000, default: 2, description: 'Requests that sort, filter or join a whole window of tasks in the bridge (a local $orderby or filter, $expand of Tasks, $apply over Tasks, any Tasks query when BotCity lists them in no order) running at once; more wait (HEAVY_QUEUE). Each may hold up to MAX_LOCAL_ROWS rows.' },
    HEAVY_QUEUE: { type: 'integer', minimum: 0, maximum: 10000, default: 16, description: 'Such requests waiting for one of those places, each up to HEAVY_QUEUE_WAIT_S; beyond it, 503 with Retry-After (Power Query retries).' },
    HEAVY_QUEUE_WAIT_S: { type: 'integer', minimum: 1, maximum: 3600, default: 60, description: 'Longest wait in that queue before 503 with Retry-After.' },
    UPSTREAM_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600000, default: 30000, description: 'Timeout of one upstream call.' },
    UPSTREAM_RETRIES: { type: 'integer', minimum: 0, maximum: 10, default: 3, description: 'Retries of an upstream call on 429, 500, 502-504 and network errors (Retry-After honoured).' },
    UPSTREAM_PAGE_SIZE: { type: 'string', pattern: '^(auto|[1-9][0-9]{0,3})$', default: 'auto', description: 'Rows per upstream page: auto probes once whether BotCity honours a larger size (1000) and uses it if confirmed; a number asks for that size and relies on the answer.' },
    UPSTREAM_TASK_ORDER: { type: 'string', enum: [...TASK_ORDER_SETTINGS], default: 'auto', description: 'The order BotCity lists tasks in, which it does not document: auto finds out once (2–3 calls) whether the tasks route honours sort=dateCreation,desc, else which order its pages show; newest-first, oldest-first or sorted (send sort=dateCreation,desc) takes it as given; unordered reads the whole window for every Tasks query. Every page read is still checked against it.' },
    UPSTREAM_CONCURRENCY: { type: 'integer', minimum: 1, maximum: 64, default: 8, description: 'Concurrent upstream calls per credential.' },
    TOKEN_TTL_S: { type: 'integer', minimum: 60, maximum: 86400, default: 3000, description: 'How long an upstream token is reused before logging in again.' },
    CACHE_TTL_S: { type: 'integer', minimum: 0, maximum: 86400, default: 60, description: 'How long upstream pages and finished answers are served from the cache, never longer: a load shows the upstream as it stood at most this long before it started, a finished or canceled task at most LEDGER_VERIFY_H (0 disables caching, read-ahead and the task ledger).' },
    CACHE_MAX_MB: { type: 'integer', minimum: 1, maximum: 65536, default: 128, description: 'Memory bound of the page cache.' },
    LEDGER_MAX_MB: { type: 'integer', minimum: 0, maximum: 65536, default: 64, description: 'Memory bound of the task ledger: the tasks read, kept so that a repeat load reads only the pages of new tasks and of tasks not yet finished or canceled (docs/performance.md). About 45 MB of heap per 100,000 tasks (its estimate, which the bound applies to, counts 55), and about 23 MB more for the rows made from them once served; past the bound the oldest are read again. 0 turns it off (every load reads every page, within CACHE_TTL_S from the cache).' },
    LEDGER_VERIFY_H: { type: 'integer', minimum: 1, maximum: 8760, default: 24, description: 'How long a finished or canceled task is served from the task ledger before its page is read again: such a task is shown at most this old, anything else at most CACHE_TTL_S.' },
    BRIDGE_SECRET: { type: 'string', minLength: 32, description: 'Secret the bridge derives its keys from: credential ids (in logs and Redis key names), the sealing of what it keeps in Redis, the encryption of $skiptoken values. Required with REDIS_URL, the same on every replica (e.g. openssl rand -hex 32); unset without Redis: random per process.' },
    SKIPTOKEN_SECRET: { type: 'string', description: 'Former name of BRIDGE_SECRET: no longer read (set BRIDGE_SECRET, of at least 32 characters).' },
    REDIS_URL: { type: 'string', pattern: '^rediss?://[^\\s]+$', description: 'redis:// or rediss:// (TLS) URL of a Redis shared by several replicas: upstream pages, tokens, task ledgers and the orders of paged loads are kept there, sealed with each workspace credential and BRIDGE_SECRET (required with it). Unset: caches stay in memory. If Redis is unreachable the bridge serves from the upstream.' },
    REDIS_KEY_PREFIX: { type: 'string', pattern: '^[A-Za-z0-9_.:{}-]{0,64}$', default: 'botcity-odata:', description: 'Prefix of every Redis key the bridge writes (deployments sharing one Redis need different prefixes).' },
    RATE_LIMIT_PER_MIN: { type: 'integer', minimum: 0, maximum: 1000000, default: 6000, description: 'Requests per minute one client may make (a client: the bridge key that matched, or the workspace credential BotCity accepted, else its address); above it 429 with Retry-After. 0 disables the limit. Failed sign-ins are limited apart: three free per address and login, then waits that double up to a minute.' },
    LOAD_ABANDON_S: { type: 'integer', minimum: 1, maximum: 86400, default: 600, description: 'How long after a page of a load (a first request and the nextLinks that follow it) its next request may come: past it the load is recorded as abandoned (one log line, /monitor, botcity_odata_loads_total), or as failed if its last answer was an error its client would retry.' },
    REQUEST_DEADLINE_S: { type: 'integer', minimum: 1, maximum: 3600, default: 540, description: 'Longest time one request may take (below Power Query\'s 600 s): past it the bridge stops the request\'s upstream reads and answers 504. A client that disconnects stops them at once.' },
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: { type: 'integer', minimum: 0, maximum: 60000, default: 1000, description: 'Back-pressure: above this mean event-loop delay the bridge answers 503 with Retry-After until it recovers. 0 disables the check.' },
    PRESSURE_MAX_HEAP_PERCENT: { type: 'integer', minimum: 0, maximum: 100, default: 90, description: 'Back-pressure: above this share of the V8 heap limit in use the bridge answers 503 with Retry-After. 0 disables the check.' },
    DEMO_TASKS: { type: 'integer', minimum: 0, maximum: 1000000, default: 5000, description: 'Demo mode: tasks in the embedded simulator.' },
    DEMO_SEED: { type: 'integer', default: 1, description: 'Demo mode: data seed of the embedded simulator.' }
  }
} as const

export type Mode = 'demo' | 'service-account' | 'passthrough'

export interface Config {
  readonly mode: Mode
  readonly port: number
  readonly host: string
  readonly logLevel: string
  /** Upstream base URL without trailing slash; null in demo mode until the simulator starts. */
  readonly botcityUrl: string | null
  readonly serviceAccount: { readonly login: string; readonly key: string } | null
  /** Keys clients present in service-account mode (empty: none configured). */
  readonly apiKeys: readonly string[]
  readonly allowAnonymous: boolean
  readonly apiKeyParam: string
  readonly publicUrl: string | null
  /** Fastify's trustProxy: false, true (every hop), a hop count, or proxy addresses/CIDRs. */
  readonly trustProxy: boolean | number | readonly string[]
  readonly horizonDays: number
  readonly pageSize: number
  readonly maxPageSize: number
  readonly maxLocalRows: number
  /** Upstream page reads one request may make. */
  readonly maxUpstreamReads: number
  /** Related rows one $expand item may read for a page. */
  readonly maxExpandRows: number
  /** Heavy reads at once, waiting at most, and the longest wait (execute/heavy-gate.ts). */
  readonly heavy: { readonly max: number; readonly queue: number; readonly waitMs: number }
  readonly upstreamTimeoutMs: number
  readonly upstreamRetries: number
  readonly upstreamConcurrency: number
  /** 'auto' (probe once) or a fixed size to ask for. */
  readonly upstreamPageSize: 'auto' | number
  /** 'auto' (probe once) or the order taken as given (upstream/task-order.ts). */
  readonly upstreamTaskOrder: TaskOrderSetting
  readonly tokenTtlS: number
  readonly cacheTtlS: number
  /** Bound of the task ledger (0: off), and how long a final task stands in it. */
  readonly ledger: { readonly maxBytes: number; readonly verifyMs: number }
  readonly cacheMaxBytes: number
  /** BRIDGE_SECRET, every key's root (src/keys.ts); null: a random one per process (no Redis). */
  readonly bridgeSecret: string | null
  /** REQUEST_DEADLINE_S in ms. */
  readonly requestDeadlineMs: number
  /** LOAD_ABANDON_S in ms. */
  readonly loadAbandonMs: number
  /** Redis shared by the replicas (page, token and order caches); null: in-memory caches. */
  readonly redisUrl: string | null
  readonly redisKeyPrefix: string
  /** Requests per minute per client; 0: no limit. */
  readonly rateLimitPerMin: number
  /** Back-pressure thresholds; 0 disables each. */
  readonly pressureMaxEventLoopDelayMs: number
  readonly pressureMaxHeapPercent: number
  readonly demo: { readonly tasks: number; readonly seed: number }
}

interface RawEnv {
  PORT: number; HOST: string; LOG_LEVEL: string
  BOTCITY_URL?: string; BOTCITY_LOGIN?: string; BOTCITY_KEY?: string
  BRIDGE_API_KEYS?: string; ALLOW_ANONYMOUS: boolean; API_KEY_PARAM: string
  PUBLIC_URL?: string; TRUST_PROXY: string
  HORIZON_DAYS: number; PAGE_SIZE: number; MAX_PAGE_SIZE: number; MAX_LOCAL_ROWS: number; REQUEST_MAX_UPSTREAM_READS: number; EXPAND_MAX_ROWS: number; HEAVY_MAX_CONCURRENT: number; HEAVY_QUEUE: number; HEAVY_QUEUE_WAIT_S: number
  UPSTREAM_TIMEOUT_MS: number; UPSTREAM_RETRIES: number; UPSTREAM_CONCURRENCY: number; UPSTREAM_PAGE_SIZE: string; UPSTREAM_TASK_ORDER: TaskOrderSetting
  TOKEN_TTL_S: number; CACHE_TTL_S: number; CACHE_MAX_MB: number; LEDGER_MAX_MB: number; LEDGER_VERIFY_H: number
  BRIDGE_SECRET?: string; SKIPTOKEN_SECRET?: string; REQUEST_DEADLINE_S: number; LOAD_ABANDON_S: number
  REDIS_URL?: string; REDIS_KEY_PREFIX: string
  RATE_LIMIT_PER_MIN: number; PRESSURE_MAX_EVENT_LOOP_DELAY_MS: number; PRESSURE_MAX_HEAP_PERCENT: number
  DEMO_TASKS: number; DEMO_SEED: number
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/** Names and descriptions of every variable, for the README table and `--help`. */
export const CONFIG_VARIABLES: readonly { name: string; description: string; default?: unknown }[] =
  Object.entries(SCHEMA.properties).map(([name, p]) => ({ name, description: p.description, ...('default' in p ? { default: p.default } : {}) }))

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as docker compose and shells often pass them.
  const data = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  let raw: RawEnv
  try {
    raw = envSchema<RawEnv>({ schema: SCHEMA, data, dotenv: false })
  } catch (err) {
    throw new ConfigError(describeSchemaError(err))
  }
  const url = raw.BOTCITY_URL?.replace(/\/+$/, '') ?? null
  const login = raw.BOTCITY_LOGIN
  const key = raw.BOTCITY_KEY
  if ((login === undefined) !== (key === undefined)) {
    throw new ConfigError(`${login === undefined ? 'BOTCITY_LOGIN' : 'BOTCITY_KEY'} is missing: set both BOTCITY_LOGIN and BOTCITY_KEY for service-account mode, or neither for passthrough mode.`)
  }
  if (url === null && login !== undefined) {
    throw new ConfigError('BOTCITY_LOGIN and BOTCITY_KEY need BOTCITY_URL (e.g. https://developers.botcity.dev); leave all three unset for demo mode.')
  }
  if (raw.PAGE_SIZE > raw.MAX_PAGE_SIZE) {
    throw new ConfigError(`PAGE_SIZE (${raw.PAGE_SIZE}) must not exceed MAX_PAGE_SIZE (${raw.MAX_PAGE_SIZE}).`)
  }
  const mode: Mode = url === null ? 'demo' : login !== undefined ? 'service-account' : 'passthrough'
  const apiKeys = (raw.BRIDGE_API_KEYS ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '')
  if (mode === 'service-account' && apiKeys.length === 0 && !raw.ALLOW_ANONYMOUS) {
    throw new ConfigError('Service-account mode needs BRIDGE_API_KEYS (comma-separated keys clients must present), or ALLOW_ANONYMOUS=true to serve anyone who reaches the bridge with your workspace data.')
  }
  if (raw.SKIPTOKEN_SECRET !== undefined && raw.BRIDGE_SECRET === undefined) {
    throw new ConfigError('SKIPTOKEN_SECRET is now BRIDGE_SECRET, of at least 32 characters (it also keys credential ids and the sealing of Redis entries): rename it, e.g. BRIDGE_SECRET=$(openssl rand -hex 32).')
  }
  if (raw.REDIS_URL !== undefined && raw.BRIDGE_SECRET === undefined) {
    throw new ConfigError('REDIS_URL needs BRIDGE_SECRET (at least 32 characters, the same on every replica, e.g. openssl rand -hex 32): Redis key names and sealed entries are keyed with it, so that Redis alone reveals nothing.')
  }
  if (apiKeys.some((k) => k.length < 16)) {
    throw new ConfigError('Each key in BRIDGE_API_KEYS must be at least 16 characters long (e.g. openssl rand -hex 24).')
  }
  return Object.freeze({
    mode,
    port: raw.PORT,
    host: raw.HOST,
    logLevel: raw.LOG_LEVEL,
    botcityUrl: url,
    serviceAccount: login !== undefined && key !== undefined ? Object.freeze({ login, key }) : null,
    apiKeys: Object.freeze(apiKeys),
    allowAnonymous: raw.ALLOW_ANONYMOUS,
    apiKeyParam: raw.API_KEY_PARAM,
    publicUrl: raw.PUBLIC_URL?.replace(/\/+$/, '') ?? null,
    trustProxy: trustProxyOf(raw.TRUST_PROXY),
    horizonDays: raw.HORIZON_DAYS,
    pageSize: raw.PAGE_SIZE,
    maxPageSize: raw.MAX_PAGE_SIZE,
    maxLocalRows: raw.MAX_LOCAL_ROWS,
    maxUpstreamReads: raw.REQUEST_MAX_UPSTREAM_READS,
    maxExpandRows: raw.EXPAND_MAX_ROWS,
    heavy: { max: raw.HEAVY_MAX_CONCURRENT, queue: raw.HEAVY_QUEUE, waitMs: raw.HEAVY_QUEUE_WAIT_S * 1000 },
    upstreamTimeoutMs: raw.UPSTREAM_TIMEOUT_MS,
    upstreamRetries: raw.UPSTREAM_RETRIES,
    upstreamConcurrency: raw.UPSTREAM_CONCURRENCY,
    upstreamPageSize: raw.UPSTREAM_PAGE_SIZE === 'auto' ? 'auto' : Number(raw.UPSTREAM_PAGE_SIZE),
    upstreamTaskOrder: raw.UPSTREAM_TASK_ORDER,
    tokenTtlS: raw.TOKEN_TTL_S,
    cacheTtlS: raw.CACHE_TTL_S,
    cacheMaxBytes: raw.CACHE_MAX_MB * 1024 * 1024,
    ledger: Object.freeze({ maxBytes: raw.LEDGER_MAX_MB * 1024 * 1024, verifyMs: raw.LEDGER_VERIFY_H * 3_600_000 }),
    bridgeSecret: raw.BRIDGE_SECRET ?? null,
    requestDeadlineMs: raw.REQUEST_DEADLINE_S * 1000,
    loadAbandonMs: raw.LOAD_ABANDON_S * 1000,
    redisUrl: raw.REDIS_URL ?? null,
    redisKeyPrefix: raw.REDIS_KEY_PREFIX,
    rateLimitPerMin: raw.RATE_LIMIT_PER_MIN,
    pressureMaxEventLoopDelayMs: raw.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
    pressureMaxHeapPercent: raw.PRESSURE_MAX_HEAP_PERCENT,
    demo: Object.freeze({ tasks: raw.DEMO_TASKS, seed: raw.DEMO_SEED })
  })
}

/** TRUST_PROXY as Fastify's trustProxy takes it. */
function trustProxyOf(value: string): boolean | number | readonly string[] {
  if (value === 'true') return true
  if (value === 'false') return false
  if (/^[0-9]+$/.test(value)) return Number(value)
  return Object.freeze(value.split(',').map((a) => a.trim()))
}

/** What a pattern allows, in words, where it is not an http(s) URL. */
const PATTERN_HINTS: Record<string, string> = {
  TRUST_PROXY: 'true, false, a number of proxies, or proxy addresses/CIDR ranges separated by commas',
  REDIS_URL: 'a redis:// or rediss:// URL',
  REDIS_KEY_PREFIX: 'up to 64 letters, digits and _ . : { } -'
}

/** Turns Ajv's "env/PORT must be <= 65535" into a sentence naming the variable and what it allows. */
function describeSchemaError(err: unknown): string {
  const errors = (err as { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] }).errors
  if (!Array.isArray(errors) || errors.length === 0) return `Invalid configuration: ${(err as Error).message}`
  return errors.map((e) => {
    const name = e.instancePath.replace(/^\//, '')
    const prop = (SCHEMA.properties as Record<string, { type: string; enum?: readonly string[]; minimum?: number; maximum?: number; pattern?: string }>)[name]
    const allowed = prop === undefined
      ? ''
      : prop.enum !== undefined
        ? `one of ${prop.enum.join(', ')}`
        : prop.type === 'integer'
          ? `an integer${prop.minimum !== undefined ? ` from ${prop.minimum}` : ''}${prop.maximum !== undefined ? ` to ${prop.maximum}` : ''}`
          : prop.type === 'boolean'
            ? 'true or false'
            : prop.pattern !== undefined ? (PATTERN_HINTS[name] ?? 'an http(s) URL') : 'a string'
    return `Invalid environment variable ${name}: it ${e.message ?? 'is invalid'}; allowed: ${allowed}.`
  }).join(' ')
}
