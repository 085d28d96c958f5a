import { isBridgeError } from '../errors.js'
import { authHeaders, withSession } from './auth.js'
import { observe, type CallTrack, type ObserverDeps } from './call-observer.js'
import type { Credential, CredentialIdOf } from './credential.js'
import { createHttp } from './http.js'
import { KeyedLimiter } from './keyed-limiter.js'
import { resolveClientOptions, type InsightsClientOptions } from './options.js'
import type { PageFetcher } from './page-iterator.js'
import { probePageSize, type PageSizeFinding, type PageSizeMemory } from './page-size-probe.js'
import { TASK_WINDOW_DAYS, probeTaskOrder, type TaskOrderFinding, type TaskOrderMemory } from './task-order.js'
import {
  automationsParams, runnersParams, searchParams, tasksParams,
  type AutomationsQuery, type RunnersQuery, type SearchParams, type TasksQuery
} from './queries.js'
import { asArray, asLogin, asSpringPage, asVersion, parseJson } from './response-shape.js'
import { createTokenCache, type Session } from './token-cache.js'
import { createUpstreamClock, type UpstreamClock } from './upstream-clock.js'
import { ephemeralKeys } from '../keys.js'
import { MS_PER_DAY } from '../odata/civil-date.js'
import {
  UPSTREAM_PATHS,
  type SpringPage, type UpstreamRouteName, type VersionResponse, type WireAutomation, type WireRunner, type WireTask
} from './wire.js'

/** What a login tells a readiness check; the token stays inside the client. */
export interface LoginInfo {
  credentialId: string
  organization: string
}

export type PagedRoute = 'tasks' | 'automation'

/** Query parameters of a read, other than the page and its size (a plan's upstream parameters). */
export type ReadParams = Readonly<Record<string, string | number>>

/** What identifies a row of each data route (the shape check of its answers). */
const ROW_KEYS = {
  tasks: { field: 'id', type: 'number' },
  automation: { field: 'label', type: 'string' },
  runners: { field: 'id', type: 'string' }
} as const

export interface InsightsClient {
  readonly baseUrl: string
  /** Calls in flight at most per credential. */
  readonly concurrency: number
  /** The credential's session (cached, or one fresh login): proves the login and key work. */
  login(credential: Credential): Promise<LoginInfo>
  tasks(credential: Credential, query: TasksQuery): Promise<SpringPage<WireTask>>
  automations(credential: Credential, query: AutomationsQuery): Promise<SpringPage<WireAutomation>>
  runners(credential: Credential, query?: RunnersQuery): Promise<WireRunner[]>
  /** One page of a paged route with any parameters the model declares (`size` only if given). */
  page<T>(credential: Credential, route: PagedRoute, query: { page: number; size?: number; params: ReadParams; signal?: AbortSignal }): Promise<SpringPage<T>>
  /** Every row of an unpaged route. */
  list<T>(credential: Credential, route: 'runners', query: { params: ReadParams; signal?: AbortSignal }): Promise<T[]>
  /** No authentication. */
  version(options?: { signal?: AbortSignal }): Promise<VersionResponse>
  /** Whether the route honours `size`, probed once per base URL + route and remembered. */
  pageSize(credential: Credential, route: PagedRoute): Promise<PageSizeFinding>
  /** The order the tasks route lists in (task-order.ts), probed once per base URL and remembered. */
  taskOrder(credential: Credential): Promise<TaskOrderFinding>
  /** A page contradicted the order found: forget it, so that the next request finds it out again. */
  forgetTaskOrder(): void
  /** Forgets the credential's token; the next call logs in again. */
  invalidate(credential: Credential): void
  /** Whether a session of the credential is held (BotCity accepted it, and login() would cost no call). */
  hasSession(credential: Credential): boolean
  /** BotCity's clock, estimated from the Date header of every answer. */
  readonly clock: UpstreamClock
  /** The keyed id of a credential (src/keys.ts): what logs, metrics and caches name it by. */
  readonly credentialId: CredentialIdOf
}

interface JsonRequest {
  searchParams?: Record<string, string> | undefined
  headers?: Record<string, string>
  json?: unknown
  signal?: AbortSignal | undefined
}

export function createInsightsClient(options: InsightsClientOptions): InsightsClient {
  const settings = resolveClientOptions(options)
  const logger = options.logger?.child?.({ component: 'upstream' }) ?? options.logger
  const http = createHttp({ ...settings, fetch: options.fetch, logger })
  const deps: ObserverDeps = { logger, onCall: options.onCall, timeoutMs: settings.timeoutMs }
  const sizes: PageSizeMemory = new Map()
  const orders: TaskOrderMemory = new Map()
  const limiter = new KeyedLimiter(settings.maxConcurrentPerCredential)
  const ourNow = options.now ?? Date.now
  const credentialId = options.credentialId ?? ephemeralKeys().credentialId
  const clock = createUpstreamClock(ourNow)

  async function requestJson(route: UpstreamRouteName, request: JsonRequest, track: CallTrack): Promise<unknown> {
    const sentAt = ourNow()
    const response = await http(UPSTREAM_PATHS[route].slice(1), {
      method: route === 'login' ? 'post' : 'get',
      ...request,
      context: { track, route }
    })
    clock.sample(response.headers.get('date'), sentAt, ourNow())
    return parseJson(route, await response.text())
  }

  function performLogin(credential: Credential): Promise<Session> {
    const spec = { route: 'login' as const, fields: { credentialId: credentialId(credential) }, secrets: [credential.key] }
    return observe(deps, spec, async (track) => {
      const body = asLogin(await requestJson('login', { json: { login: credential.login, key: credential.key } }, track))
      return { token: body.accessToken, organization: body.organizationLabel ?? credential.login }
    })
  }

  const tokens = (options.tokenCache ?? createTokenCache)({
    login: performLogin,
    lifetimeMs: settings.tokenLifetimeMs,
    maxCredentials: settings.maxCredentials,
    now: options.now,
    credentialId
  })

  function dataCall<T>(
    route: UpstreamRouteName, credential: Credential, params: SearchParams, signal: AbortSignal | undefined,
    shape: (body: unknown) => T
  ): Promise<T> {
    const id = credentialId(credential)
    const spec = { route, fields: { ...params, credentialId: id }, secrets: [credential.key], signal }
    const attempt = (): Promise<T> => limiter.run(id, () => observe(deps, spec, (track) => withSession(tokens, credential, async (session) => {
      track.secrets.push(session.token)
      return shape(await requestJson(route, { searchParams: searchParams(params), headers: authHeaders(session), signal }, track))
    }, () => { track.relogin = true })), signal)
    // ky never retries a timeout; a read is idempotent, so one slow answer gets one more try.
    return settings.retry.limit > 0
      ? attempt().catch((err: unknown) => {
        if (isBridgeError(err) && err.code === 'UPSTREAM_TIMEOUT' && signal?.aborted !== true) return attempt()
        throw err
      })
      : attempt()
  }

  const client: InsightsClient = {
    baseUrl: settings.baseUrl,
    concurrency: settings.maxConcurrentPerCredential,
    clock,
    credentialId,
    async login(credential) {
      const session = await tokens.get(credential)
      return { credentialId: credentialId(credential), organization: session.organization }
    },
    tasks(credential, query) {
      return dataCall('tasks', credential, tasksParams(query), query.signal,
        (body) => asSpringPage<WireTask>('tasks', body, ROW_KEYS.tasks))
    },
    automations(credential, query) {
      return dataCall('automation', credential, automationsParams(query), query.signal,
        (body) => asSpringPage<WireAutomation>('automation', body, ROW_KEYS.automation))
    },
    runners(credential, query = {}) {
      return dataCall('runners', credential, runnersParams(query), query.signal,
        (body) => asArray<WireRunner>('runners', body, ROW_KEYS.runners))
    },
    page<T>(credential: Credential, route: PagedRoute, query: { page: number; size?: number; params: ReadParams; signal?: AbortSignal }) {
      return dataCall(route, credential, { page: query.page, ...query.params, size: query.size }, query.signal,
        (body) => asSpringPage<T>(route, body, ROW_KEYS[route]))
    },
    list<T>(credential: Credential, route: 'runners', query: { params: ReadParams; signal?: AbortSignal }) {
      return dataCall(route, credential, { ...query.params }, query.signal, (body) => asArray<T>(route, body, ROW_KEYS[route]))
    },
    version(versionOptions = {}) {
      const spec = { route: 'version' as const, fields: {}, secrets: [], signal: versionOptions.signal }
      return observe(deps, spec, async (track) => asVersion(await requestJson('version', { signal: versionOptions.signal }, track)))
    },
    pageSize(credential, route) {
      // A light probe: the answer's `size` does not depend on how many rows the window holds.
      const fetchPage: PageFetcher<unknown> = route === 'tasks'
        ? (page, size) => client.tasks(credential, { page, days: 1, size })
        : (page, size) => client.automations(credential, { page, filterBy: 1, size })
      return probePageSize(fetchPage, { key: `${settings.baseUrl} ${route}`, memory: sizes, size: settings.probeSize, logger })
    },
    taskOrder(credential) {
      const read = (page: number, sort: string | null): Promise<SpringPage<WireTask>> =>
        client.page<WireTask>(credential, 'tasks', { page, params: { days: TASK_WINDOW_DAYS, ...(sort === null ? {} : { sort }) } })
      return probeTaskOrder(read, settings.baseUrl, orders, logger, clock.now() - (TASK_WINDOW_DAYS - 1) * MS_PER_DAY)
    },
    forgetTaskOrder() {
      orders.clear()
    },
    hasSession(credential) {
      return tokens.has(credential)
    },
    invalidate(credential) {
      tokens.invalidate(credential)
    }
  }
  return client
}
