// $select (OData 4.01 Part 2 §5.1.4; ABNF `select = '$select' EQ selectItem
// *( COMMA selectItem )`): property names resolved against the model, `*`
// for all, `Namespace.*` (all operations: there are none) ignored.
import { bridgeError } from '../errors.js'
import { property, type EntitySetDef } from '../model/index.js'
import { DEFAULT_LIMITS, type ParseLimits } from './limits.js'
import { unknownPropertyError } from './member-parser.js'
import { syntaxError } from './syntax-error.js'

const OPTION = '$select'

/** Returns the selected structural property names in request order, or null for all (`*`). */
export function parseSelect(set: EntitySetDef, text: string, limits: ParseLimits = DEFAULT_LIMITS): string[] | null {
  if (text.length > limits.maxOptionLength) {
    throw bridgeError('BRIDGE_ERR_LIMIT_EXCEEDED', `${OPTION} is ${text.length} characters long; the limit is ${limits.maxOptionLength}`, { target: OPTION })
  }
  const names: string[] = []
  let all = false
  let position = 1
  for (const raw of text.split(',')) {
    const item = raw.trim()
    const at = position + (raw.length - raw.trimStart().length)
    position += raw.length + 1
    if (item === '') throw syntaxError(OPTION, text, at, 'expected a property name or *')
    if (item === '*') {
      all = true
      continue
    }
    if (/^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Pc}\p{Cf}.]*\.\*$/u.test(item)) continue // allOperationsInSchema
    if (item.includes('(')) throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', `Nested options in ${OPTION} ('${item}') are not supported`, { target: OPTION })
    if (item.includes('/')) {
      throw bridgeError('BRIDGE_ERR_NOT_IMPLEMENTED', `Paths and type casts in ${OPTION} ('${item}') are not supported: the model has no complex or derived types`, { target: OPTION })
    }
    const def = property(set, item)
    if (def !== undefined) {
      if (!names.includes(def.name)) names.push(def.name)
      continue
    }
    // A navigation property selects its navigation link, which minimal metadata omits: nothing to add.
    if (set.navigation.some((n) => n.name === item)) continue
    throw unknownPropertyError(set.typeName, set.properties.map((d) => d.name), item, OPTION, `at position ${at}`)
  }
  return all ? null : names
}
