// The service document (OData JSON Format 4.0 §5) and $metadata (CSDL XML 4.0).
import { ENTITY_SETS } from '../model/index.js'

export function serviceDocument(root: string): Record<string, unknown> {
  return {
    '@odata.context': `${root}$metadata`,
    value: ENTITY_SETS.map((s) => ({ name: s.name, kind: 'EntitySet', url: s.name }))
  }
}
