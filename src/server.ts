#!/usr/bin/env node
// Runs the bridge: loads the configuration, starts the embedded simulator in
// demo mode, listens, and closes gracefully (close-with-grace) on signals.
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import type { Config } from './config.js'
import { fixedCredential, passthroughCredentials } from './http/credentials.js'
import type { CredentialSource } from './http/credentials.js'
import { DEMO_CREDENTIAL, startDemoSimulator } from './demo.js'
import { shownUrl } from './http/base-url.js'
import type { Simulator } from './simulator/index.js'

async function main(): Promise<void> {
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`)
      process.exit(2)
    }
    throw err
  }
  let simulator: Simulator | null = null
  let upstreamUrl: string
  let credentials: CredentialSource
  if (config.mode === 'demo') {
    simulator = await startDemoSimulator(config.demo)
    upstreamUrl = simulator.url
    credentials = fixedCredential(DEMO_CREDENTIAL)
  } else if (config.mode === 'service-account') {
    upstreamUrl = config.botcityUrl as string
    credentials = fixedCredential(config.serviceAccount as { login: string; key: string })
  } else {
    upstreamUrl = config.botcityUrl as string
    credentials = passthroughCredentials()
  }
  const app = await buildApp({ config, upstreamUrl, credentials })
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err !== undefined) app.log.error({ err }, 'stopping after an unexpected error')
    else app.log.info({ signal }, 'stopping: finishing in-flight requests')
    await app.close()
    await simulator?.close()
  })
  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw err
    console.error(code === 'EADDRINUSE'
      ? `Port ${config.port} on ${config.host} is already in use (PORT): stop what uses it, or choose another, e.g. PORT=${config.port + 1} npm start (or npm start -- --port ${config.port + 1}).`
      : code === 'EACCES'
        ? `Port ${config.port} needs more privileges than this user has (PORT): choose one above 1023, e.g. PORT=8080.`
        : `Cannot listen on ${config.host} (HOST): it is not an address of this machine; use 127.0.0.1, or 0.0.0.0 for every interface.`)
    await app.close()
    await simulator?.close()
    process.exit(1)
  }
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  const port = (app.server.address() as { port: number }).port
  const feed = config.publicUrl === null ? `http://${shown}:${port}/odata/` : `${config.publicUrl}/odata/`
  if (config.mode === 'demo') {
    app.log.warn({ feed, upstream: shownUrl(upstreamUrl) }, `DEMO MODE: serving the embedded BotCity Insights simulator (${config.demo.tasks} tasks), not a real workspace. Set BOTCITY_URL to serve real data.`)
  }
  app.log.info({ feed, mode: config.mode, upstream: shownUrl(upstreamUrl) }, `OData feed ready at ${feed} (mode: ${config.mode}); open http://${shown}:${port}/ for instructions`)
}

await main()
