// CSDL XML 4.0 for $metadata (OData CSDL XML 4.0; Capabilities and Core
// vocabularies), derived from the model so it cannot drift from what we serve.
import { CONTAINER, ENTITY_SETS, NAMESPACE, entitySetByName } from '../model/index.js'
import type { BridgeCapabilities } from '../odata/capabilities.js'
import type { EntitySetDef, NavigationDef, PropertyDef } from '../model/index.js'
import { el, renderXml, textEl } from './xml.js'
import type { XmlNode } from './xml.js'

const VOCABULARIES = [
  ['https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml', 'Org.OData.Core.V1', 'Core'],
  ['https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml', 'Org.OData.Capabilities.V1', 'Capabilities'],
  ['https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Aggregation.V1.xml', 'Org.OData.Aggregation.V1', 'Aggregation']
] as const

/** $apply as implemented (Aggregation vocabulary, ApplySupportedType): Power Query folds Group By only when declared. */
const applySupported = (): XmlNode => el('Annotation', { Term: 'Aggregation.ApplySupported' }, [el('Record', undefined, [
  el('PropertyValue', { Property: 'Transformations' }, [el('Collection', undefined, ['filter', 'groupby', 'aggregate'].map((t) => textEl('String', t)))]),
  el('PropertyValue', { Property: 'Rollup', EnumMember: 'Aggregation.RollupType/None' })
])])

const description = (text: string): XmlNode => el('Annotation', { Term: 'Core.Description', String: text })
const bool = (term: string, value: boolean): XmlNode => el('Annotation', { Term: term, Bool: value })
const record = (term: string, values: Record<string, boolean | readonly string[]>): XmlNode =>
  el('Annotation', { Term: term }, [el('Record', undefined, Object.entries(values).map(([prop, v]) =>
    typeof v === 'boolean'
      ? el('PropertyValue', { Property: prop, Bool: v })
      : el('PropertyValue', { Property: prop }, [el('Collection', undefined, v.map((p) => textEl('PropertyPath', p)))])
  ))])

function propertyElement(p: PropertyDef): XmlNode {
  return el('Property', {
    Name: p.name,
    Type: p.collection === true ? `Collection(${p.type})` : p.type,
    Nullable: p.nullable ? undefined : false,
    Precision: p.precision
  }, [description(p.description)])
}

/** A navigation property; one whose source property holds the target's key gets a ReferentialConstraint (CSDL 4.0 §8.5). */
function navigationElement(nav: NavigationDef): XmlNode {
  const target = entitySetByName(nav.target)
  const type = `${NAMESPACE}.${target.typeName}`
  const byKey = !nav.collection && nav.via.to === target.key
  return el('NavigationProperty', { Name: nav.name, Type: nav.collection ? `Collection(${type})` : type }, [
    ...(byKey ? [el('ReferentialConstraint', { Property: nav.via.from, ReferencedProperty: nav.via.to })] : []),
    description(nav.description)
  ])
}

function entityType(set: EntitySetDef, caps: BridgeCapabilities): XmlNode {
  return el('EntityType', { Name: set.typeName }, [
    el('Key', undefined, [el('PropertyRef', { Name: set.key })]),
    ...set.properties.map(propertyElement),
    ...(caps.expand ? set.navigation.map(navigationElement) : []),
    description(set.description)
  ])
}

function setAnnotations(set: EntitySetDef, caps: BridgeCapabilities): XmlNode {
  const collections = set.properties.filter((p) => p.collection === true).map((p) => p.name)
  return el('Annotations', { Target: `${NAMESPACE}.${CONTAINER}/${set.name}` }, [
    bool('Capabilities.TopSupported', true),
    bool('Capabilities.SkipSupported', true),
    bool('Capabilities.IndexableByKey', true),
    record('Capabilities.CountRestrictions', { Countable: true }),
    record('Capabilities.FilterRestrictions', { Filterable: true }),
    record('Capabilities.SortRestrictions', collections.length > 0 ? { Sortable: true, NonSortableProperties: collections } : { Sortable: true }),
    record('Capabilities.SearchRestrictions', { Searchable: caps.search }),
    record('Capabilities.ExpandRestrictions', { Expandable: caps.expand }),
    record('Capabilities.SelectSupport', { Supported: true }),
    record('Capabilities.InsertRestrictions', { Insertable: false }),
    record('Capabilities.UpdateRestrictions', { Updatable: false }),
    record('Capabilities.DeleteRestrictions', { Deletable: false }),
    ...(caps.apply ? [applySupported()] : [])
  ])
}

export function renderCsdl(caps: BridgeCapabilities): string {
  const container = el('EntityContainer', { Name: CONTAINER }, ENTITY_SETS.map((s) =>
    el('EntitySet', { Name: s.name, EntityType: `${NAMESPACE}.${s.typeName}` },
      caps.expand ? s.navigation.map((n) => el('NavigationPropertyBinding', { Path: n.name, Target: n.target })) : [])))
  const containerAnnotations = el('Annotations', { Target: `${NAMESPACE}.${CONTAINER}` }, [
    el('Annotation', { Term: 'Capabilities.FilterFunctions' }, [el('Collection', undefined, caps.filterFunctions.map((f) => textEl('String', f)))]),
    bool('Capabilities.BatchSupported', caps.batch),
    ...(caps.apply ? [applySupported()] : []),
    el('Annotation', { Term: 'Core.ODataVersions', String: '4.0' }),
    description('BotCity Insights: Tasks, Automations and Runners of a BotCity Orchestrator workspace.')
  ])
  const schema = el('Schema', { xmlns: 'http://docs.oasis-open.org/odata/ns/edm', Namespace: NAMESPACE }, [
    ...ENTITY_SETS.map((s) => entityType(s, caps)),
    container,
    containerAnnotations,
    ...ENTITY_SETS.map((s) => setAnnotations(s, caps))
  ])
  const edmx = el('edmx:Edmx', { Version: '4.0', 'xmlns:edmx': 'http://docs.oasis-open.org/odata/ns/edmx' }, [
    ...VOCABULARIES.map(([uri, ns, alias]) => el('edmx:Reference', { Uri: uri }, [el('edmx:Include', { Namespace: ns, Alias: alias })])),
    el('edmx:DataServices', undefined, [schema])
  ])
  return `<?xml version="1.0" encoding="utf-8"?>\n${renderXml(edmx)}\n`
}
