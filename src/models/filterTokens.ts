/**
 * A forgiving tokenizer of the filter language, mirroring the server's
 * (`jupyterlab_runs/store/filter_lexer.py`) but never failing: an unterminated quote becomes
 * a `partial` token and a stray character an `other` token, so text being typed still tokenizes.
 */

/** Token kinds; `quoted` is a backtick key, `dquoted` a double-quoted key or string. */
export type FilterTokenKind =
  | 'number'
  | 'ident'
  | 'keyword'
  | 'string'
  | 'dquoted'
  | 'quoted'
  | 'op'
  | 'punct'
  | 'partial'
  | 'other';

/** One token with its place in the text. */
export interface IFilterToken {
  /** Kind of token. */
  kind: FilterTokenKind;
  /** The text as typed. */
  text: string;
  /** Offset of the first character. */
  start: number;
  /** Offset after the last character. */
  end: number;
}

/** Words the server reads as keywords (case-insensitive). */
export const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'ILIKE',
  'IS',
  'NULL',
  'ASC',
  'DESC'
]);

// Same alternatives, in the same order, as the server's _TOKEN (Python's \w is Unicode).
const TOKEN = new RegExp(
  [
    '(?<space>\\s+)',
    '(?<number>[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)',
    '(?<ident>[\\p{L}_][\\p{L}\\p{N}_]*(?:\\.[\\p{L}\\p{N}_]+)*)',
    "(?<string>'(?:[^']|'')*')",
    '(?<dquoted>"(?:[^"]|"")*")',
    '(?<quoted>`(?:[^`]|``)*`)',
    '(?<op>==|!=|<>|<=|>=|=|<|>)',
    '(?<punct>[().,])'
  ].join('|'),
  'uy'
);

/** The tokens of `text` (spaces dropped). */
export function tokenizeFilter(text: string): IFilterToken[] {
  const tokens: IFilterToken[] = [];
  let position = 0;
  while (position < text.length) {
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(text);
    if (!match || !match.groups) {
      const char = text[position];
      const kind = `'"\``.includes(char) ? 'partial' : 'other';
      const end = kind === 'partial' ? text.length : position + 1;
      tokens.push({
        kind,
        text: text.slice(position, end),
        start: position,
        end
      });
      position = end;
      continue;
    }
    const [kind, raw] = Object.entries(match.groups).find(
      ([, value]) => value !== undefined
    ) as [string, string];
    const end = position + raw.length;
    if (kind !== 'space') {
      const isKeyword = kind === 'ident' && KEYWORDS.has(raw.toUpperCase());
      tokens.push({
        kind: isKeyword ? 'keyword' : (kind as FilterTokenKind),
        text: raw,
        start: position,
        end
      });
    }
    position = end;
  }
  return tokens;
}

/** The value of a quoted token (quotes removed, doubled quotes undone). */
export function unquote(token: IFilterToken): string {
  const quote = token.text[0];
  const closed = token.kind !== 'partial';
  const inner = token.text.slice(1, closed ? -1 : undefined);
  return inner.split(quote + quote).join(quote);
}
