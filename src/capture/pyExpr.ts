/**
 * A recursive-descent parser for Python expressions (3.10–3.13 grammar). It keeps
 * only what the capture needs — literals, names, targets and the literal keyword
 * arguments of calls — and throws `PySyntaxError` where CPython's parser would fail.
 */
import { TokenCursor } from './pyCursor';
import { braces, list, parenthesized } from './pyDisplays';
import { decodeString, numberValue } from './pyLiterals';
import {
  IKeywordArg,
  isTarget,
  literalValue,
  PyNode,
  PySyntaxError
} from './pyNodes';
import { intText } from './pyrepr';
import { tokenizeLines } from './pyTokenizer';

const BINARY_PRECEDENCE: Record<string, number> = {
  '|': 1, '^': 2, '&': 3, '<<': 4, '>>': 4, '+': 5, '-': 5,
  '*': 6, '/': 6, '//': 6, '%': 6, '@': 6
}; // prettier-ignore
const COMPARISONS = new Set(['<', '>', '==', '>=', '<=', '!=']);
const OTHER: PyNode = { kind: 'other' };

/** Check an f-string field's expression as CPython compiles it: `(expression)`. */
function checkField(expression: string): void {
  const lines = tokenizeLines(`(${expression})`);
  const parser = new ExprParser(lines.length === 1 ? lines[0].tokens : []);
  parser.starExpressions();
  if (!parser.done()) {
    throw new PySyntaxError('f-string');
  }
}

/** Parses expressions from one logical line's tokens, collecting literal kwargs. */
export class ExprParser extends TokenCursor {
  /** Literal keyword arguments of the calls parsed so far. */
  readonly kwargs: IKeywordArg[] = [];

  /** `a, *b, c` (a tuple when there is a comma). */
  starExpressions(): PyNode {
    const first = this.starExpression();
    if (!this.atOp(',')) {
      return first;
    }
    const items = [first];
    while (this.eatOp(',') && this.startsExpression()) {
      items.push(this.starExpression());
    }
    return { kind: 'tuple', items };
  }

  /** `*a` or an expression. */
  starExpression(): PyNode {
    return this.eatOp('*')
      ? { kind: 'starred', value: this.bitOr() }
      : this.test();
  }

  /** `*a` or a named expression, as inside brackets. */
  starNamedExpression(): PyNode {
    return this.eatOp('*')
      ? { kind: 'starred', value: this.bitOr() }
      : this.namedExpression();
  }

  /** `name := value` or an expression. */
  namedExpression(): PyNode {
    if (this.peek()?.kind === 'name' && this.atOp(':=', 1)) {
      this.name();
      this.pos++;
      this.test();
      return OTHER;
    }
    return this.test();
  }

  /** A full expression: lambda, conditional expression or disjunction. */
  test(): PyNode {
    if (this.atKeyword('lambda')) {
      return this.lambda();
    }
    const node = this.orTest();
    if (this.eatKeyword('if')) {
      this.orTest();
      this.expectKeyword('else');
      this.test();
      return OTHER;
    }
    return node;
  }

  /** `yield`, `yield a, b` or `yield from a`. */
  yieldExpression(): PyNode {
    this.expectKeyword('yield');
    if (this.eatKeyword('from')) {
      this.test();
    } else if (this.startsExpression()) {
      this.starExpressions();
    }
    return OTHER;
  }

  /** Assignment targets up to `in` or `=` (`for` loops, comprehensions). */
  targetList(): PyNode {
    const items: PyNode[] = [];
    do {
      const item = this.eatOp('*')
        ? { kind: 'starred' as const, value: this.bitOr() }
        : this.bitOr();
      if (!isTarget(item)) {
        throw new PySyntaxError('target');
      }
      items.push(item);
    } while (this.eatOp(',') && !this.atKeyword('in') && !this.atOp('='));
    return items.length === 1 && !this.atOp(',', -1)
      ? items[0]
      : { kind: 'tuple', items };
  }

  /** Call arguments from `(` to `)`; `record` keeps this call's literal kwargs. */
  callArguments(record = true): void {
    this.expectOp('(');
    // CPython rejects positional arguments after keywords, and `*a` after `**k`.
    let keywords = false;
    let doubleStar = false;
    while (!this.eatOp(')')) {
      const token = this.peek();
      if (this.eatOp('*')) {
        this.orderCheck(!doubleStar);
        this.test();
      } else if (this.eatOp('**')) {
        doubleStar = true;
        this.test();
      } else if (token?.kind === 'name' && this.atOp('=', 1)) {
        keywords = true;
        const key = this.name();
        this.pos++;
        const value = literalValue(this.test());
        if (record && value) {
          this.kwargs.push({ key, value, start: token.start });
        }
      } else {
        this.orderCheck(!keywords && !doubleStar);
        this.namedExpression();
        if (this.atComprehension()) {
          this.comprehension();
          this.orderCheck(this.atOp(')'));
        }
      }
      if (!this.eatOp(',')) {
        this.expectOp(')');
        return;
      }
    }
  }

  private orderCheck(ok: boolean): void {
    if (!ok) {
      throw new PySyntaxError('argument order');
    }
  }

  private lambda(): PyNode {
    this.expectKeyword('lambda');
    this.parameters(':', false);
    this.expectOp(':');
    this.test();
    return OTHER;
  }

  /** Parameters of a def or lambda, up to (not including) the `close` operator. */
  parameters(close: string, annotated: boolean): void {
    // Before `*`, a parameter without a default cannot follow one with a default.
    let defaults = false;
    let star = false;
    while (!this.atOp(close)) {
      if (this.eatOp('/')) {
        // positional-only marker
      } else if (this.eatOp('**') || this.eatOp('*')) {
        star = true;
        if (this.peek()?.kind === 'name') {
          this.parameter(annotated, false);
        }
      } else {
        const withDefault = this.parameter(annotated, true);
        this.orderCheck(withDefault || star || !defaults);
        defaults = defaults || withDefault;
      }
      if (!this.eatOp(',')) {
        return;
      }
    }
  }

  /** One parameter; returns whether it has a default value. */
  private parameter(annotated: boolean, withDefault: boolean): boolean {
    this.name();
    if (annotated && this.eatOp(':')) {
      this.test();
    }
    if (withDefault && this.eatOp('=')) {
      this.test();
      return true;
    }
    return false;
  }

  private orTest(): PyNode {
    let node = this.andTest();
    while (this.eatKeyword('or')) {
      this.andTest();
      node = OTHER;
    }
    return node;
  }

  private andTest(): PyNode {
    let node = this.notTest();
    while (this.eatKeyword('and')) {
      this.notTest();
      node = OTHER;
    }
    return node;
  }

  private notTest(): PyNode {
    let negated = false;
    while (this.eatKeyword('not')) {
      negated = true;
    }
    const node = this.comparison();
    return negated ? OTHER : node;
  }

  private comparison(): PyNode {
    let node = this.bitOr();
    while (this.comparisonOperator()) {
      this.bitOr();
      node = OTHER;
    }
    return node;
  }

  private comparisonOperator(): boolean {
    const token = this.peek();
    if (token?.kind === 'op' && COMPARISONS.has(token.text)) {
      this.pos++;
      return true;
    }
    if (this.eatKeyword('in')) {
      return true;
    }
    if (this.atKeyword('not') && this.atKeyword('in', 1)) {
      this.pos += 2;
      return true;
    }
    if (this.eatKeyword('is')) {
      this.eatKeyword('not');
      return true;
    }
    return false;
  }

  /** Binary operators from `|` (precedence 1) to `*`, `/`, `@` (precedence 6). */
  bitOr(minPrecedence = 1): PyNode {
    let node = this.factor();
    for (;;) {
      const token = this.peek();
      const precedence =
        token?.kind === 'op' ? BINARY_PRECEDENCE[token.text] : undefined;
      if (precedence === undefined || precedence < minPrecedence) {
        return node;
      }
      this.pos++;
      this.bitOr(precedence + 1);
      node = OTHER;
    }
  }

  private factor(): PyNode {
    const ops: string[] = [];
    while (this.atOp('-') || this.atOp('+') || this.atOp('~')) {
      ops.push(this.tokens[this.pos++].text);
    }
    let node = this.power();
    for (let i = ops.length - 1; i >= 0; i--) {
      node = { kind: 'unary', op: ops[i], operand: node };
    }
    return node;
  }

  private power(): PyNode {
    const awaited = this.eatKeyword('await');
    const node = this.primary();
    if (this.eatOp('**')) {
      this.factor();
      return OTHER;
    }
    return awaited ? OTHER : node;
  }

  private primary(): PyNode {
    let node = this.atom();
    for (;;) {
      if (this.eatOp('.')) {
        this.name();
        node = { kind: 'attr' };
      } else if (this.atOp('(')) {
        // print's keywords (sep, end, file, flush) format output; they are not params.
        this.callArguments(!(node.kind === 'name' && node.id === 'print'));
        node = { kind: 'call' };
      } else if (this.eatOp('[')) {
        this.subscript();
        node = { kind: 'subscript' };
      } else {
        return node;
      }
    }
  }

  private subscript(): void {
    do {
      if (this.atOp(']')) {
        break;
      }
      if (this.eatOp('*')) {
        this.bitOr();
        continue;
      }
      if (!this.atOp(':')) {
        this.namedExpression();
      }
      if (this.eatOp(':')) {
        if (this.startsExpression()) {
          this.test();
        }
        if (this.eatOp(':') && this.startsExpression()) {
          this.test();
        }
      }
    } while (this.eatOp(','));
    if (this.atOp('[', -1)) {
      throw new PySyntaxError('empty subscript');
    }
    this.expectOp(']');
  }

  private atom(): PyNode {
    const token = this.peek();
    if (!token) {
      throw new PySyntaxError('end of line');
    }
    if (token.kind === 'string') {
      return this.strings();
    }
    this.pos++;
    if (token.kind === 'number') {
      const number = numberValue(token.text);
      if (number.kind === 'float') {
        return { kind: 'const', value: { type: 'float', value: number.value } };
      }
      const fits = number.kind === 'int' && intText(number.value) !== null;
      return {
        kind: 'const',
        value: fits ? { type: 'int', value: number.value } : null
      };
    }
    if (token.kind === 'name') {
      switch (token.text) {
        case 'True':
        case 'False':
          return {
            kind: 'const',
            value: { type: 'bool', value: token.text === 'True' }
          };
        case 'None':
          return { kind: 'const', value: { type: 'none' } };
      }
      this.pos--;
      return { kind: 'name', id: this.name() };
    }
    switch (token.kind === 'op' ? token.text : '') {
      case '...':
        return { kind: 'const', value: null };
      case '(':
        return parenthesized(this);
      case '[':
        return list(this);
      case '{':
        return braces(this);
    }
    throw new PySyntaxError(token.text);
  }

  /** Adjacent string literals, concatenated. */
  private strings(): PyNode {
    let text = '';
    let bytes: boolean | null = null;
    let captured = true;
    while (this.peek()?.kind === 'string') {
      const part = decodeString(this.tokens[this.pos++].text);
      if (part.value === null || (bytes !== null && bytes !== part.bytes)) {
        throw new PySyntaxError('string');
      }
      part.fields.forEach(checkField);
      bytes = part.bytes;
      captured = captured && !part.formatted && !part.named;
      text += part.value;
    }
    return {
      kind: 'const',
      value: captured ? { type: 'str', value: text } : null
    };
  }

  /** Whether a comprehension's `for` (or `async for`) is next. */
  atComprehension(): boolean {
    return (
      this.atKeyword('for') ||
      (this.atKeyword('async') && this.atKeyword('for', 1))
    );
  }

  /** `for targets in iterable if condition …`, nested as often as written. */
  comprehension(): void {
    while (this.atComprehension()) {
      this.eatKeyword('async');
      this.expectKeyword('for');
      this.targetList();
      this.expectKeyword('in');
      this.orTest();
      while (this.eatKeyword('if')) {
        this.orTest();
      }
    }
  }
}
