// The total order used by $orderby (OData 4.01 Part 1, "System Query Option
// $orderby", which Part 2 §5.1.5 defers to): null before every value; false before true;
// strings ordinally (UTF-16 code units); numbers and instants numerically.
// NaN, which only computed Double keys can produce, sorts before all numbers.
import type { Value } from './row.js'

export function compareValues(x: Value, y: Value): number {
  if (x === y) return 0
  if (x === null) return -1
  if (y === null) return 1
  if ((x as number) < (y as number)) return -1
  if ((x as number) > (y as number)) return 1
  const xn = Number.isNaN(x)
  const yn = Number.isNaN(y)
  return xn === yn ? 0 : xn ? -1 : 1
}
