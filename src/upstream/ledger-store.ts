// Where task ledgers (task-ledger.ts) are kept for the other replicas and the
// next start, with REDIS_URL: one value per workspace credential and upstream
// window — the ledger's snapshot, compressed, sealed with the workspace's
// credential (sealed-box.ts) under its Redis key — and beside it, in the
// clear, only when the read that placed it started, so that a replica learns
// whether the kept ledger is newer than its own without fetching it.
// Each value is one process's whole ledger: replicas never mix their halves.
// As every use of Redis, an optimisation: any failure leaves the replica with
// its own ledger, or none (it reads from the upstream).
import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import type { Credential } from './credential.js'
import type { RedisStore } from './redis-store.js'
import type { SealedBox, SealPurpose } from './sealed-box.js'
import type { LedgerSnapshot } from './task-ledger.js'
import type { WireTask } from './wire.js'
import { takeTurn } from '../take-turns.js'

const zip = promisify(gzip)
const unzip = promisify(gunzip)

export interface LedgerStore {
  /** When the read that placed the kept ledger started, or null: none kept (or Redis did not answer). */
  placedAt(credential: Credential, name: string): Promise<number | null>
  load(credential: Credential, name: string): Promise<LedgerSnapshot | null>
  /** Keeps it, unless a ledger placed by a later read is kept already. */
  save(credential: Credential, name: string, snapshot: LedgerSnapshot): Promise<void>
}

export interface LedgerStoreOptions {
  readonly store: RedisStore
  readonly boxes: (credential: Credential, purpose: SealPurpose) => SealedBox
  readonly credentialId: (credential: Credential) => string
  /** How long a kept ledger stays in Redis after its last save. */
  readonly ttlMs: number
}

/**
 * Sets the kept ledger (KEYS[1]) and when it was placed (KEYS[2]) unless a
 * ledger placed later is kept already: a replica that saves late (its quiet
 * time ended after another's) never replaces a newer ledger with its older one.
 */
const SAVE_IF_NEWER = `
local at = redis.call('GET', KEYS[2])
if at and tonumber(at) >= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1`

/** Entries per line of the kept text (each line is parsed between turns of the event loop). */
const LINE = 500

export function redisLedgerStore(options: LedgerStoreOptions): LedgerStore {
  const { store } = options
  const keys = (credential: Credential, name: string): { value: string; at: string; aad: string } => {
    const digest = createHash('sha256').update(name).digest('hex').slice(0, 40)
    const id = options.credentialId(credential)
    return { value: store.key('ledger', id, digest), at: store.key('ledger-at', id, digest), aad: `ledger ${name}` }
  }
  return {
    async placedAt(credential, name) {
      const text = await store.attempt('ledger at', (r) => r.get(keys(credential, name).at), null)
      const at = text === null ? NaN : Number(text)
      return Number.isFinite(at) ? at : null
    },
    async load(credential, name) {
      const k = keys(credential, name)
      const sealed = await store.attempt('ledger get', (r) => r.getBuffer(k.value), null)
      if (sealed === null) return null
      const zipped = options.boxes(credential, 'ledger').openBytes(k.aad, sealed)
      if (zipped === null) return null
      try {
        return await parse((await unzip(zipped)).toString('utf8'))
      } catch {
        return null
      }
    },
    async save(credential, name, snapshot) {
      const k = keys(credential, name)
      const sealed = options.boxes(credential, 'ledger').sealBytes(k.aad, await zip(Buffer.from(await render(snapshot), 'utf8')))
      await store.attempt('ledger set', (r) => r.eval(SAVE_IF_NEWER, 2, k.value, k.at, sealed, String(snapshot.align.stamp.started), String(options.ttlMs)), null)
    }
  }
}

/** The snapshot as lines of JSON: its header, then its entries, LINE to a line, made between turns of the event loop. */
async function render(snapshot: LedgerSnapshot): Promise<string> {
  const { entries, ...header } = snapshot
  const lines = [JSON.stringify({ v: 1, ...header, count: entries.length })]
  for (let i = 0; i < entries.length; i += LINE) {
    lines.push(JSON.stringify(entries.slice(i, i + LINE)))
    await takeTurn()
  }
  return lines.join('\n')
}

async function parse(text: string): Promise<LedgerSnapshot | null> {
  const lines = text.split('\n')
  const header = JSON.parse(lines[0] ?? '') as Omit<LedgerSnapshot, 'entries'> & { v: number; count: number }
  if (header.v !== 1) return null
  const entries: (readonly [WireTask, number, number])[] = []
  for (let i = 1; i < lines.length; i++) {
    entries.push(...(JSON.parse(lines[i] as string) as [WireTask, number, number][]))
    await takeTurn()
  }
  if (entries.length !== header.count) return null
  return { size: header.size, toEnd: header.toEnd, align: header.align, entries }
}
