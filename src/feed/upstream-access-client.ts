// UpstreamAccess over the Insights client for one credential, with the
// credential's concurrency limit (p-limit), so one refresh never has more than
// UPSTREAM_CONCURRENCY calls in flight against the upstream.
import pLimit from 'p-limit'
import type { LimitFunction } from 'p-limit'
import type { InsightsClient } from '../upstream/client.js'
import { credentialId } from '../upstream/credential.js'
import type { Credential } from '../upstream/credential.js'
import type { UpstreamAccess } from './upstream-access.js'

export interface AccessFactory {
  (credential: Credential, signal?: AbortSignal): UpstreamAccess
}

export function clientAccess(client: InsightsClient, concurrency: number): AccessFactory {
  const limits = new Map<string, LimitFunction>()
  const limitFor = (credential: Credential): LimitFunction => {
    const id = credentialId(credential)
    let limit = limits.get(id)
    if (limit === undefined) {
      limit = pLimit(concurrency)
      limits.set(id, limit)
    }
    if (limits.size > 10_000) limits.delete(limits.keys().next().value as string)
    return limit
  }
  return (credential, signal) => {
    const limit = limitFor(credential)
    return {
      taskPage: (page, days) => limit(() => client.tasks(credential, { page, days, signal })),
      automationPage: (page, params) => limit(() => client.automations(credential, {
        page,
        filterBy: params.filterBy,
        ...(params.automation === undefined ? {} : { automation: params.automation }),
        signal
      })),
      runners: (params) => limit(() => client.runners(credential, {
        filterBy: params.filterBy,
        ...(params.runner === undefined ? {} : { runner: params.runner }),
        signal
      }))
    }
  }
}
