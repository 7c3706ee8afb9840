/**
 * The grammar of one logical line of Python: a simple statement list, a compound
 * statement header (with its body when on the same line) or a decorator.
 */
import { ExprParser } from './pyExpr';
import { header, skipBrackets } from './pyHeaders';
import { IKeywordArg, isTarget, PyNode, PySyntaxError } from './pyNodes';
import { ILogicalLine } from './pyTokenizer';

/** A simple statement, as far as bindings are concerned. */
export type SimpleStatement =
  | { kind: 'assign'; targets: PyNode[]; value: PyNode }
  | { kind: 'annotated'; target: PyNode; value: PyNode | null }
  | { kind: 'augmented'; target: PyNode }
  | { kind: 'other' };

/** One parsed logical line. */
export interface IParsedLine {
  /** The compound statement keyword (`if`, `else`, `def`, `case`, …), `@` for a decorator, or null. */
  keyword: string | null;
  /** A header whose body is on the following, more indented lines. */
  opensBlock: boolean;
  /** Simple statements (for a compound header, its body on the same line). */
  statements: SimpleStatement[];
  /** Literal keyword arguments of the calls on the line. */
  kwargs: IKeywordArg[];
}

const AUGMENTED = new Set([
  '+=',
  '-=',
  '*=',
  '/=',
  '//=',
  '%=',
  '@=',
  '&=',
  '|=',
  '^=',
  '>>=',
  '<<=',
  '**='
]);
const OTHER: SimpleStatement = { kind: 'other' };

/** Parse one logical line (`inMatch`: it is in a match body), or null for a syntax error. */
export function parseLine(
  line: ILogicalLine,
  inMatch: boolean
): IParsedLine | null {
  if (line.magic) {
    return {
      keyword: null,
      opensBlock: false,
      statements: [OTHER],
      kwargs: []
    };
  }
  const parser = new ExprParser(line.tokens);
  try {
    const keyword = header(parser, inMatch);
    const opensBlock = keyword !== null && keyword !== '@' && parser.done();
    const statements =
      keyword === '@' || opensBlock ? [] : simpleStatements(parser);
    return { keyword, opensBlock, statements, kwargs: parser.kwargs };
  } catch (error) {
    // A stack overflow on absurdly nested input is a rejected line too.
    if (error instanceof PySyntaxError || error instanceof RangeError) {
      return null;
    }
    throw error;
  }
}

/** `a; b; c` up to the end of the line (a trailing `;` is allowed). */
function simpleStatements(p: ExprParser): SimpleStatement[] {
  const statements = [simpleStatement(p)];
  while (p.eatOp(';') && !p.done()) {
    statements.push(simpleStatement(p));
  }
  if (!p.done()) {
    throw new PySyntaxError('end of statement');
  }
  return statements;
}

function simpleStatement(p: ExprParser): SimpleStatement {
  const first = p.peek();
  if (first?.kind === 'name' && keywordStatement(p, first.text)) {
    return OTHER;
  }
  const head = p.atKeyword('yield') ? p.yieldExpression() : p.starExpressions();
  if (p.atOp('=')) {
    const chain = [head];
    while (p.eatOp('=')) {
      chain.push(rightHandSide(p));
    }
    const value = chain.pop() as PyNode;
    if (!chain.every(isTarget)) {
      throw new PySyntaxError('assignment target');
    }
    return { kind: 'assign', targets: chain, value };
  }
  const token = p.peek();
  if (token?.kind === 'op' && AUGMENTED.has(token.text)) {
    if (!isSingleTarget(head)) {
      throw new PySyntaxError('augmented target');
    }
    p.pos++;
    rightHandSide(p);
    return { kind: 'augmented', target: head };
  }
  if (p.eatOp(':')) {
    if (!isSingleTarget(head)) {
      throw new PySyntaxError('annotated target');
    }
    p.test();
    const value = p.eatOp('=') ? rightHandSide(p) : null;
    return { kind: 'annotated', target: head, value };
  }
  if (head.kind === 'starred') {
    throw new PySyntaxError('starred expression');
  }
  return OTHER;
}

/** The value of an assignment: a yield expression or expressions. */
function rightHandSide(p: ExprParser): PyNode {
  return p.atKeyword('yield') ? p.yieldExpression() : p.starExpressions();
}

function isSingleTarget(node: PyNode): boolean {
  return (
    node.kind === 'name' || node.kind === 'attr' || node.kind === 'subscript'
  );
}

/** Parse a statement introduced by a keyword; false when `word` starts an expression. */
function keywordStatement(p: ExprParser, word: string): boolean {
  switch (word) {
    case 'pass':
    case 'break':
    case 'continue':
      p.pos++;
      return true;
    case 'return':
      p.pos++;
      if (p.startsExpression()) {
        p.starExpressions();
      }
      return true;
    case 'raise':
      p.pos++;
      if (p.startsExpression()) {
        p.test();
        if (p.eatKeyword('from')) {
          p.test();
        }
      }
      return true;
    case 'global':
    case 'nonlocal':
      p.pos++;
      do {
        p.name();
      } while (p.eatOp(','));
      return true;
    case 'del':
      p.pos++;
      do {
        if (!isTarget(p.bitOr())) {
          throw new PySyntaxError('del target');
        }
      } while (p.eatOp(',') && p.startsExpression());
      return true;
    case 'assert':
      p.pos++;
      p.test();
      if (p.eatOp(',')) {
        p.test();
      }
      return true;
    case 'import':
      p.pos++;
      importNames(p, true);
      return true;
    case 'from':
      fromImport(p);
      return true;
    case 'type':
      return typeAlias(p);
    default:
      return false;
  }
}

/** `a.b as c, d` (dotted) or `a as b, c` (from-import names). */
function importNames(p: ExprParser, dotted: boolean): void {
  do {
    p.name();
    while (dotted && p.eatOp('.')) {
      p.name();
    }
    if (p.eatKeyword('as')) {
      p.name();
    }
  } while (p.eatOp(',') && (dotted || p.peek()?.kind === 'name'));
}

function fromImport(p: ExprParser): void {
  p.pos++;
  let relative = false;
  while (p.eatOp('.') || p.eatOp('...')) {
    relative = true;
  }
  if (!relative || !p.atKeyword('import')) {
    p.name();
    while (p.eatOp('.')) {
      p.name();
    }
  }
  p.expectKeyword('import');
  if (p.eatOp('*')) {
    return;
  }
  const parenthesized = p.eatOp('(');
  importNames(p, false);
  if (parenthesized) {
    p.expectOp(')');
  } else if (p.atOp(',', -1)) {
    throw new PySyntaxError('trailing comma');
  }
}

/** `type X = …` (PEP 695); false when `type` is an ordinary name. */
function typeAlias(p: ExprParser): boolean {
  if (p.peek(1)?.kind !== 'name' || !(p.atOp('=', 2) || p.atOp('[', 2))) {
    return false;
  }
  p.pos += 2;
  if (p.atOp('[')) {
    skipBrackets(p);
  }
  p.expectOp('=');
  p.test();
  return true;
}
