/**
 * A tolerant Python tokenizer for notebook cells. It never throws: text it cannot
 * read becomes `error` tokens, and the parser rejects the statements holding them.
 * Logical lines are cut exactly as `jupyterlab_runs/kernel/capture.py` cuts them,
 * so both scanners agree on which statements exist (tests/vectors/README.md).
 */

/** What a token is. */
export type TokenKind = 'name' | 'number' | 'string' | 'op' | 'error';

/** One token of a logical line. */
export interface IToken {
  /** Kind of token. */
  kind: TokenKind;
  /** The token's source text (a string token includes its prefix and quotes). */
  text: string;
  /** Offset of the token in the prepared cell text. */
  start: number;
}

/** A logical line: one or more physical lines joined by brackets or backslashes. */
export interface ILogicalLine {
  /** Offset of the line's first token in the prepared cell text. */
  start: number;
  /** Indentation column, tabs advancing to the next multiple of 8. */
  indent: number;
  /** Indentation column with tabs counted as 1 (Python's tab consistency check). */
  altIndent: number;
  /** The tokens, without comments. */
  tokens: IToken[];
  /** An IPython magic or shell line (`%time …`, `!pip …`, `x = !ls`): read as `pass`. */
  magic: boolean;
}

/** Cell magics whose body is Python run in the kernel's namespace. */
export const PYTHON_CELL_MAGICS: ReadonlySet<string> = new Set([
  'capture',
  'debug',
  'prun',
  'time',
  'timeit',
  'track'
]);

/** Python refuses more nested brackets than this ("too many nested parentheses"). */
export const MAX_BRACKET_DEPTH = 200;

/**
 * The Python text IPython would run for a cell: newlines normalized, leading blank
 * lines dropped, the first line's indentation removed from every line, and the
 * header of a Python cell magic (`%%time`) stripped. Null when the cell is not
 * Python (`%%bash`, `%%html`, …).
 */
export function prepareCell(source: string): string | null {
  let lines = source.replace(/\r\n?/g, '\n').split('\n');
  const first = lines.findIndex(line => !/^[ \t\f\v]*$/.test(line));
  if (first < 0) {
    return '';
  }
  lines = lines.slice(first);
  const indent = /^[ \t]+/.exec(lines[0])?.[0];
  if (indent) {
    lines = lines.map(line =>
      line.startsWith(indent) ? line.slice(indent.length) : line
    );
  }
  const magic = /^%%([^ \t\f\v]*)/.exec(lines[0]);
  if (magic) {
    return PYTHON_CELL_MAGICS.has(magic[1])
      ? prepareCell(lines.slice(1).join('\n'))
      : null;
  }
  return lines.join('\n');
}

const IDENTIFIER = /[\p{XID_Start}_][\p{XID_Continue}]*/uy;
const MAGIC_ASSIGN = /[\p{XID_Start}_][\p{XID_Continue}]*[ \t]*=[ \t]*[%!]/uy;
const STRING_PREFIXES = new Set(['r', 'u', 'b', 'br', 'rb', 'f', 'fr', 'rf']);
/** Operators by length, longest first (Python's tokenizer takes the longest match). */
const OPERATORS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['**=', '//=', '>>=', '<<=', '...']),
  new Set(['**', '//', '>>', '<<', '<=', '>=', '==', '!=', '->', ':=', '<>',
    '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=']),
  new Set(['(', ')', '[', ']', '{', '}', ',', ':', ';', '.', '=',
    '+', '-', '*', '/', '%', '@', '&', '|', '^', '~', '<', '>'])
]; // prettier-ignore

/** Split prepared cell text (see `prepareCell`) into logical lines of tokens. */
export function tokenizeLines(text: string): ILogicalLine[] {
  return new Tokenizer(text).lines();
}

class Tokenizer {
  constructor(private readonly _text: string) {}

  lines(): ILogicalLine[] {
    const text = this._text;
    const maybeMagic = /[%!]/.test(text);
    const result: ILogicalLine[] = [];
    let pos = 0;
    while (pos < text.length) {
      let indent = 0;
      let altIndent = 0;
      while (pos < text.length && ' \t\f'.includes(text[pos])) {
        const ch = text[pos++];
        if (ch === '\f') {
          indent = altIndent = 0;
        } else {
          indent = ch === '\t' ? (Math.floor(indent / 8) + 1) * 8 : indent + 1;
          altIndent += 1;
        }
      }
      if (pos >= text.length) {
        break;
      }
      const ch = text[pos];
      if (ch === '\n' || ch === '#') {
        pos = this._lineEnd(pos) + 1;
        continue;
      }
      const line: ILogicalLine = {
        start: pos,
        indent,
        altIndent,
        tokens: [],
        magic: false
      };
      MAGIC_ASSIGN.lastIndex = pos;
      if (ch === '%' || ch === '!' || (maybeMagic && MAGIC_ASSIGN.test(text))) {
        line.magic = true;
        pos = this._lineEnd(pos) + 1;
      } else {
        pos = this._readLine(pos, line.tokens) + 1;
      }
      result.push(line);
    }
    return result;
  }

  /** Offset of the newline ending the physical line at `pos` (or the text length). */
  private _lineEnd(pos: number): number {
    const end = this._text.indexOf('\n', pos);
    return end < 0 ? this._text.length : end;
  }

  /** Read tokens up to the newline ending the logical line; return its offset. */
  private _readLine(pos: number, tokens: IToken[]): number {
    const text = this._text;
    let depth = 0;
    while (pos < text.length) {
      const ch = text[pos];
      if (ch === '\n') {
        if (depth === 0) {
          return pos;
        }
        pos++;
      } else if (ch === ' ' || ch === '\t' || ch === '\f') {
        pos++;
      } else if (ch === '#') {
        pos = this._lineEnd(pos);
      } else if (ch === '\\') {
        const joined = text[pos + 1] === '\n';
        if (!joined) {
          tokens.push({ kind: 'error', text: ch, start: pos });
        }
        pos += joined ? 2 : 1;
      } else {
        const token = this._readToken(pos);
        if (token.kind === 'op') {
          if ('([{'.includes(token.text)) {
            depth++;
            if (depth > MAX_BRACKET_DEPTH) {
              token.kind = 'error';
            }
          } else if (')]}'.includes(token.text)) {
            depth = Math.max(0, depth - 1);
          }
        }
        tokens.push(token);
        pos += token.text.length;
      }
    }
    return pos;
  }

  private _readToken(pos: number): IToken {
    const text = this._text;
    const ch = text[pos];
    if (ch === '"' || ch === "'") {
      return this._readString(pos, pos);
    }
    if (isDigit(ch) || (ch === '.' && isDigit(text[pos + 1] ?? ''))) {
      return readNumber(text, pos);
    }
    IDENTIFIER.lastIndex = pos;
    const word = IDENTIFIER.exec(text)?.[0];
    if (word) {
      const quote = text[pos + word.length];
      if (
        (quote === '"' || quote === "'") &&
        STRING_PREFIXES.has(word.toLowerCase())
      ) {
        return this._readString(pos, pos + word.length);
      }
      return { kind: 'name', text: word, start: pos };
    }
    for (let length = 3; length > 0; length--) {
      const op = text.slice(pos, pos + length);
      if (OPERATORS[3 - length].has(op)) {
        return { kind: 'op', text: op, start: pos };
      }
    }
    const char = String.fromCodePoint(text.codePointAt(pos) ?? 0);
    return { kind: 'error', text: char, start: pos };
  }

  /** A string token whose prefix starts at `start` and opening quote is at `quotePos`. */
  private _readString(start: number, quotePos: number): IToken {
    const text = this._text;
    const quote = text[quotePos];
    const triple = text.startsWith(quote.repeat(3), quotePos);
    const closing = triple ? quote.repeat(3) : quote;
    let pos = quotePos + closing.length;
    while (pos < text.length) {
      const ch = text[pos];
      if (ch === '\\') {
        pos += 2;
      } else if (text.startsWith(closing, pos)) {
        const end = pos + closing.length;
        return { kind: 'string', text: text.slice(start, end), start };
      } else if (ch === '\n' && !triple) {
        break;
      } else {
        pos++;
      }
    }
    const end = Math.min(pos, text.length);
    return { kind: 'error', text: text.slice(start, end), start };
  }
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

/** Python refuses decimal integer literals longer than this (int max str digits). */
const MAX_INT_DIGITS = 4300;

/** The end of a `d(_?d)*` run at `pos` for digits accepted by `digit`. */
function digitRun(
  text: string,
  pos: number,
  digit: (ch: string) => boolean
): { end: number; ok: boolean } {
  if (!digit(text[pos] ?? '')) {
    return { end: pos, ok: false };
  }
  let end = pos + 1;
  while (end < text.length) {
    if (digit(text[end])) {
      end++;
    } else if (text[end] === '_' && digit(text[end + 1] ?? '')) {
      end += 2;
    } else {
      break;
    }
  }
  return text[end] === '_' ? { end: end + 1, ok: false } : { end, ok: true };
}

const RADIX_DIGITS: Record<string, (ch: string) => boolean> = {
  x: ch => /^[0-9a-fA-F]$/.test(ch),
  o: ch => ch >= '0' && ch <= '7',
  b: ch => ch === '0' || ch === '1'
};

/** A number token at `pos`; malformed literals (`0b`, `1__0`, `09`) are errors. */
function readNumber(text: string, pos: number): IToken {
  const token = (end: number, ok: boolean): IToken => ({
    kind: ok ? 'number' : 'error',
    text: text.slice(pos, end),
    start: pos
  });
  const radix =
    text[pos] === '0'
      ? RADIX_DIGITS[(text[pos + 1] ?? '').toLowerCase()]
      : undefined;
  if (radix) {
    const start = text[pos + 2] === '_' ? pos + 3 : pos + 2;
    const run = digitRun(text, start, radix);
    return token(Math.max(run.end, pos + 2), run.ok);
  }
  let run = { end: pos, ok: true };
  let isInt = true;
  if (text[pos] !== '.') {
    run = digitRun(text, pos, isDigit);
  }
  if (run.ok && text[run.end] === '.') {
    isInt = false;
    run = { end: run.end + 1, ok: true };
    if (isDigit(text[run.end] ?? '')) {
      run = digitRun(text, run.end, isDigit);
    }
  }
  const sign = text[run.end + 1] === '+' || text[run.end + 1] === '-' ? 1 : 0;
  const exponent = run.end + 1 + sign;
  if (
    run.ok &&
    (text[run.end] === 'e' || text[run.end] === 'E') &&
    isDigit(text[exponent] ?? '')
  ) {
    isInt = false;
    run = digitRun(text, exponent, isDigit);
  }
  if (run.ok && (text[run.end] === 'j' || text[run.end] === 'J')) {
    return token(run.end + 1, true);
  }
  const digits = text.slice(pos, run.end);
  const ok =
    run.ok &&
    (!isInt ||
      ((digits[0] !== '0' || /^[0_]*$/.test(digits)) &&
        (digits.length <= MAX_INT_DIGITS ||
          digits.replace(/_/g, '').length <= MAX_INT_DIGITS)));
  return token(Math.max(run.end, pos + 1), ok);
}
