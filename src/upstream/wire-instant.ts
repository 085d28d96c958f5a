// The instants of the Insights API ("2024-02-09T20:02:40.032+00:00"), read
// without Date.parse when they have the shape it writes: every row read is
// converted again, from the cache too, and Date.parse was the bridge's largest
// cost after the collector in the heavy mix of issue 16. Text of any other
// shape, or with fields out of their usual range, goes to Date.parse, so the
// result is always Date.parse's (test/upstream/wire-instant.test.ts compares).

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** The digits of `text` from `at`, `n` of them, as a number; -1 if one is not a digit. */
function digits(text: string, at: number, n: number): number {
  let v = 0
  for (let i = at; i < at + n; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y
  const era = Math.floor(yy / 400)
  const yoe = yy - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** YYYY-MM-DDTHH:MM:SS[.mmm](Z|±HH:MM) in milliseconds since the epoch, or NaN when `text` has another shape. */
function fastInstant(text: string): number {
  const n = text.length
  if (n < 20 || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') return NaN
  const y = digits(text, 0, 4)
  const mo = digits(text, 5, 2)
  const d = digits(text, 8, 2)
  const h = digits(text, 11, 2)
  const mi = digits(text, 14, 2)
  const s = digits(text, 17, 2)
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return NaN
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1] as number)) return NaN
  let at = 19
  let ms = 0
  if (text[at] === '.') {
    ms = digits(text, at + 1, 3)
    if (ms < 0) return NaN
    at += 4
  }
  let offset = 0
  if (!(text[at] === 'Z' && at + 1 === n)) {
    if (!((text[at] === '+' || text[at] === '-') && at + 6 === n && text[at + 3] === ':')) return NaN
    const oh = digits(text, at + 1, 2)
    const om = digits(text, at + 4, 2)
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN
    offset = (text[at] === '+' ? 1 : -1) * (oh * 60 + om) * 60_000
  }
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms - offset
}

/** Milliseconds since the epoch of an instant the upstream wrote, as Date.parse reads it (NaN when it is not one). */
export function parseInstant(text: string): number {
  const ms = fastInstant(text)
  return Number.isNaN(ms) ? Date.parse(text) : ms
}
