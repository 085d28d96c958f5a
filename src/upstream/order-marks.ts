// What the bridge has seen of the Tasks order, kept per credential to estimate
// what a read will cost before making it (src/plan/estimate.ts): for a row
// seen, its creation date and how many rows the upstream listed after it.
// New tasks arrive at the head of the order, so that number never changes
// while a task stays in the window (ten years): one load's reads tell the next
// where any date falls. Pages give their first and last rows as marks.
import type { SpringPage, WireTask } from './wire.js'
import { parseInstant } from './wire-instant.js'

/** A row of the Tasks order: created at `date`; `older` rows listed after it (created at or before `date`). */
export interface OrderMark {
  readonly date: number
  readonly older: number
}

/** Marks kept per credential (~40 KB): a full read of 500 pages gives two per page; past that, they are thinned evenly. */
const MAX_MARKS = 1024

export class OrderMarks {
  /** By date, then by `older`: ascending in both. */
  private marks: OrderMark[] = []

  /** The marks a page of the Tasks order gives (its first and last rows); `oldestFirst`: a page of an upstream listing oldest first. */
  notePage(page: SpringPage<WireTask>, oldestFirst = false): void {
    const { content, totalElements: n } = page
    if (content.length === 0 || page.size <= 0) return
    const start = page.number * page.size
    for (const i of content.length > 1 ? [0, content.length - 1] : [0]) {
      const date = parseInstant((content[i] as WireTask).dateCreation)
      const older = oldestFirst ? start + i : n - (start + i) - 1
      if (Number.isFinite(date) && older >= 0) this.note({ date, older })
    }
  }

  note(mark: OrderMark): void {
    const at = this.indexOf(mark)
    const same = this.marks[at]
    if (same !== undefined && same.date === mark.date && same.older === mark.older) return
    this.marks.splice(at, 0, mark)
    if (this.marks.length > MAX_MARKS) this.thin()
  }

  /** Drops the interior mark whose neighbours are closest: the marks stay evenly spread over the order, its ends kept. */
  private thin(): void {
    let best = 1
    let span = Infinity
    for (let i = 1; i < this.marks.length - 1; i++) {
      const s = (this.marks[i + 1] as OrderMark).older - (this.marks[i - 1] as OrderMark).older
      if (s < span) {
        span = s
        best = i
      }
    }
    this.marks.splice(best, 1)
  }

  /** A copy: a plan keeps what it was made from while reads add marks. */
  list(): readonly OrderMark[] {
    return [...this.marks]
  }

  private indexOf(mark: OrderMark): number {
    let lo = 0
    let hi = this.marks.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const m = this.marks[mid] as OrderMark
      if (m.date < mark.date || (m.date === mark.date && m.older < mark.older)) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
