// Tokens of the OData common expression syntax (OData ABNF §4 "Expressions",
// §7 "Literal Data Values"), over an already percent-decoded option value.
// Positions are 1-based character indexes into that value. Linear time.
import { syntaxError } from './syntax-error.js'

export type TokenKind =
  | 'ident' // odataIdentifier, possibly dotted (qualified name, geo.distance)
  | 'dollar' // $it, $root, $this, $count
  | 'alias' // @name (parameter alias)
  | 'string' // 'text' with '' escapes, value decoded
  | 'typed' // prefix'body': duration'P1D', binary'…', Ns.Enum'Member'
  | 'number' // 1, 1.5, 1e5 (unsigned)
  | 'date' | 'datetime' | 'time' // shapes of date/time literals, validated by literals.ts
  | 'punct' // ( ) , : / - + [ ] { }
  | 'eof'

export interface Token {
  readonly kind: TokenKind
  /** Raw text (for string/typed: the decoded body; for typed the prefix is in `prefix`). */
  readonly text: string
  readonly prefix?: string
  /** 1-based start and end (exclusive) in the option value. */
  readonly start: number
  readonly end: number
  /** Whitespace (SP / HTAB, i.e. ABNF RWS/BWS after decoding) precedes the token. */
  readonly spaced: boolean
}

const IDENT_START = /[\p{L}\p{Nl}_]/u
const IDENT_PART = /[\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Pc}\p{Cf}]/u
// The shapes are deliberately broad; literals.ts gives precise messages.
const DATETIME = /\d{4,}-\d\d-\d\d[Tt][\d:.]*(?:[Zz]|[+-]\d\d:\d\d)?/y
const DATE = /\d{4,}-\d\d-\d\d/y
const TIME = /\d\d:\d\d(?::\d\d(?:\.\d+)?)?/y
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const PUNCT = new Set(['(', ')', ',', ':', '/', '-', '+', '[', ']', '{', '}'])
/** ABNF odataIdentifier: 1 leading + at most 127 further characters. */
const MAX_IDENT = 128

function sticky(re: RegExp, text: string, at: number): string | null {
  re.lastIndex = at
  const m = re.exec(text)
  return m === null ? null : m[0]
}

export function tokenize(text: string, option: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (true) {
    let spaced = false
    while (text[i] === ' ' || text[i] === '\t') {
      i++
      spaced = true
    }
    const start = i + 1
    if (i >= text.length) {
      tokens.push({ kind: 'eof', text: '', start, end: start, spaced })
      return tokens
    }
    const ch = text[i] as string
    const push = (kind: TokenKind, raw: string, extra?: { text?: string; prefix?: string }): void => {
      i += raw.length
      tokens.push({ kind, text: extra?.text ?? raw, ...(extra?.prefix === undefined ? {} : { prefix: extra.prefix }), start, end: i + 1, spaced })
    }
    if (ch === "'") {
      const [body, length] = readQuoted(text, i, option)
      push('string', text.slice(i, i + length), { text: body })
    } else if (ch >= '0' && ch <= '9') {
      const dt = sticky(DATETIME, text, i)
      const d = dt ?? sticky(DATE, text, i)
      const t = d ?? sticky(TIME, text, i)
      if (dt !== null) push('datetime', dt)
      else if (d !== null) push('date', d)
      else if (t !== null) push('time', t)
      else push('number', sticky(NUMBER, text, i) as string)
    } else if (IDENT_START.test(ch) || ((ch === '$' || ch === '@') && IDENT_START.test(text[i + 1] ?? ''))) {
      const name = readIdentifier(text, ch === '$' || ch === '@' ? i + 1 : i, option)
      const raw = ch === '$' || ch === '@' ? ch + name : name
      if (ch === '$') push('dollar', raw)
      else if (ch === '@') push('alias', raw)
      else if (text[i + raw.length] === "'") {
        const [body, length] = readQuoted(text, i + raw.length, option)
        push('typed', text.slice(i, i + raw.length + length), { text: body, prefix: raw })
      } else push('ident', raw)
    } else if (PUNCT.has(ch)) {
      push('punct', ch)
    } else if (ch === '"') {
      throw syntaxError(option, text, start, 'string literals take single quotes in OData (\'FINISHED\'), not double quotes')
    } else {
      throw syntaxError(option, text, start, `unexpected character '${ch}'`)
    }
  }
}

/** Reads a single-quoted string at `at`; returns [decoded body, raw length]. ABNF: SQUOTE-in-string = SQUOTE SQUOTE. */
function readQuoted(text: string, at: number, option: string): [string, number] {
  let body = ''
  let j = at + 1
  while (true) {
    const close = text.indexOf("'", j)
    if (close < 0) throw syntaxError(option, text, at + 1, 'unterminated string literal (a quote inside a string is written twice: \'\')')
    body += text.slice(j, close)
    if (text[close + 1] === "'") {
      body += "'"
      j = close + 2
    } else {
      return [body, close + 1 - at]
    }
  }
}

/** Reads an identifier (dotted segments allowed) starting at `at`. */
function readIdentifier(text: string, at: number, option: string): string {
  let j = at
  while (true) {
    const segment = j
    j++
    while (j < text.length && IDENT_PART.test(text[j] as string)) j++
    if (j - segment > MAX_IDENT) throw syntaxError(option, text, segment + 1, `identifier longer than ${MAX_IDENT} characters`)
    if (text[j] === '.' && IDENT_START.test(text[j + 1] ?? '')) {
      j++
      continue
    }
    return text.slice(at, j)
  }
}
