// Small statistics and formatting helpers shared by the measurements.

export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly runs: number
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0 }
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, runs: sorted.length }
}

/** A fixed number of decimals, or "n/a". */
export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a'
}

/** 12 345 678 → "12.3 M", 45 678 → "45.7 k". */
export function si(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a'
  const abs = Math.abs(value)
  if (abs >= 1e9) return `${(value / 1e9).toFixed(digits)} G`
  if (abs >= 1e6) return `${(value / 1e6).toFixed(digits)} M`
  if (abs >= 1e3) return `${(value / 1e3).toFixed(digits)} k`
  return value.toFixed(digits)
}

/** 100000 → "100k". */
export function kilo(n: number): string {
  return n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n)
}

export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / (1024 * 1024)).toFixed(0)} MB` : 'n/a'
}

export function seconds(ms: number, digits = 1): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(digits)} s` : 'n/a'
}

/** "1.23 (1.20–1.31)" style spread. */
export function spread(s: Summary, format: (v: number) => string): string {
  return s.runs <= 1 ? `${format(s.min)} (1 run)` : `${format(s.min)}–${format(s.max)}`
}

export function elapsedMs(since: number): number {
  return performance.now() - since
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
