// Access tokens issued by login, each bound to one workspace until it expires.
import { randomBytes } from 'node:crypto'
import type { Workspace } from './workspace.js'

interface Grant {
  workspace: Workspace
  expiresAtMs: number
}

export class TokenStore {
  private readonly grants = new Map<string, Grant>()

  constructor (private readonly ttlMs: number) {}

  issue(workspace: Workspace, nowMs: number): string {
    const token = randomBytes(24).toString('base64url')
    this.grants.set(token, { workspace, expiresAtMs: nowMs + this.ttlMs })
    return token
  }

  /** The token's workspace, or undefined when unknown, revoked or expired. */
  resolve(token: string, nowMs: number): Workspace | undefined {
    const grant = this.grants.get(token)
    if (grant === undefined) return undefined
    if (nowMs >= grant.expiresAtMs) {
      this.grants.delete(token)
      return undefined
    }
    return grant.workspace
  }

  revokeAll(): void {
    this.grants.clear()
  }
}
