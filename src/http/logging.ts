// Structured logs (pino through Fastify) that never carry secrets: credentials
// headers are redacted and secret query parameters are masked in logged URLs.
import { costOf } from './request-cost.js'
import type { FastifyServerOptions } from 'fastify'
import { decodedOrNull, splitQuery } from '../odata/index.js'

/** Query parameters whose values are secrets wherever they appear. */
export const SECRET_QUERY_PARAMS = ['api_key', 'apikey', 'key', 'token', 'access_token'] as const

export function maskSecretParams(url: string, names: readonly string[] = SECRET_QUERY_PARAMS): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  return `${url.slice(0, q)}?${maskSecretPairs(splitQuery(url.slice(q + 1)).map((p) => p.raw), names).join('&')}`
}

/** Raw `name=value` pairs with the values of secret parameters (SECRET_QUERY_PARAMS and `extra`) replaced by ***. */
export function maskSecretPairs(pairs: readonly string[], extra: readonly string[] = []): string[] {
  const lowered = new Set([...SECRET_QUERY_PARAMS, ...extra].map((n) => n.toLowerCase()))
  return splitQuery(pairs.join('&')).map((pair) =>
    pair.raw.includes('=') && lowered.has((decodedOrNull(pair.rawName) ?? pair.rawName).toLowerCase()) ? `${pair.rawName}=***` : pair.raw)
}

export interface LoggingOptions {
  level: string
  /** Extra secret query parameter names (the configured API-key parameter). */
  secretParams?: readonly string[]
  /** Where log lines go (tests capture them); default stdout. */
  stream?: NodeJS.WritableStream
}

export function loggerOptions(options: LoggingOptions): FastifyServerOptions['logger'] {
  const names = [...SECRET_QUERY_PARAMS, ...(options.secretParams ?? [])]
  return {
    level: options.level,
    ...(options.stream === undefined ? {} : { stream: options.stream }),
    redact: {
      paths: ['req.headers.authorization', 'req.headers.token', 'req.headers.cookie', 'req.headers["x-api-key"]', 'headers.authorization', 'headers.token', '*.key', '*.password', '*.accessToken'],
      censor: '***'
    },
    serializers: {
      req: (req: { id: string; method: string; url: string; headers: Record<string, unknown> }) => ({
        id: req.id,
        method: req.method,
        url: maskSecretParams(req.url, names),
        userAgent: req.headers['user-agent']
      }),
      // The answer's status and, for a data request, what it cost the upstream against its plan's estimate.
      res: (reply: { statusCode: number }) => {
        const cost = costOf(reply)
        return { statusCode: reply.statusCode, ...(cost === undefined ? {} : { cost }) }
      }
    }
  }
}
