// Seeded pseudo-random numbers: the same seed always yields the same data.

export type Random = () => number

/** mulberry32: tiny, fast, good enough for synthetic data (not for secrets). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Derives an independent 32-bit seed for one purpose (FNV-1a over the parts). */
export function deriveSeed(...parts: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5
  for (const char of parts.join('\u0000')) {
    hash ^= char.charCodeAt(0)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

export function randomFor(...parts: ReadonlyArray<string | number>): Random {
  return createRandom(deriveSeed(...parts))
}

export function between(random: Random, min: number, max: number): number {
  return min + random() * (max - min)
}

/** Integer in [min, max], both included. */
export function intBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}

/** Log-uniform: as likely to land in [1, 10] as in [10, 100]. */
export function logBetween(random: Random, min: number, max: number): number {
  return Math.exp(between(random, Math.log(min), Math.log(max)))
}

export function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const a = copy[i] as T
    copy[i] = copy[j] as T
    copy[j] = a
  }
  return copy
}
