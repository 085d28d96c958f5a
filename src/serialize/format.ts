// The OData JSON format of one answer (OData JSON Format 4.01 §3.1, §3.2):
// its metadata level and whether numbers that JSON cannot carry exactly are
// written as strings. http/negotiate.ts works it out from $format and Accept.

export type MetadataLevel = 'minimal' | 'full' | 'none'

export interface JsonFormat {
  readonly metadata: MetadataLevel
  readonly ieee754: boolean
  readonly contentType: string
}

export function jsonFormat(metadata: MetadataLevel, ieee754: boolean): JsonFormat {
  return { metadata, ieee754, contentType: `application/json;odata.metadata=${metadata}${ieee754 ? ';IEEE754Compatible=true' : ''}` }
}
