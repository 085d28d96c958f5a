// The absolute base URL clients reached us at: PUBLIC_URL when configured,
// else the scheme and host of the request (X-Forwarded-* only with TRUST_PROXY,
// which Fastify's trustProxy applies to request.protocol and request.host).
import type { FastifyRequest } from 'fastify'

export function serviceRoot(request: FastifyRequest, publicUrl: string | null): string {
  const origin = publicUrl ?? `${request.protocol}://${request.host}`
  return `${origin}/odata/`
}

/** A URL as logs and pages may show it: without `user:password@`, which some write into BOTCITY_URL. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.username === '' && u.password === '') return url
    u.username = ''
    u.password = ''
    return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '')
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//')
  }
}
