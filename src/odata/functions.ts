// The canonical functions the bridge evaluates, with their signatures
// (OData 4.01 Part 2 §5.1.1, "Canonical Functions" and the sections after it). Names are case-insensitive (4.01).
import { isCollection, isInteger, isNumeric, type ExprType } from './expr-type.js'

export type FunctionName =
  | 'contains' | 'startswith' | 'endswith' | 'length' | 'indexof' | 'substring'
  | 'tolower' | 'toupper' | 'trim' | 'concat'
  | 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'fractionalseconds'
  | 'date' | 'time' | 'totaloffsetminutes' | 'totalseconds'
  | 'now' | 'mindatetime' | 'maxdatetime'
  | 'round' | 'floor' | 'ceiling'

type Check = (args: readonly ExprType[]) => ExprType | null

const is = (t: ExprType, ...allowed: ExprType[]): boolean => t === 'null' || allowed.includes(t)
const str = (t: ExprType): boolean => is(t, 'Edm.String')
const int = (t: ExprType): boolean => t === 'null' || isInteger(t)
const num = (t: ExprType): boolean => t === 'null' || isNumeric(t)

const stringTest: Check = ([a, b]) => (a !== undefined && b !== undefined && str(a) && str(b) ? 'Edm.Boolean' : null)
const stringMap: Check = ([a]) => (a !== undefined && str(a) ? 'Edm.String' : null)
const dateComponent: Check = ([a]) => (a !== undefined && is(a, 'Edm.Date', 'Edm.DateTimeOffset') ? 'Edm.Int32' : null)
const timeComponent: Check = ([a]) => (a !== undefined && is(a, 'Edm.DateTimeOffset', 'Edm.TimeOfDay') ? 'Edm.Int32' : null)
const rounding: Check = ([a]) => (a !== undefined && num(a) ? (a === 'Edm.Double' ? 'Edm.Double' : 'Edm.Decimal') : null)
const constant = (t: ExprType): Check => () => t

interface Signature {
  readonly min: number
  readonly max: number
  /** Human-readable signature for error messages. */
  readonly text: string
  readonly check: Check
}

export const FUNCTIONS: Readonly<Record<FunctionName, Signature>> = {
  contains: { min: 2, max: 2, text: 'contains(Edm.String, Edm.String)', check: stringTest },
  startswith: { min: 2, max: 2, text: 'startswith(Edm.String, Edm.String)', check: stringTest },
  endswith: { min: 2, max: 2, text: 'endswith(Edm.String, Edm.String)', check: stringTest },
  length: {
    min: 1, max: 1, text: 'length(Edm.String) or length(collection)',
    check: ([a]) => (a !== undefined && (str(a) || isCollection(a)) ? 'Edm.Int32' : null)
  },
  indexof: { min: 2, max: 2, text: 'indexof(Edm.String, Edm.String)', check: ([a, b]) => (stringTest([a, b] as ExprType[]) === null ? null : 'Edm.Int32') },
  substring: {
    min: 2, max: 3, text: 'substring(Edm.String, Edm.Int32[, Edm.Int32])',
    check: ([s, n, m]) => (s !== undefined && n !== undefined && str(s) && int(n) && (m === undefined || int(m)) ? 'Edm.String' : null)
  },
  tolower: { min: 1, max: 1, text: 'tolower(Edm.String)', check: stringMap },
  toupper: { min: 1, max: 1, text: 'toupper(Edm.String)', check: stringMap },
  trim: { min: 1, max: 1, text: 'trim(Edm.String)', check: stringMap },
  concat: { min: 2, max: 2, text: 'concat(Edm.String, Edm.String)', check: ([a, b]) => (stringTest([a, b] as ExprType[]) === null ? null : 'Edm.String') },
  year: { min: 1, max: 1, text: 'year(Edm.Date or Edm.DateTimeOffset)', check: dateComponent },
  month: { min: 1, max: 1, text: 'month(Edm.Date or Edm.DateTimeOffset)', check: dateComponent },
  day: { min: 1, max: 1, text: 'day(Edm.Date or Edm.DateTimeOffset)', check: dateComponent },
  hour: { min: 1, max: 1, text: 'hour(Edm.DateTimeOffset or Edm.TimeOfDay)', check: timeComponent },
  minute: { min: 1, max: 1, text: 'minute(Edm.DateTimeOffset or Edm.TimeOfDay)', check: timeComponent },
  second: { min: 1, max: 1, text: 'second(Edm.DateTimeOffset or Edm.TimeOfDay)', check: timeComponent },
  fractionalseconds: {
    min: 1, max: 1, text: 'fractionalseconds(Edm.DateTimeOffset or Edm.TimeOfDay)',
    check: ([a]) => (a !== undefined && is(a, 'Edm.DateTimeOffset', 'Edm.TimeOfDay') ? 'Edm.Decimal' : null)
  },
  date: { min: 1, max: 1, text: 'date(Edm.DateTimeOffset)', check: ([a]) => (a !== undefined && is(a, 'Edm.DateTimeOffset') ? 'Edm.Date' : null) },
  time: { min: 1, max: 1, text: 'time(Edm.DateTimeOffset)', check: ([a]) => (a !== undefined && is(a, 'Edm.DateTimeOffset') ? 'Edm.TimeOfDay' : null) },
  totaloffsetminutes: { min: 1, max: 1, text: 'totaloffsetminutes(Edm.DateTimeOffset)', check: ([a]) => (a !== undefined && is(a, 'Edm.DateTimeOffset') ? 'Edm.Int32' : null) },
  totalseconds: { min: 1, max: 1, text: 'totalseconds(Edm.Duration)', check: ([a]) => (a !== undefined && is(a, 'Edm.Duration') ? 'Edm.Decimal' : null) },
  now: { min: 0, max: 0, text: 'now()', check: constant('Edm.DateTimeOffset') },
  mindatetime: { min: 0, max: 0, text: 'mindatetime()', check: constant('Edm.DateTimeOffset') },
  maxdatetime: { min: 0, max: 0, text: 'maxdatetime()', check: constant('Edm.DateTimeOffset') },
  round: { min: 1, max: 1, text: 'round(number)', check: rounding },
  floor: { min: 1, max: 1, text: 'floor(number)', check: rounding },
  ceiling: { min: 1, max: 1, text: 'ceiling(number)', check: rounding }
}

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[]

/** Canonical functions of OData that the bridge recognises but does not evaluate (→ 501). */
export const UNSUPPORTED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['matchespattern', 'regular expressions have unbounded run time in the bridge; use contains, startswith or endswith'],
  ['hassubset', 'collection functions other than length are not supported'],
  ['hassubsequence', 'collection functions other than length are not supported'],
  ['cast', 'type casts are not supported'],
  ['isof', 'type tests are not supported'],
  ['case', 'conditional expressions are not supported'],
  ['geo.distance', 'the model has no geographic properties'],
  ['geo.length', 'the model has no geographic properties'],
  ['geo.intersects', 'the model has no geographic properties']
])

export function lookupFunction(name: string): FunctionName | undefined {
  const lower = name.toLowerCase()
  return Object.hasOwn(FUNCTIONS, lower) ? (lower as FunctionName) : undefined
}
