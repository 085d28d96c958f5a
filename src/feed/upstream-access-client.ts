// UpstreamAccess over the Insights client for one credential, through the
// page cache (keys carry the credential id, so workspaces never share an
// entry). The client bounds the calls in flight per credential.
import type { InsightsClient } from '../upstream/client.js'
import { credentialId } from '../upstream/credential.js'
import type { Credential } from '../upstream/credential.js'
import type { PageCache } from '../upstream/page-cache.js'
import type { UpstreamAccess } from './upstream-access.js'

export interface AccessFactory {
  (credential: Credential, signal?: AbortSignal): UpstreamAccess
}

export function clientAccess(client: InsightsClient, cache: PageCache): AccessFactory {
  return (credential, signal) => {
    const id = credentialId(credential)
    return {
      taskPage: (page, days, fresh) =>
        cache.get(`${id} tasks days=${days} page=${page}`, () => client.tasks(credential, { page, days, signal }), fresh),
      automationPage: (page, params) =>
        cache.get(`${id} automation filterBy=${params.filterBy} automation=${JSON.stringify(params.automation ?? null)} page=${page}`,
          () => client.automations(credential, {
            page,
            filterBy: params.filterBy,
            ...(params.automation === undefined ? {} : { automation: params.automation }),
            signal
          })),
      runners: (params) =>
        cache.get(`${id} runners filterBy=${params.filterBy} runner=${JSON.stringify(params.runner ?? null)}`,
          () => client.runners(credential, {
            filterBy: params.filterBy,
            ...(params.runner === undefined ? {} : { runner: params.runner }),
            signal
          }))
    }
  }
}
