// ① parse: the public surface of src/odata. The rest of the bridge sees only
// the typed tree of ast.ts and these functions.
export type * from './ast.js'
export { decodedOrNull, parseQueryString, splitQuery, type ParsedQueryString, type QueryPair } from './query-string.js'
export { parseQueryOptions, DAYS_OPTION } from './query-options.js'
export { parseFilter, parseOrderBy } from './parse-expression.js'
export { parseSelect } from './select-parser.js'
export { parseSearch } from './search-parser.js'
export { DEFAULT_LIMITS, type ParseLimits } from './limits.js'
export { SUPPORTED_OPTIONS, NOT_IMPLEMENTED_OPTIONS, type SupportedOption } from './system-options.js'
export { FUNCTION_NAMES, type FunctionName } from './functions.js'
export { arithType, comparable, elementType, isCollection, isInteger, isNumeric, literalType, negateType, propertyType, type ExprType } from './expr-type.js'
export { allOf, equals, includes, keyEquals, literal, oneOf, propertyRef } from './build.js'
