/**
 * Block structure of a cell, grouped as `capture.py` groups it: a chunk is a
 * top-level statement with its indented body. A chunk CPython could not parse
 * contributes nothing, exactly as `ast.parse` of that chunk fails in the kernel.
 */
import { IKeywordArg } from './pyNodes';
import { parseLine, SimpleStatement } from './pyStatements';
import { ILogicalLine } from './pyTokenizer';

/** Where a statement runs: top level, a top-level if/for/with/… body, or a def/class. */
export type StatementContext = 'top' | 'body' | 'scope';

/** The statements of one logical line with the context they run in. */
export interface IStatementLine {
  /** Where the statements run. */
  context: StatementContext;
  /** Simple statements (for a compound header, its body on the same line). */
  statements: SimpleStatement[];
  /** Literal keyword arguments of the calls on the line. */
  kwargs: IKeywordArg[];
}

/** One level of Python's indentation stack. */
interface IIndentLevel {
  indent: number;
  altIndent: number;
  /** Inside a def or class body. */
  scope: boolean;
  /** The body of a match statement (its lines are case clauses). */
  match: boolean;
  /** What the last statement at this level lets follow it (see CLAUSES). */
  clause: Clause;
}

/** `if` (elif/else may follow), `loop` (else), `try` (except/finally must), … */
type Clause =
  'if' | 'loop' | 'try' | 'except' | 'try-else' | 'decorator' | null;

/** The clauses each continuation keyword may follow. */
const FOLLOWS: Record<string, Clause[]> = {
  elif: ['if'],
  else: ['if', 'loop', 'except'],
  except: ['try', 'except'],
  finally: ['try', 'except', 'try-else']
};

const CONTINUATIONS = new Set(Object.keys(FOLLOWS));

/** Clauses that need a particular statement after them. */
const UNFINISHED: Clause[] = ['try', 'decorator'];

/**
 * Group logical lines into chunks: a chunk starts at each line with indentation 0,
 * except `elif`/`else`/`except`/`finally` and the line after a decorator.
 */
export function splitChunks(lines: ILogicalLine[]): ILogicalLine[][] {
  const chunks: ILogicalLine[][] = [];
  let afterDecorator = false;
  for (const line of lines) {
    const first = line.tokens[0];
    const continues =
      chunks.length > 0 &&
      (line.indent > 0 ||
        afterDecorator ||
        (first?.kind === 'name' && CONTINUATIONS.has(first.text)));
    if (continues) {
      chunks[chunks.length - 1].push(line);
    } else {
      chunks.push([line]);
    }
    if (line.indent === 0) {
      afterDecorator = first?.kind === 'op' && first.text === '@';
    }
  }
  return chunks;
}

/** The statements of a chunk, or null when CPython would reject the chunk. */
export function parseChunk(chunk: ILogicalLine[]): IStatementLine[] | null {
  const levels: IIndentLevel[] = [
    { indent: 0, altIndent: 0, scope: false, match: false, clause: null }
  ];
  const result: IStatementLine[] = [];
  let pending: IIndentLevel | null = null;
  for (const line of chunk) {
    if (!indentLine(levels, line, pending)) {
      return null;
    }
    const top = levels[levels.length - 1];
    const parsed = parseLine(line, top.match);
    const clause = parsed && nextClause(top.clause, parsed.keyword);
    if (!parsed || clause === undefined) {
      return null;
    }
    top.clause = clause;
    const keyword = parsed.keyword;
    const scope = top.scope || keyword === 'def' || keyword === 'class';
    pending = parsed.opensBlock
      ? {
          indent: 0,
          altIndent: 0,
          scope,
          match: keyword === 'match',
          clause: null
        }
      : null;
    const context: StatementContext = scope
      ? 'scope'
      : keyword || levels.length > 1
        ? 'body'
        : 'top';
    result.push({
      context,
      statements: parsed.statements,
      kwargs: parsed.kwargs
    });
  }
  return pending || levels.some(level => UNFINISHED.includes(level.clause))
    ? null
    : result;
}

/**
 * Place a line on the indentation stack as Python's tokenizer does (INDENT only
 * after a header, DEDENT to a known level, consistent tabs); false on an error.
 */
function indentLine(
  levels: IIndentLevel[],
  line: ILogicalLine,
  pending: IIndentLevel | null
): boolean {
  let top = levels[levels.length - 1];
  if (line.indent > top.indent) {
    if (!pending || line.altIndent <= top.altIndent) {
      return false;
    }
    levels.push({ ...pending, indent: line.indent, altIndent: line.altIndent });
    return true;
  }
  if (pending) {
    return false;
  }
  while (levels.length > 1 && line.indent < top.indent) {
    if (UNFINISHED.includes(levels.pop()?.clause ?? null)) {
      return false;
    }
    top = levels[levels.length - 1];
  }
  return line.indent === top.indent && line.altIndent === top.altIndent;
}

/** The clause after a statement with `keyword`, or undefined when it cannot follow `previous`. */
function nextClause(
  previous: Clause,
  keyword: string | null
): Clause | undefined {
  if (keyword !== null && CONTINUATIONS.has(keyword)) {
    if (!FOLLOWS[keyword].includes(previous)) {
      return undefined;
    }
  } else if (
    previous === 'try' ||
    (previous === 'decorator' && !isDecorated(keyword))
  ) {
    return undefined;
  }
  switch (keyword) {
    case 'if':
    case 'elif':
      return 'if';
    case 'for':
    case 'while':
      return 'loop';
    case 'try':
      return 'try';
    case 'except':
      return 'except';
    case 'else':
      return previous === 'except' ? 'try-else' : null;
    case '@':
      return 'decorator';
    default:
      return null;
  }
}

function isDecorated(keyword: string | null): boolean {
  return keyword === '@' || keyword === 'def' || keyword === 'class';
}
