// What $metadata declares the bridge supports, from the parts that implement it.
import type { BridgeCapabilities } from '../model/capabilities.js'
import { FUNCTION_NAMES } from '../odata/index.js'

export const bridgeCapabilities: BridgeCapabilities = {
  filterFunctions: FUNCTION_NAMES,
  expand: true,
  apply: true,
  search: true,
  batch: false
}
