// Strict percent-decoding of one query option name or value (RFC 3986 §2.1,
// OData 4.01 Part 2 §2.1 "URL Parsing": decode exactly once, after splitting
// at `&` and `=`). Unlike application/x-www-form-urlencoded, `+` stays `+`:
// OData literals such as `2024-01-01T00:00:00+01:00` depend on it.

const UTF8 = new TextDecoder('utf-8', { fatal: true })

export type DecodeResult =
  | { readonly ok: true; readonly value: string }
  /** `position` is the 1-based index in the raw text of the first bad escape. */
  | { readonly ok: false; readonly position: number; readonly reason: string }

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  const lower = code | 0x20
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10
  return -1
}

/** Decodes `%XX` escapes as UTF-8; a malformed escape or invalid UTF-8 (overlong, surrogate, truncated) fails. */
export function percentDecode(raw: string): DecodeResult {
  if (!raw.includes('%')) return { ok: true, value: raw }
  let out = ''
  let i = 0
  while (i < raw.length) {
    const ch = raw.charCodeAt(i)
    if (ch !== 0x25) {
      out += raw[i]
      i++
      continue
    }
    // A run of consecutive escapes is one UTF-8 byte sequence (or several).
    const start = i
    const bytes: number[] = []
    while (i < raw.length && raw.charCodeAt(i) === 0x25) {
      const hi = hexValue(raw.charCodeAt(i + 1))
      const lo = hexValue(raw.charCodeAt(i + 2))
      if (hi < 0 || lo < 0) return { ok: false, position: i + 1, reason: `'%' must be followed by two hexadecimal digits` }
      bytes.push(hi * 16 + lo)
      i += 3
    }
    try {
      out += UTF8.decode(Uint8Array.from(bytes))
    } catch {
      return { ok: false, position: start + 1, reason: 'the percent-escapes are not valid UTF-8' }
    }
  }
  return { ok: true, value: out }
}
