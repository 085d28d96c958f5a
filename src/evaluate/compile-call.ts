// Canonical functions (OData 4.01 Part 2 §5.1.1, "Canonical Functions" ff.). A null argument
// gives null. Date/time parts are taken in UTC: values are instants, and the
// parser refuses zone-sensitive functions on literals in another offset.
import { bridgeError } from '../errors.js'
import { civilFromMs, MS_PER_DAY } from '../odata/civil-date.js'
import { lookupFunction, type FunctionName } from '../odata/functions.js'
import type { Expr } from '../odata/index.js'
import type { Compiled, CompiledExpr, Value } from './row.js'

const MIN_DATETIME = -62_135_596_800_000 // 0001-01-01T00:00:00Z
const MAX_DATETIME = 253_402_300_799_999 // 9999-12-31T23:59:59.999Z

const mod = (x: number, m: number): number => ((x % m) + m) % m

type Unary = (a: never) => Value
type Binary = (a: never, b: never) => Value

function unary(arg: Compiled, f: Unary): Compiled {
  return (row, scope) => {
    const a = arg(row, scope)
    return a === null ? null : f(a as never)
  }
}

function binary(x: Compiled, y: Compiled, f: Binary): Compiled {
  return (row, scope) => {
    const a = x(row, scope)
    if (a === null) return null
    const b = y(row, scope)
    return b === null ? null : f(a as never, b as never)
  }
}

// Part 2 §5.1.1, "Arithmetic Functions" › round: the mid-point rounds away from zero.
const round = (x: number): number => (x < 0 ? -Math.round(-x) : Math.round(x))

const UNARY: Partial<Record<FunctionName, Unary>> = {
  length: (s: string | readonly Value[]) => s.length,
  tolower: (s: string) => s.toLowerCase(),
  toupper: (s: string) => s.toUpperCase(),
  trim: (s: string) => s.trim(),
  year: (ms: number) => civilFromMs(ms)[0],
  month: (ms: number) => civilFromMs(ms)[1],
  day: (ms: number) => civilFromMs(ms)[2],
  hour: (ms: number) => Math.floor(mod(ms, MS_PER_DAY) / 3_600_000),
  minute: (ms: number) => Math.floor(mod(ms, 3_600_000) / 60_000),
  second: (ms: number) => Math.floor(mod(ms, 60_000) / 1000),
  fractionalseconds: (ms: number) => mod(ms, 1000) / 1000,
  date: (ms: number) => Math.floor(ms / MS_PER_DAY) * MS_PER_DAY,
  time: (ms: number) => mod(ms, MS_PER_DAY),
  totalseconds: (ms: number) => ms / 1000,
  round,
  floor: Math.floor,
  ceiling: Math.ceil
}

const BINARY: Partial<Record<FunctionName, Binary>> = {
  contains: (s: string, t: string) => s.includes(t),
  startswith: (s: string, t: string) => s.startsWith(t),
  endswith: (s: string, t: string) => s.endsWith(t),
  indexof: (s: string, t: string) => s.indexOf(t),
  concat: (s: string, t: string) => s + t
}

/** substring(s, n[, m]): n is zero-based, a negative n counts from the end; a negative m is a bad request. */
function substring(args: readonly Compiled[], target: string): Compiled {
  const [s, n, m] = args as [Compiled, Compiled, Compiled | undefined]
  return (row, scope) => {
    const text = s(row, scope)
    const start = n(row, scope)
    const length = m === undefined ? undefined : m(row, scope)
    if (text === null || start === null || length === null) return null
    const str = text as string
    const from = (start as number) < 0 ? Math.max(0, str.length + (start as number)) : (start as number)
    if (length === undefined) return str.slice(from)
    if ((length as number) < 0) throw bridgeError('BRIDGE_ERR_INVALID_OPTION_VALUE', `substring() in ${target} was given a negative length`, { target })
    return str.slice(from, from + (length as number))
  }
}

/** Compiles a call node whose arguments are already compiled. */
export function compileCall(expr: Extract<Expr, { kind: 'call' }>, args: readonly CompiledExpr[], now: number, target: string): CompiledExpr {
  const name = lookupFunction(expr.name)
  if (name === undefined) throw bridgeError('BRIDGE_ERR_INTERNAL', `${expr.name}() in ${target} is not a function the bridge evaluates`, { target })
  const type = expr.edmType
  const fns = args.map((a) => a.fn)
  const [a0, a1] = fns
  const constant = (value: Value): CompiledExpr => ({ fn: () => value, type, constant: value })
  switch (name) {
    case 'now': return constant(now)
    case 'mindatetime': return constant(MIN_DATETIME)
    case 'maxdatetime': return constant(MAX_DATETIME)
    case 'substring': return { fn: substring(fns, target), type }
    case 'totaloffsetminutes': {
      // Values are UTC instants; only a literal keeps the offset it was written with.
      const lit = expr.args[0]
      const offset = lit?.kind === 'literal' && lit.type === 'datetimeoffset' ? lit.offsetMinutes : 0
      return { fn: unary(a0 as Compiled, () => offset), type }
    }
    default: {
      const u = UNARY[name]
      if (u !== undefined) return { fn: unary(a0 as Compiled, u), type }
      const b = BINARY[name] as Binary
      return { fn: binary(a0 as Compiled, a1 as Compiled, b), type }
    }
  }
}
