/**
 * A cursor over the tokens of one logical line, with the small vocabulary the
 * Python parsers share (`atOp`, `eatKeyword`, `name`, …).
 */
import { KEYWORDS, PySyntaxError } from './pyNodes';
import { IToken } from './pyTokenizer';

const EXPRESSION_KEYWORDS = new Set([
  'True',
  'False',
  'None',
  'lambda',
  'not',
  'await'
]);
const EXPRESSION_OPS = new Set(['(', '[', '{', '-', '+', '~', '*', '...']);

/** Reads the tokens of one logical line. */
export class TokenCursor {
  /** Index of the next token. */
  pos = 0;

  constructor(readonly tokens: IToken[]) {}

  /** The token `offset` ahead, if any. */
  peek(offset = 0): IToken | undefined {
    return this.tokens[this.pos + offset];
  }

  /** Whether all tokens are consumed. */
  done(): boolean {
    return this.pos >= this.tokens.length;
  }

  /** Whether the next token is the operator `text`. */
  atOp(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === 'op' && token.text === text;
  }

  /** Whether the next token is the (hard or soft) keyword `text`. */
  atKeyword(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === 'name' && token.text === text;
  }

  /** Consume the operator `text` if it is next. */
  eatOp(text: string): boolean {
    return this.atOp(text) && ++this.pos > 0;
  }

  /** Consume the keyword `text` if it is next. */
  eatKeyword(text: string): boolean {
    return this.atKeyword(text) && ++this.pos > 0;
  }

  /** Consume the operator `text` or fail. */
  expectOp(text: string): void {
    if (!this.eatOp(text)) {
      throw new PySyntaxError(text);
    }
  }

  /** Consume the keyword `text` or fail. */
  expectKeyword(text: string): void {
    if (!this.eatKeyword(text)) {
      throw new PySyntaxError(text);
    }
  }

  /** Consume an identifier (not a keyword) and return it, NFKC-normalized as Python does. */
  name(): string {
    const token = this.peek();
    if (token?.kind !== 'name' || KEYWORDS.has(token.text)) {
      throw new PySyntaxError('name');
    }
    this.pos++;
    return /^\w*$/.test(token.text) ? token.text : token.text.normalize('NFKC');
  }

  /** Whether the next token can start an expression. */
  startsExpression(): boolean {
    const token = this.peek();
    switch (token?.kind) {
      case 'number':
      case 'string':
        return true;
      case 'name':
        return !KEYWORDS.has(token.text) || EXPRESSION_KEYWORDS.has(token.text);
      case 'op':
        return EXPRESSION_OPS.has(token.text);
      default:
        return false;
    }
  }
}
