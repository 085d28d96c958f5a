// CSDL JSON (OData CSDL JSON 4.01) for $metadata, converted from our CSDL XML
// by the OASIS TC's own converter (odata-csdl), so the two forms cannot say
// different things. Pretty-printed: it is served as the file metadata/ holds.
import { createRequire } from 'node:module'

interface Converter {
  xml2json(xml: string, options: { strict: boolean; messages: unknown[] }): unknown
}

const require = createRequire(import.meta.url)
const { xml2json } = require('odata-csdl') as Converter

export function renderCsdlJson(csdlXml: string): string {
  const messages: unknown[] = []
  const json = xml2json(csdlXml, { strict: true, messages })
  if (messages.length > 0) throw new Error(`the CSDL XML does not convert cleanly to CSDL JSON: ${JSON.stringify(messages).slice(0, 500)}`)
  return `${JSON.stringify(json, null, 2)}\n`
}
