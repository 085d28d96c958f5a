// The one error handler: every error becomes the OData error body
// {"error":{"code","message","target?","details?"}} (OData JSON Format 4.0 §21)
// with the catalogue status. 5xx messages never carry a stack or a secret.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { BridgeError, isBridgeError } from '../errors.js'
import { BASIC_REALM } from './credentials.js'

export interface ODataErrorBody {
  error: { code: string; message: string; target?: string; details?: { code: string; message: string; target?: string }[] }
}

/** Fastify's own 4xx errors, told in our words. */
function fromFastify(err: FastifyError): BridgeError {
  const status = err.statusCode ?? 500
  if (err.code === 'FST_ERR_BAD_URL' || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new BridgeError('BRIDGE_ERR_SYNTAX', err.code === 'FST_ERR_BAD_URL' ? 'The URL is not valid: check its percent-encoding.' : 'This request body is not accepted: the feed is read-only.', { status: status >= 400 && status < 500 ? status : 400 })
  }
  if (status >= 400 && status < 500) {
    return new BridgeError('BRIDGE_ERR_SYNTAX', err.message, { status })
  }
  return new BridgeError('BRIDGE_ERR_INTERNAL', 'An unexpected error occurred in the bridge; the request id in the logs identifies it.', { cause: err })
}

export function toBridgeError(err: unknown): BridgeError {
  if (isBridgeError(err)) return err
  if (err instanceof Error && typeof (err as FastifyError).code === 'string' && (err as FastifyError).code.startsWith('FST_')) {
    return fromFastify(err as FastifyError)
  }
  return new BridgeError('BRIDGE_ERR_INTERNAL', 'An unexpected error occurred in the bridge; the request id in the logs identifies it.', { cause: err })
}

export function errorBody(err: BridgeError): ODataErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.target === undefined ? {} : { target: err.target }),
      ...(err.details === undefined ? {} : { details: err.details })
    }
  }
}

export function sendError(request: FastifyRequest, reply: FastifyReply, raw: unknown): FastifyReply {
  const err = toBridgeError(raw)
  // 501 answers a client's request for an unsupported feature, and shed load
  // (BRIDGE_ERR_UNAVAILABLE) is expected under pressure: both logged at info,
  // not as errors with a stack a client could make the bridge write at will.
  if (err.statusCode >= 500 && err.statusCode !== 501 && err.code !== 'BRIDGE_ERR_UNAVAILABLE') {
    request.log.error({ err: raw, code: err.code }, err.message)
  } else {
    request.log.info({ code: err.code, status: err.statusCode }, err.message)
  }
  if (err.statusCode === 401) reply.header('www-authenticate', `Basic realm="${BASIC_REALM}", charset="UTF-8"`)
  if (err.retryAfterS !== undefined) reply.header('retry-after', String(Math.ceil(err.retryAfterS)))
  return reply.code(err.statusCode).header('content-type', 'application/json').send(Buffer.from(JSON.stringify(errorBody(err))))
}
