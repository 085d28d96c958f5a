// Cursor, limits and error helpers shared by the recursive-descent parser of
// $filter / $orderby expressions.
import { bridgeError, type BridgeError, type ErrorCode } from '../errors.js'
import type { EntitySetDef } from '../model/index.js'
import type { Expr, UntypedExpr } from './ast.js'
import type { ExprType } from './expr-type.js'
import { tokenize, type Token } from './lexer.js'
import type { ParseLimits } from './limits.js'
import { positionedError, syntaxError } from './syntax-error.js'

/** A parsed sub-expression with its static type and source span (1-based, end exclusive). */
export interface Typed {
  readonly expr: Expr
  readonly type: ExprType
  readonly start: number
  readonly end: number
  /** Height of the tree below and including this node. */
  readonly height: number
}

export interface LambdaVariable {
  readonly name: string
  readonly type: ExprType
}

export class ParserState {
  readonly tokens: readonly Token[]
  index = 0
  private depth = 0
  private nodes = 0
  /** Lambda variables in scope, innermost last. */
  readonly scope: LambdaVariable[] = []

  constructor(
    readonly text: string,
    readonly option: string,
    readonly set: EntitySetDef,
    readonly limits: ParseLimits
  ) {
    if (text.length > limits.maxOptionLength) {
      throw bridgeError('BRIDGE_ERR_LIMIT_EXCEEDED', `${option} is ${text.length} characters long; the limit is ${limits.maxOptionLength}`, { target: option })
    }
    this.tokens = tokenize(text, option)
  }

  peek(offset = 0): Token {
    const last = this.tokens[this.tokens.length - 1] as Token
    return this.tokens[this.index + offset] ?? last
  }

  next(): Token {
    const token = this.peek()
    if (token.kind !== 'eof') this.index++
    return token
  }

  previous(): Token | undefined {
    return this.index > 0 ? this.tokens[this.index - 1] : undefined
  }

  /** An identifier token equal to `word`, case-insensitively (4.01: operator and keyword names). */
  isKeyword(token: Token, ...words: string[]): boolean {
    return token.kind === 'ident' && words.includes(token.text.toLowerCase())
  }

  isPunct(token: Token, punct: string): boolean {
    return token.kind === 'punct' && token.text === punct
  }

  expectPunct(punct: string, what: string): Token {
    const token = this.peek()
    if (!this.isPunct(token, punct)) throw this.syntax(token.start, `expected ${what}`)
    return this.next()
  }

  /** Enters one level of nesting (parentheses, unary operator, call or lambda argument). */
  enter(at: number): void {
    this.depth++
    if (this.depth > this.limits.maxDepth) {
      throw this.error('BRIDGE_ERR_LIMIT_EXCEEDED', at, `expression nested deeper than ${this.limits.maxDepth} levels`)
    }
  }

  leave(): void {
    this.depth--
  }

  /** Creates a node of static type `type`, counting it against the size limit and checking the tree height. */
  node(untyped: UntypedExpr, type: ExprType, start: number, end: number, children: readonly Typed[] = []): Typed {
    this.nodes++
    if (this.nodes > this.limits.maxNodes) {
      throw this.error('BRIDGE_ERR_LIMIT_EXCEEDED', start, `expression has more than ${this.limits.maxNodes} nodes`)
    }
    let height = 0
    for (const child of children) height = Math.max(height, child.height)
    if (height + 1 > this.limits.maxDepth) {
      throw this.error('BRIDGE_ERR_LIMIT_EXCEEDED', start, `expression tree deeper than ${this.limits.maxDepth} levels`)
    }
    return { expr: { ...untyped, edmType: type } as Expr, type, start, end, height: height + 1 }
  }

  syntax(position: number, reason: string): BridgeError {
    return syntaxError(this.option, this.text, position, reason)
  }

  error(code: ErrorCode, position: number, reason: string): BridgeError {
    return positionedError(code, this.option, position, reason)
  }

  /** The source text of a span, quoted, for messages. */
  span(typed: { readonly start: number; readonly end: number }): string {
    const slice = this.text.slice(typed.start - 1, typed.end - 1)
    return slice.length > 40 ? `'${slice.slice(0, 40)}…'` : `'${slice}'`
  }
}
