// Response format negotiation for JSON payloads: $format wins over Accept
// (OData 4.01 Part 2 §5.1.8), Accept is read with q-values (RFC 9110 §12.5.1),
// and the odata.metadata and IEEE754Compatible parameters are honoured
// (OData JSON Format 4.01 §3.1, §3.2).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { bridgeError } from '../errors.js'
import { jsonFormat } from '../serialize/format.js'
import type { JsonFormat, MetadataLevel } from '../serialize/format.js'
import type { FormatChoice } from '../odata/ast.js'

interface MediaRange { type: string; params: Map<string, string>; q: number }

function parseMediaRanges(header: string): MediaRange[] {
  return header.split(',').map((part) => {
    const [type = '', ...rawParams] = part.split(';').map((s) => s.trim())
    const params = new Map<string, string>()
    for (const p of rawParams) {
      const eq = p.indexOf('=')
      if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"|"$/g, '').toLowerCase())
    }
    const q = params.has('q') ? Number(params.get('q')) : 1
    return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0 }
  }).filter((r) => r.type !== '' && r.q > 0)
}

const JSON_RANGES = new Set(['application/json', 'application/*', '*/*'])

function levelOf(params: Map<string, string>): MetadataLevel {
  const odata = params.get('odata.metadata') ?? params.get('metadata')
  if (odata === 'full' || odata === 'none' || odata === 'minimal') return odata
  if (odata !== undefined) {
    throw bridgeError('BRIDGE_ERR_NOT_ACCEPTABLE', `odata.metadata=${odata} is not a metadata level: use minimal, full or none.`, { target: 'Accept' })
  }
  // OData v3 spellings Power Query also lists (odata=minimalmetadata …).
  const v3 = params.get('odata')
  return v3 === 'fullmetadata' ? 'full' : v3 === 'nometadata' ? 'none' : 'minimal'
}

/** `format` is $format as the query parser read it (always JSON), which wins over Accept. */
export function negotiateJson(request: FastifyRequest, format: FormatChoice | null): JsonFormat {
  if (format !== null) return jsonFormat(format.metadata ?? 'minimal', format.ieee754Compatible === true)
  const source = request.headers.accept ?? '*/*'
  const best = parseMediaRanges(source).filter((r) => JSON_RANGES.has(r.type)).sort((a, b) => b.q - a.q)[0]
  if (best === undefined) {
    throw bridgeError('BRIDGE_ERR_NOT_ACCEPTABLE', `The feed answers application/json (OData JSON); the request accepts only '${source.slice(0, 120)}'.`, { target: 'Accept' })
  }
  return jsonFormat(levelOf(best.params), best.params.get('ieee754compatible') === 'true')
}

const TEXT_RANGES = new Set(['text/plain', 'text/*', '*/*'])
export const TEXT_PLAIN = 'text/plain; charset=utf-8'

/**
 * For the text/plain resources: the number of items (/$count, OData 4.01 Part 1
 * §11.2.10) and a raw value (/$value, §11.2.4.1). Served when Accept names
 * text/plain or a wildcard covering it, or is absent; else 406.
 */
export function negotiateText(request: FastifyRequest, format: FormatChoice | null): void {
  if (format !== null) {
    throw bridgeError('BRIDGE_ERR_NOT_ACCEPTABLE', 'This resource is text/plain; $format=json does not apply to it (leave $format out).', { target: '$format' })
  }
  const accept = request.headers.accept
  if (accept === undefined || accept.trim() === '') return
  if (parseMediaRanges(accept).some((r) => TEXT_RANGES.has(r.type))) return
  throw bridgeError('BRIDGE_ERR_NOT_ACCEPTABLE', `This resource is text/plain; the request accepts only '${accept.slice(0, 120)}'. Accept text/plain, text/* or */*.`, { target: 'Accept' })
}

const XML_RANGES = new Set(['application/xml', 'text/xml', 'application/*', '*/*'])

/**
 * $metadata is CSDL XML (what Power Query and Excel ask for, with Accept:
 * application/xml) unless the client asks for JSON alone — Accept listing
 * application/json and no XML type, or $format=json — then CSDL JSON.
 */
export function negotiateMetadata(request: FastifyRequest, format: string | undefined): 'xml' | 'json' {
  if (format !== undefined) {
    const f = format.toLowerCase()
    if (f === 'json' || f.startsWith('application/json')) return 'json'
    if (f === 'xml' || f.startsWith('application/xml')) return 'xml'
    throw bridgeError('BRIDGE_ERR_NOT_ACCEPTABLE', `$metadata is CSDL XML ($format=xml) or CSDL JSON ($format=json), not '${format.slice(0, 60)}'.`, { target: '$format' })
  }
  const accept = request.headers.accept
  if (accept === undefined || accept.trim() === '') return 'xml'
  const ranges = parseMediaRanges(accept)
  const namesXml = ranges.some((r) => r.type === 'application/xml' || r.type === 'text/xml')
  if (!namesXml && ranges.some((r) => r.type === 'application/json')) return 'json'
  if (ranges.some((r) => XML_RANGES.has(r.type))) return 'xml'
  throw bridgeError('BRIDGE_ERR_NOT_ACCEPTABLE', `$metadata is CSDL XML (application/xml) or CSDL JSON (application/json); the request accepts only '${accept.slice(0, 120)}'.`, { target: 'Accept' })
}

/**
 * Sends an OData JSON body with exactly our Content-Type: Fastify rewrites JSON
 * content types given with a string payload (quoting parameters, adding
 * charset), which OData clients then parse differently; a Buffer is sent as is.
 */
export function sendJson(reply: FastifyReply, format: JsonFormat, body: string | object): FastifyReply {
  return reply.header('content-type', format.contentType).send(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)))
}
