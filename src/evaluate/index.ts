// ④ evaluate: residual $filter, $orderby, $search and $select run in the
// bridge on closures compiled once per request.
export { compileFilter, type RowPredicate } from './compile-filter.js'
export { compileOrderBy, type RowComparator } from './compile-orderby.js'
export { compileSearch } from './compile-search.js'
export { projectSelect, type ProjectOptions } from './project-select.js'
export { compareValues } from './compare-values.js'
export type { CompileOptions, Row, Value } from './row.js'
