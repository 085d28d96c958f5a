// UpstreamAccess over the Insights client for one credential. The client
// bounds the calls in flight per credential (UPSTREAM_CONCURRENCY).
import type { InsightsClient } from '../upstream/client.js'
import type { Credential } from '../upstream/credential.js'
import type { UpstreamAccess } from './upstream-access.js'

export interface AccessFactory {
  (credential: Credential, signal?: AbortSignal): UpstreamAccess
}

export function clientAccess(client: InsightsClient): AccessFactory {
  return (credential, signal) => ({
    taskPage: (page, days) => client.tasks(credential, { page, days, signal }),
    automationPage: (page, params) => client.automations(credential, {
      page,
      filterBy: params.filterBy,
      ...(params.automation === undefined ? {} : { automation: params.automation }),
      signal
    }),
    runners: (params) => client.runners(credential, {
      filterBy: params.filterBy,
      ...(params.runner === undefined ? {} : { runner: params.runner }),
      signal
    })
  })
}
