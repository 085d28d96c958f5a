// $search (OData 4.01 Part 2 §5.1.8 "Search Expressions", ABNF searchExpr):
// words, "quoted phrases", groups in parentheses and the case-sensitive
// keywords NOT, AND, OR, evaluated in that order; two terms separated only by
// whitespace mean AND. A value written as a single-quoted string literal
// (the type-ahead form) is one phrase.
import { bridgeError } from '../errors.js'
import type { SearchExpr } from './ast.js'
import { DEFAULT_LIMITS, type ParseLimits } from './limits.js'
import { syntaxError } from './syntax-error.js'

const OPTION = '$search'

interface SearchToken {
  readonly kind: 'word' | 'phrase' | '(' | ')' | 'AND' | 'OR' | 'NOT' | 'eof'
  readonly text: string
  readonly start: number
}

function tokenize(text: string): SearchToken[] {
  const tokens: SearchToken[] = []
  let i = 0
  while (true) {
    while (text[i] === ' ' || text[i] === '\t') i++
    const start = i + 1
    const ch = text[i]
    if (ch === undefined) {
      tokens.push({ kind: 'eof', text: '', start })
      return tokens
    }
    if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch, text: ch, start })
      i++
    } else if (ch === '"') {
      let body = ''
      i++
      while (text[i] !== '"') {
        if (i >= text.length) throw syntaxError(OPTION, text, start, 'unterminated phrase (a phrase ends with ")')
        if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) i++
        body += text[i]
        i++
      }
      i++
      if (body.trim() === '') throw syntaxError(OPTION, text, start, 'empty phrase')
      tokens.push({ kind: 'phrase', text: body, start })
    } else {
      let j = i
      while (j < text.length && !' \t()"'.includes(text[j] as string)) j++
      const word = text.slice(i, j)
      const kind = word === 'AND' || word === 'OR' || word === 'NOT' ? word : 'word'
      tokens.push({ kind, text: word, start })
      i = j
    }
  }
}

class SearchParser {
  private index = 0
  private depth = 0
  private nodes = 0
  private readonly tokens: SearchToken[]

  constructor(private readonly text: string, private readonly limits: ParseLimits) {
    this.tokens = tokenize(text)
  }

  parse(): SearchExpr {
    const expr = this.or()
    const token = this.peek()
    if (token.kind !== 'eof') throw syntaxError(OPTION, this.text, token.start, token.kind === ')' ? "unbalanced ')'" : `unexpected '${token.text}'`)
    return expr
  }

  private peek(): SearchToken {
    return this.tokens[this.index] ?? (this.tokens[this.tokens.length - 1] as SearchToken)
  }

  private node(expr: SearchExpr, at: number): SearchExpr {
    if (++this.nodes > this.limits.maxNodes) {
      throw bridgeError('BRIDGE_ERR_LIMIT_EXCEEDED', `$search has more than ${this.limits.maxNodes} terms and operators (at position ${at})`, { target: OPTION })
    }
    return expr
  }

  /** A chain of one operator, as a balanced tree (AND and OR are associative). */
  private chain(kind: 'and' | 'or', items: SearchExpr[], at: number): SearchExpr {
    if (items.length === 1) return items[0] as SearchExpr
    const mid = Math.ceil(items.length / 2)
    return this.node({ kind, left: this.chain(kind, items.slice(0, mid), at), right: this.chain(kind, items.slice(mid), at) }, at)
  }

  private or(): SearchExpr {
    const start = this.peek().start
    const items = [this.and()]
    while (this.peek().kind === 'OR') {
      this.index++
      items.push(this.and())
    }
    return this.chain('or', items, start)
  }

  private and(): SearchExpr {
    const start = this.peek().start
    const items = [this.not()]
    while (true) {
      const kind = this.peek().kind
      if (kind === 'AND') this.index++
      else if (kind !== 'word' && kind !== 'phrase' && kind !== '(' && kind !== 'NOT') break
      items.push(this.not())
    }
    return this.chain('and', items, start)
  }

  private not(): SearchExpr {
    const token = this.peek()
    if (token.kind !== 'NOT') return this.primary()
    this.index++
    this.enter(token.start)
    const operand = this.not()
    this.depth--
    return this.node({ kind: 'not', operand }, token.start)
  }

  private enter(at: number): void {
    if (++this.depth > this.limits.maxDepth) {
      throw bridgeError('BRIDGE_ERR_LIMIT_EXCEEDED', `$search nested deeper than ${this.limits.maxDepth} levels (at position ${at})`, { target: OPTION })
    }
  }

  private primary(): SearchExpr {
    const token = this.peek()
    switch (token.kind) {
      case 'word':
      case 'phrase':
        this.index++
        return this.node({ kind: 'term', text: token.text }, token.start)
      case '(': {
        this.index++
        this.enter(token.start)
        const inner = this.or()
        this.depth--
        const close = this.peek()
        if (close.kind !== ')') throw syntaxError(OPTION, this.text, close.start, "expected ')'")
        this.index++
        return inner
      }
      case 'eof': {
        const previous = this.tokens[this.index - 1]
        throw syntaxError(OPTION, this.text, token.start, previous === undefined ? 'expected a search term' : `expected a search term after '${previous.text}'`)
      }
      case ')':
      case 'AND':
      case 'OR':
      case 'NOT':
        throw syntaxError(OPTION, this.text, token.start, `expected a search term, found '${token.text}'`)
      default: {
        const never: never = token.kind
        throw new Error(`unhandled search token ${String(never)}`)
      }
    }
  }
}

export function parseSearch(text: string, limits: ParseLimits = DEFAULT_LIMITS): SearchExpr {
  if (text.length > limits.maxOptionLength) {
    throw bridgeError('BRIDGE_ERR_LIMIT_EXCEEDED', `$search is ${text.length} characters long; the limit is ${limits.maxOptionLength}`, { target: OPTION })
  }
  const literal = /^'((?:[^']|'')*)'$/.exec(text)
  if (literal !== null) {
    const phrase = (literal[1] ?? '').replaceAll("''", "'")
    if (phrase.trim() === '') throw syntaxError(OPTION, text, 1, 'empty search text')
    return { kind: 'term', text: phrase }
  }
  return new SearchParser(text, limits).parse()
}
