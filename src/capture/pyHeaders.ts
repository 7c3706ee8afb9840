/**
 * Compound statement headers (`if …:`, `def f(…):`, `with … as x:`, `case …:`) and
 * decorators, parsed up to the colon.
 */
import { ExprParser } from './pyExpr';
import { isTarget, PySyntaxError } from './pyNodes';

const FLOW_HEADERS = new Set([
  'if',
  'elif',
  'while',
  'else',
  'try',
  'finally',
  'except',
  'for',
  'with'
]);

/**
 * Parse a compound statement header up to and including its colon, or a decorator
 * line; return its keyword (`@` for a decorator). Returns null, consuming nothing,
 * when the line is a simple statement.
 */
export function header(p: ExprParser, inMatch: boolean): string | null {
  const first = p.peek();
  if (first?.kind === 'op' && first.text === '@') {
    p.pos++;
    p.namedExpression();
    if (!p.done()) {
      throw new PySyntaxError('decorator');
    }
    return '@';
  }
  if (first?.kind !== 'name') {
    return null;
  }
  const keyword = first.text === 'async' ? (p.peek(1)?.text ?? '') : first.text;
  if (first.text === 'async') {
    if (!['for', 'with', 'def'].includes(keyword)) {
      throw new PySyntaxError('async');
    }
    p.pos++;
  }
  if (keyword === 'def' || keyword === 'class') {
    definition(p, keyword);
  } else if (FLOW_HEADERS.has(keyword)) {
    flowHeader(p, keyword);
  } else if (keyword === 'match' && isSoftHeader(p, true)) {
    p.pos++;
    do {
      p.starNamedExpression();
    } while (p.eatOp(',') && p.startsExpression());
  } else if (keyword === 'case' && inMatch && isSoftHeader(p, false)) {
    p.pos++;
    casePattern(p);
  } else {
    return null;
  }
  p.expectOp(':');
  return keyword;
}

/**
 * `match` and `case` are keywords only on a line with a colon outside brackets
 * (for `match`, as the last token: its body is always indented).
 */
function isSoftHeader(p: ExprParser, colonLast: boolean): boolean {
  let depth = 0;
  for (let i = 0; i < p.tokens.length; i++) {
    const token = p.tokens[i];
    if (token.kind === 'op') {
      depth += '([{'.includes(token.text)
        ? 1
        : ')]}'.includes(token.text)
          ? -1
          : 0;
      if (depth === 0 && token.text === ':') {
        return i > 1 && (!colonLast || i === p.tokens.length - 1);
      }
    }
  }
  return false;
}

/** Skip a case pattern (patterns are not expressions: no calls), then parse its guard. */
function casePattern(p: ExprParser): void {
  let depth = 0;
  while (!p.done()) {
    const token = p.peek();
    if (depth === 0 && (p.atOp(':') || p.atKeyword('if'))) {
      break;
    }
    if (token?.kind === 'op') {
      depth += '([{'.includes(token.text)
        ? 1
        : ')]}'.includes(token.text)
          ? -1
          : 0;
    }
    p.pos++;
  }
  if (p.eatKeyword('if')) {
    p.namedExpression();
  }
}

function definition(p: ExprParser, keyword: string): void {
  p.pos++;
  p.name();
  if (p.atOp('[')) {
    skipBrackets(p);
  }
  if (keyword === 'class') {
    if (p.atOp('(')) {
      p.callArguments(false);
    }
    return;
  }
  p.expectOp('(');
  p.parameters(')', true);
  p.expectOp(')');
  if (p.eatOp('->')) {
    p.test();
  }
}

/** Skip a bracketed group such as PEP 695 type parameters. */
export function skipBrackets(p: ExprParser): void {
  let depth = 0;
  do {
    const token = p.peek();
    if (!token) {
      throw new PySyntaxError('brackets');
    }
    if (token.kind === 'op') {
      depth += '([{'.includes(token.text)
        ? 1
        : ')]}'.includes(token.text)
          ? -1
          : 0;
    }
    p.pos++;
  } while (depth > 0);
}

function flowHeader(p: ExprParser, keyword: string): void {
  p.pos++;
  switch (keyword) {
    case 'if':
    case 'elif':
    case 'while':
      p.namedExpression();
      break;
    case 'for':
      p.targetList();
      p.expectKeyword('in');
      p.starExpressions();
      break;
    case 'except':
      p.eatOp('*');
      if (!p.atOp(':')) {
        p.test();
        if (p.eatKeyword('as')) {
          p.name();
        }
      }
      break;
    case 'with':
      withItems(p);
      break;
  }
}

function withItems(p: ExprParser): void {
  if (p.atOp('(') && closesBeforeColon(p)) {
    p.pos++;
    do {
      if (p.atOp(')')) {
        break;
      }
      withItem(p);
    } while (p.eatOp(','));
    p.expectOp(')');
    return;
  }
  do {
    withItem(p);
  } while (p.eatOp(','));
}

/** Whether the bracket opening at the cursor closes right before the header's colon. */
function closesBeforeColon(p: ExprParser): boolean {
  let depth = 0;
  for (let i = p.pos; i < p.tokens.length; i++) {
    const token = p.tokens[i];
    if (token.kind === 'op') {
      depth += '([{'.includes(token.text)
        ? 1
        : ')]}'.includes(token.text)
          ? -1
          : 0;
      if (depth === 0) {
        return p.tokens[i + 1]?.text === ':';
      }
    }
  }
  return false;
}

function withItem(p: ExprParser): void {
  p.test();
  if (p.eatKeyword('as') && !isTarget(p.bitOr())) {
    throw new PySyntaxError('with target');
  }
}
