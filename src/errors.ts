// The one error catalogue. Every error the bridge can answer has a stable code
// here, with its HTTP status. Callers match on `code`, never on instanceof.
// docs/errors.md documents each code; a test fails when one is missing there.

export const ERROR_CATALOGUE = {
  // Request errors (4xx): the client can fix these.
  BRIDGE_ERR_SYNTAX: { status: 400, summary: 'A query option or the resource path is not valid OData syntax.' },
  BRIDGE_ERR_UNKNOWN_PROPERTY: { status: 400, summary: 'A property named in the query does not exist on the entity type.' },
  BRIDGE_ERR_TYPE_MISMATCH: { status: 400, summary: 'An expression combines values of incompatible types.' },
  BRIDGE_ERR_INVALID_LITERAL: { status: 400, summary: 'A literal value is malformed or impossible (for example 2024-02-30).' },
  BRIDGE_ERR_INVALID_OPTION_VALUE: { status: 400, summary: 'A query option has a value outside what it allows (for example a negative $top).' },
  BRIDGE_ERR_UNKNOWN_OPTION: { status: 400, summary: 'A $-prefixed query option is not an OData system query option.' },
  BRIDGE_ERR_DUPLICATE_OPTION: { status: 400, summary: 'A query option is given more than once.' },
  BRIDGE_ERR_LIMIT_EXCEEDED: { status: 400, summary: 'The request exceeds a documented limit (URL length, expression depth or size); 414, 431 or 408 for the URL, headers or request time.' },
  BRIDGE_ERR_WINDOW_TOO_LARGE: { status: 400, summary: 'The query needs more rows evaluated in the bridge than its configured limit; narrow it.' },
  BRIDGE_ERR_QUERY_TOO_COSTLY: { status: 400, summary: 'The query needs more upstream page reads than one request may make; narrow it.' },
  BRIDGE_ERR_SKIPTOKEN_INVALID: { status: 400, summary: 'The $skiptoken was not issued by this bridge for this query, or was altered.' },
  BRIDGE_ERR_UNAUTHORIZED: { status: 401, summary: 'Credentials are missing or were rejected.' },
  BRIDGE_ERR_FORBIDDEN: { status: 403, summary: 'The credentials are valid but may not read BotCity Insights.' },
  BRIDGE_ERR_NOT_FOUND: { status: 404, summary: 'No resource at this URL (unknown entity set, path or key).' },
  BRIDGE_ERR_METHOD_NOT_ALLOWED: { status: 405, summary: 'The feed is read-only: only GET and HEAD are allowed.' },
  BRIDGE_ERR_NOT_ACCEPTABLE: { status: 406, summary: 'The requested format or OData version cannot be produced.' },
  BRIDGE_ERR_RATE_LIMITED: { status: 429, summary: 'Too many requests from this client; retry after the indicated delay.' },
  BRIDGE_ERR_NOT_IMPLEMENTED: { status: 501, summary: 'A recognised OData feature the bridge does not support.' },
  // Upstream trouble (5xx): BotCity Insights could not give a complete answer.
  UPSTREAM_UNREACHABLE: { status: 502, summary: 'BotCity Insights could not be reached (DNS, connection refused or reset).' },
  UPSTREAM_ERROR: { status: 502, summary: 'BotCity Insights answered with an error.' },
  UPSTREAM_BAD_RESPONSE: { status: 502, summary: 'BotCity Insights answered with a body the bridge cannot read.' },
  UPSTREAM_CREDENTIALS_REJECTED: { status: 502, summary: "BotCity Insights rejected the bridge's workspace login or key." },
  UPSTREAM_FORBIDDEN: { status: 403, summary: 'BotCity Insights refused access (Insights may not be enabled for this workspace or role).' },
  UPSTREAM_RATE_LIMITED: { status: 503, summary: 'BotCity Insights is rate limiting the bridge; retry later.' },
  UPSTREAM_UNAVAILABLE: { status: 503, summary: 'BotCity Insights is temporarily unavailable.' },
  UPSTREAM_TIMEOUT: { status: 504, summary: 'BotCity Insights did not answer in time.' },
  // The bridge itself cannot take the request now (5xx): load shedding, shutdown.
  BRIDGE_ERR_UNAVAILABLE: { status: 503, summary: 'The bridge is overloaded or shutting down; retry after the indicated delay.' },
  BRIDGE_ERR_DEADLINE: { status: 504, summary: 'The request took longer than REQUEST_DEADLINE_S; its upstream reads were stopped.' },
  BRIDGE_ERR_CLIENT_CLOSED: { status: 499, summary: 'The client closed the connection before its answer was whole (nothing more is sent; logged only).' },
  BRIDGE_ERR_INTERNAL: { status: 500, summary: 'An unexpected error in the bridge.' }
} as const satisfies Record<string, { status: number; summary: string }>

export type ErrorCode = keyof typeof ERROR_CATALOGUE

export interface ErrorDetail {
  code: string
  message: string
  target?: string
}

export interface BridgeErrorOptions {
  /** What the error is about: an option name, a property, a position. */
  target?: string
  details?: ErrorDetail[]
  /** Overrides the catalogue status (e.g. upstream credentials in passthrough mode → 401). */
  status?: number
  /** Seconds, sent as Retry-After. */
  retryAfterS?: number
  cause?: unknown
}

export class BridgeError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  readonly target: string | undefined
  readonly details: ErrorDetail[] | undefined
  readonly retryAfterS: number | undefined

  constructor(code: ErrorCode, message: string, options: BridgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'BridgeError'
    this.code = code
    this.statusCode = options.status ?? ERROR_CATALOGUE[code].status
    this.target = options.target
    this.details = options.details
    this.retryAfterS = options.retryAfterS
  }
}

export function bridgeError(code: ErrorCode, message: string, options?: BridgeErrorOptions): BridgeError {
  return new BridgeError(code, message, options)
}

export function isBridgeError(err: unknown): err is BridgeError {
  if (!(err instanceof Error)) return false
  const code: unknown = (err as Error & { code?: unknown }).code
  return typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code)
}
