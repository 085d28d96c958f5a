// The EDM vocabulary the model uses: the primitive types of OData CSDL 4.0
// (OData CSDL XML 4.0 §4.4 "Primitive Types") that the feed's properties need.

export type EdmPrimitive =
  | 'Edm.String'
  | 'Edm.Boolean'
  | 'Edm.Int32'
  | 'Edm.Int64'
  | 'Edm.Double'
  | 'Edm.Decimal'
  | 'Edm.Date'
  | 'Edm.DateTimeOffset'
  | 'Edm.Duration'
  | 'Edm.TimeOfDay'

/** How a wire value becomes the property's value. */
export type WireFormat =
  /** As sent. */
  | 'plain'
  /** ISO-8601 date-time without a zone, which the upstream (running in UTC) means as UTC. */
  | 'utc-without-zone'

export interface PropertyDef {
  readonly name: string
  readonly type: EdmPrimitive
  readonly nullable: boolean
  /** Collection(type) when true; a collection is never null on the wire we emit. */
  readonly collection?: boolean
  /** Fractional-second digits a DateTimeOffset carries (CSDL Precision facet). */
  readonly precision?: number
  readonly wire?: WireFormat
  readonly description: string
}

export interface NavigationDef {
  readonly name: string
  /** Target entity set name. */
  readonly target: EntitySetName
  readonly collection: boolean
  /** How the relation is made: this property's value equals (or, for a collection property, contains) the target's property. */
  readonly via: { readonly from: string; readonly to: string }
  readonly description: string
}

export type EntitySetName = 'Tasks' | 'Automations' | 'Runners'
export type UpstreamRoute = 'tasks' | 'automation' | 'runners'

/** What the upstream route behind an entity set can do (the planner's only source of capability facts). */
export interface UpstreamCapabilities {
  readonly route: UpstreamRoute
  /** Paged routes answer Spring pages; an unpaged one answers every row at once. */
  readonly paged: boolean
  /** Name of the upstream "last N days" parameter. */
  readonly windowParam: 'days' | 'filterBy'
  /** Whether the window only selects rows (Tasks) or also defines aggregate figures (Automations, Runners). */
  readonly windowDefinesAggregates: boolean
  /** The order the upstream returns rows in when no sort is asked. */
  readonly nativeOrder: readonly { readonly property: string; readonly descending: boolean }[]
  /** Properties the upstream can sort by, with their upstream names (e.g. Runners.id sorts as `_id`). */
  readonly sort: Readonly<Record<string, string>>
  /** Upstream filter parameters: property → parameter. The bridge always re-applies its own filter. */
  readonly filterParams: Readonly<Record<string, string>>
}

export interface EntitySetDef {
  readonly name: EntitySetName
  /** Entity type name, unqualified. */
  readonly typeName: string
  readonly key: string
  readonly description: string
  readonly properties: readonly PropertyDef[]
  readonly navigation: readonly NavigationDef[]
  readonly upstream: UpstreamCapabilities
}
