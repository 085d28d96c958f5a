// Security headers on every answer (@fastify/helmet): X-Content-Type-Options:
// nosniff, X-Frame-Options, Referrer-Policy, Cross-Origin-*-Policy and a
// Content-Security-Policy. Power Query and curl ignore them; they matter for
// the pages a browser opens (the landing page, /docs). Two changes from
// helmet's defaults:
// - no `upgrade-insecure-requests`: the bridge is often reached over plain
//   http (http://localhost:8080), and the directive would send the landing
//   page's own links to https, where nothing listens;
// - no Strict-Transport-Security: HSTS belongs to whatever terminates TLS in
//   front of the bridge, which knows the host and its subdomains.
// The landing page's inline <style> is allowed by helmet's style-src
// ('unsafe-inline'); it has no inline script.
import helmet from '@fastify/helmet'
import fp from 'fastify-plugin'

export default fp(async function securityHeaders(app) {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: true, directives: { 'upgrade-insecure-requests': null } },
    strictTransportSecurity: false
  })
}, { name: 'security-headers' })
