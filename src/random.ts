// Random bytes for IVs and ids, drawn from a pool refilled 4 kB at a time:
// crypto.randomBytes costs a system call each time (about 5 µs here), which
// every answer of a load paid twice (its load's id, its $skiptoken's IV).
// The bytes are the same CSPRNG's; each is handed out once.
import { randomBytes } from 'node:crypto'

const POOL_BYTES = 4096
let pool = Buffer.alloc(0)
let offset = 0

/** `n` (≤ 4096) fresh random bytes: a copy, never handed out again. */
export function randomChunk(n: number): Buffer {
  if (offset + n > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, n))
    offset = 0
  }
  const chunk = Buffer.from(pool.subarray(offset, offset + n))
  offset += n
  return chunk
}
