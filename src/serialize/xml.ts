// Minimal XML building for the CSDL document: escaped attributes, nested elements.

export interface XmlNode {
  readonly name: string
  readonly attrs?: Readonly<Record<string, string | number | boolean | undefined>>
  readonly children?: readonly XmlNode[]
  readonly text?: string
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string)

export function el(name: string, attrs?: XmlNode['attrs'], children?: readonly XmlNode[]): XmlNode {
  return { name, ...(attrs === undefined ? {} : { attrs }), ...(children === undefined ? {} : { children }) }
}

/** An element holding only text, e.g. <String>contains</String>. */
export function textEl(name: string, text: string): XmlNode {
  return { name, text }
}

export function renderXml(node: XmlNode, indent = ''): string {
  const attrs = Object.entries(node.attrs ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('')
  if (node.text !== undefined) return `${indent}<${node.name}${attrs}>${escapeXml(node.text)}</${node.name}>`
  const children = node.children ?? []
  if (children.length === 0) return `${indent}<${node.name}${attrs}/>`
  const inner = children.map((c) => renderXml(c, indent + '  ')).join('\n')
  return `${indent}<${node.name}${attrs}>\n${inner}\n${indent}</${node.name}>`
}
