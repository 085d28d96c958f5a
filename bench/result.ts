// One row of the results table.

export interface ResultRow {
  /** Measurement number from issue 5 (1–6; 7: streaming), with a letter for its second figure. */
  readonly id: string
  readonly what: string
  /** The median, formatted. */
  readonly value: string
  /** min–max over the runs, formatted. */
  readonly spread: string
  readonly runs: number
  /** e.g. "≤ 1.10"; '' when the figure has no target. */
  readonly target: string
  /** null when there is no target or it could not be measured. */
  readonly met: boolean | null
  /** What the figure is made of (absolute times, calls …). */
  readonly detail: string
  /** Why a target is not met, from what the run saw. */
  readonly why?: string
}
