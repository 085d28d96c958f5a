// What the bridge supports, per the OData Capabilities vocabulary. $metadata
// declares exactly this; Power Query reads it to decide what to fold, so it
// must stay true (powerquery.md checklist item 14).

export interface BridgeCapabilities {
  readonly filterFunctions: readonly string[]
  readonly expand: boolean
  readonly apply: boolean
  readonly search: boolean
  readonly batch: boolean
}
