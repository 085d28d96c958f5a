// What the bridge supports, per the OData Capabilities vocabulary: the query
// language this folder parses and the bridge evaluates. $metadata declares
// exactly this; Power Query reads it to decide what to fold, so it must stay
// true (powerquery.md checklist item 14).
import { FUNCTION_NAMES } from './functions.js'

export interface BridgeCapabilities {
  readonly filterFunctions: readonly string[]
  readonly expand: boolean
  readonly apply: boolean
  readonly search: boolean
  readonly batch: boolean
}

export const bridgeCapabilities: BridgeCapabilities = {
  filterFunctions: FUNCTION_NAMES,
  expand: true,
  apply: true,
  search: true,
  batch: false
}
