import { bridgeError, type BridgeError } from '../errors.js'
import { where } from './error-mapping.js'
import type { LoginResponse, SpringPage, UpstreamRouteName, VersionResponse } from './wire.js'

function badResponse(route: UpstreamRouteName, what: string): BridgeError {
  return bridgeError('UPSTREAM_BAD_RESPONSE', `BotCity Insights answered ${where(route)} with ${what}.`)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function parseJson(route: UpstreamRouteName, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw badResponse(route, `a body that is not JSON (${text.length} bytes)`)
  }
}

/** The field each item of a route must carry, with its JSON type: enough to tell the route's rows apart from anything else. */
export interface ItemKey {
  field: string
  type: 'number' | 'string'
}

function checkItems(route: UpstreamRouteName, items: unknown[], key: ItemKey): void {
  const index = items.findIndex((item) => !isRecord(item) || typeof item[key.field] !== key.type)
  if (index >= 0) throw badResponse(route, `item ${index} lacking a ${key.type} "${key.field}"`)
}

const PAGE_NUMBERS = ['number', 'size', 'totalElements', 'totalPages', 'numberOfElements'] as const
const PAGE_FLAGS = ['last', 'first', 'empty'] as const

/** Checks the Spring Page envelope and its items' key field. */
export function asSpringPage<T>(route: UpstreamRouteName, body: unknown, key: ItemKey): SpringPage<T> {
  if (!isRecord(body)) throw badResponse(route, 'a body that is not a Spring page object')
  if (!Array.isArray(body.content)) throw badResponse(route, 'a page whose "content" is not an array')
  for (const field of PAGE_NUMBERS) {
    if (!Number.isInteger(body[field])) throw badResponse(route, `a page whose "${field}" is not an integer`)
  }
  for (const field of PAGE_FLAGS) {
    if (typeof body[field] !== 'boolean') throw badResponse(route, `a page whose "${field}" is not a boolean`)
  }
  checkItems(route, body.content, key)
  return body as unknown as SpringPage<T>
}

export function asArray<T>(route: UpstreamRouteName, body: unknown, key: ItemKey): T[] {
  if (!Array.isArray(body)) throw badResponse(route, 'a body that is not an array')
  checkItems(route, body, key)
  return body as T[]
}

/** Login answer; organizationLabel may be missing, the caller then falls back to the login. */
export function asLogin(body: unknown): { accessToken: string; organizationLabel: string | undefined } {
  if (!isRecord(body) || typeof body.accessToken !== 'string' || body.accessToken === '') {
    throw badResponse('login', 'no "accessToken"')
  }
  const label = (body as Partial<LoginResponse>).organizationLabel
  return { accessToken: body.accessToken, organizationLabel: typeof label === 'string' && label !== '' ? label : undefined }
}

export function asVersion(body: unknown): VersionResponse {
  if (!isRecord(body) || typeof body.version !== 'string') throw badResponse('version', 'no "version" string')
  return { version: body.version }
}
