// Sorts a large array without holding the event loop: runs of RUN rows are
// sorted one at a time, then merged pairwise, giving the loop a turn between
// runs and every few thousand rows merged (take-turns.ts). A local sort over
// the whole history (20,000 rows) held the loop for ~16 ms in one piece in
// the heavy mix of issue 16. The same order as Array.prototype.sort: stable.
import { takeTurn } from '../take-turns.js'

/** Rows sorted in one piece (~0.5 ms). */
const RUN = 1024

/** Rows merged between two looks at the clock. */
const MERGE_STRIDE = 4096

async function merge<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): Promise<T[]> {
  const out = new Array<T>(a.length + b.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.length && j < b.length) {
    // From `a` on a tie: the earlier run keeps its rows first (stable).
    out[k++] = compare(b[j] as T, a[i] as T) < 0 ? b[j++] as T : a[i++] as T
    if (k % MERGE_STRIDE === 0) await takeTurn()
  }
  while (i < a.length) out[k++] = a[i++] as T
  while (j < b.length) out[k++] = b[j++] as T
  return out
}

/** `rows` in `compare`'s order, as `rows.sort(compare)` would give (a new array when it is large). */
export async function sortInTurns<T>(rows: T[], compare: (x: T, y: T) => number): Promise<T[]> {
  if (rows.length <= RUN) return rows.sort(compare)
  let runs: T[][] = []
  for (let i = 0; i < rows.length; i += RUN) {
    runs.push(rows.slice(i, i + RUN).sort(compare))
    await takeTurn()
  }
  while (runs.length > 1) {
    const merged: T[][] = []
    for (let i = 0; i < runs.length; i += 2) {
      const a = runs[i] as T[]
      const b = runs[i + 1]
      merged.push(b === undefined ? a : await merge(a, b, compare))
    }
    runs = merged
  }
  return runs[0] as T[]
}
