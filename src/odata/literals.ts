// Decoding and validation of primitive literals (OData ABNF
// `primitiveLiteral`): values are checked, never rolled over, so 2024-02-30,
// 25:00 and month 13 are errors rather than other instants.
import type { LiteralValue } from './ast.js'
import { daysFromCivil, daysInMonth, MS_PER_DAY } from './civil-date.js'

export type LiteralResult = LiteralValue | { readonly error: string }

const fail = (error: string): { readonly error: string } => ({ error })

/** ABNF decimalValue / doubleValue / int64Value; `negative` when a `-` sign was written. */
export function decodeNumber(raw: string, negative: boolean): LiteralResult {
  const n = Number(raw)
  const value = negative ? -n : n
  if (/[eE]/.test(raw)) {
    return Number.isFinite(value) ? { kind: 'literal', type: 'double', value } : fail(`${negative ? '-' : ''}${raw} is outside the range of Edm.Double`)
  }
  if (raw.includes('.')) {
    return Number.isFinite(value) ? { kind: 'literal', type: 'decimal', value } : fail(`${negative ? '-' : ''}${raw} is outside the range of Edm.Decimal`)
  }
  if (!Number.isSafeInteger(value)) {
    return fail(`integer ${negative ? '-' : ''}${raw} is outside the range the bridge compares exactly (±${Number.MAX_SAFE_INTEGER})`)
  }
  return { kind: 'literal', type: 'int', value: value === 0 ? 0 : value }
}

interface Civil { y: number; m: number; d: number }

// ABNF dateValue = year "-" month "-" day (4-digit years 0001–9999 here).
function civil(text: string): Civil | { readonly error: string } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (match === null) return fail(`'${text}' is not a date; expected YYYY-MM-DD`)
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (y < 1) return fail(`year ${match[1]} is out of range 0001–9999`)
  if (m < 1 || m > 12) return fail(`month ${match[2]} is out of range 01–12 in '${text}'`)
  const max = daysInMonth(y, m)
  if (d < 1 || d > max) return fail(`day ${match[3]} does not exist in ${match[1]}-${match[2]} (it has ${max} days)`)
  return { y, m, d }
}

interface Clock { ms: number; nanos: number }

// ABNF timeOfDayValue = hour ":" minute [ ":" second [ "." fractionalSeconds ] ]
function clock(text: string): Clock | { readonly error: string } {
  const match = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?$/.exec(text)
  if (match === null) return fail(`'${text}' is not a time of day; expected hh:mm[:ss[.fffffff]]`)
  const [h, mi, s] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)]
  if (h > 23) return fail(`hour ${match[1]} is out of range 00–23`)
  if (mi > 59) return fail(`minute ${match[2]} is out of range 00–59`)
  if (s > 59) return fail(`second ${match[3] ?? ''} is out of range 00–59`)
  const frac = (match[4] ?? '').padEnd(12, '0')
  const ms = Number(frac.slice(0, 3))
  const nanos = Number(frac.slice(3, 9))
  return { ms: ((h * 60 + mi) * 60 + s) * 1000 + ms, nanos }
}

export function decodeDate(text: string): LiteralResult {
  const c = civil(text)
  if ('error' in c) return c
  return { kind: 'literal', type: 'date', value: daysFromCivil(c.y, c.m, c.d) * MS_PER_DAY, text }
}

export function decodeTimeOfDay(text: string): LiteralResult {
  const c = clock(text)
  if ('error' in c) return c
  return { kind: 'literal', type: 'timeofday', value: c.ms, text, nanos: c.nanos }
}

// ABNF dateTimeOffsetValue = year "-" month "-" day "T" timeOfDayValue ( "Z" / SIGN hour ":" minute )
export function decodeDateTimeOffset(text: string): LiteralResult {
  const match = /^([^Tt]*)[Tt]([\d:.]*)(.*)$/.exec(text)
  if (match === null) return fail(`'${text}' is not a DateTimeOffset`)
  const [, datePart = '', timePart = '', zone = ''] = match
  const c = civil(datePart)
  if ('error' in c) return c
  const t = clock(timePart)
  if ('error' in t) return t
  let offsetMinutes = 0
  if (zone === '') {
    return fail(`'${text}' has no time zone; a DateTimeOffset ends in Z or ±hh:mm (a '+' must be sent as %2B)`)
  } else if (zone !== 'Z' && zone !== 'z') {
    const z = /^([+-])(\d{2}):(\d{2})$/.exec(zone)
    if (z === null) return fail(`time zone '${zone}' in '${text}' is not Z or ±hh:mm`)
    const [zh, zm] = [Number(z[2]), Number(z[3])]
    if (zh > 23 || zm > 59) return fail(`time zone offset '${zone}' is out of range`)
    offsetMinutes = (z[1] === '-' ? -1 : 1) * (zh * 60 + zm)
  }
  const value = daysFromCivil(c.y, c.m, c.d) * MS_PER_DAY + t.ms - offsetMinutes * 60_000
  return { kind: 'literal', type: 'datetimeoffset', value, offsetMinutes, text, nanos: t.nanos }
}

// ABNF durationValue = [ SIGN ] "P" [ 1*DIGIT "D" ] [ "T" [ 1*DIGIT "H" ] [ 1*DIGIT "M" ] [ 1*DIGIT [ "." 1*DIGIT ] "S" ] ]
export function decodeDuration(body: string): LiteralResult {
  const match = /^([+-])?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(body)
  const hasPart = match !== null && (match[2] ?? match[3] ?? match[4] ?? match[5]) !== undefined
  const dangling = /T$/i.test(body)
  if (match === null || !hasPart || dangling) {
    const hint = /^[+-]?P[^T]*[YM]/i.test(body) ? ' (years and months are not allowed in Edm.Duration)' : ''
    return fail(`'${body}' is not a duration; expected e.g. P1DT2H30M15.5S${hint}`)
  }
  const [d, h, mi, s] = [Number(match[2] ?? 0), Number(match[3] ?? 0), Number(match[4] ?? 0), Number(match[5] ?? 0)]
  const ms = (((d * 24 + h) * 60 + mi) * 60 + s) * 1000
  if (!Number.isFinite(ms) || Math.abs(ms) > Number.MAX_SAFE_INTEGER) return fail(`duration '${body}' is too large`)
  const value = match[1] === '-' ? -ms : ms
  return { kind: 'literal', type: 'duration', value: value === 0 ? 0 : value, text: body }
}
