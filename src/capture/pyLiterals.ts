/**
 * Values of Python number and string tokens, decoded as CPython does.
 */

/** A decoded string token. */
export interface IStringPart {
  /** The decoded text (bytes map to U+0000–U+00FF), or null for a SyntaxError. */
  value: string | null;
  /** A bytes literal (`b'…'`). */
  bytes: boolean;
  /** An f-string: valid, but never a literal value. */
  formatted: boolean;
  /** Uses a `\N{…}` escape, whose value needs Unicode's name table: never captured. */
  named: boolean;
  /** The expressions of an f-string's replacement fields (`{expr!r:spec}`). */
  fields: string[];
}

/** The value of a number token: an int, a float, or a complex (not capturable). */
export type NumberValue =
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'complex' };

/** Value of a (well-formed) number token. */
export function numberValue(text: string): NumberValue {
  if (/^[0-9]+$/.test(text)) {
    return { kind: 'int', value: BigInt(text) };
  }
  const plain = text.replace(/_/g, '').toLowerCase();
  if (plain.endsWith('j')) {
    return { kind: 'complex' };
  }
  if (/^0[xob]/.test(plain)) {
    return { kind: 'int', value: BigInt(plain) };
  }
  if (/[.e]/.test(plain)) {
    return { kind: 'float', value: Number(plain) };
  }
  return { kind: 'int', value: BigInt(plain) };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v'
};

/** Hex digits that `\\x`, `\\u` and `\\U` take (bytes only know `\\x`). */
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Decode a string token (prefix, quotes and body) as Python would. */
export function decodeString(token: string): IStringPart {
  const quoteAt = token.search(/['"]/);
  const prefix = token.slice(0, quoteAt).toLowerCase();
  const quote = token[quoteAt];
  const width = token.startsWith(quote.repeat(3), quoteAt) ? 3 : 1;
  const body = token.slice(quoteAt + width, token.length - width);
  const bytes = prefix.includes('b');
  const part: IStringPart = {
    value: null,
    bytes,
    formatted: prefix.includes('f'),
    named: body.includes('\\N{'),
    fields: []
  };
  if (bytes && /[\u0080-\uffff]/.test(body)) {
    return part;
  }
  if (part.formatted) {
    const fields = formattedFields(body, prefix.includes('r'));
    if (!fields) {
      return part;
    }
    part.fields = fields;
  }
  part.value = prefix.includes('r') ? body : unescape(body, bytes);
  return part;
}

/** Decode backslash escapes; null when Python would raise a SyntaxError. */
function unescape(body: string, bytes: boolean): string | null {
  if (!body.includes('\\')) {
    return body;
  }
  let out = '';
  let pos = 0;
  while (pos < body.length) {
    const slash = body.indexOf('\\', pos);
    if (slash < 0) {
      return out + body.slice(pos);
    }
    out += body.slice(pos, slash);
    const ch = body[slash + 1] ?? '';
    pos = slash + 2;
    if (ch === '\n') {
      continue;
    }
    if (ch in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[ch];
      continue;
    }
    if (ch >= '0' && ch <= '7') {
      const digits =
        /^[0-7]{1,3}/.exec(body.slice(slash + 1, slash + 4))?.[0] ?? ch;
      const code = parseInt(digits, 8);
      out += String.fromCharCode(bytes ? code & 0xff : code);
      pos = slash + 1 + digits.length;
      continue;
    }
    const hexLength = HEX_ESCAPES[ch];
    if (hexLength && (ch === 'x' || !bytes)) {
      const hex = body.slice(pos, pos + hexLength);
      const code = parseInt(hex, 16);
      if (
        !/^[0-9a-fA-F]+$/.test(hex) ||
        hex.length < hexLength ||
        code > 0x10ffff
      ) {
        return null;
      }
      out += String.fromCodePoint(code);
      pos += hexLength;
      continue;
    }
    if (ch === 'N' && !bytes) {
      const close = body.indexOf('}', pos);
      if (body[pos] !== '{' || close < 0) {
        return null;
      }
      pos = close + 1;
      continue;
    }
    out += '\\' + ch;
  }
  return out;
}

/**
 * The replacement-field expressions of an f-string body, or null when CPython
 * would reject its braces (`{}`, a single `}`, `{x!z}`, unclosed or too deep).
 * The expressions themselves are parsed by the caller.
 */
export function formattedFields(body: string, raw: boolean): string[] | null {
  const fields: string[] = [];
  const end = scanFormatted(body, 0, raw, fields, 0, false);
  return end === body.length ? fields : null;
}

/**
 * Scan literal text with fields from `pos`; in a format spec (`inSpec`) stop at the
 * `}` closing the field. Returns where scanning stopped, or -1 on an error.
 */
function scanFormatted(
  body: string,
  pos: number,
  raw: boolean,
  fields: string[],
  nesting: number,
  inSpec: boolean
): number {
  while (pos < body.length) {
    const ch = body[pos];
    if (ch === '\\' && !raw && body[pos + 1] !== '{' && body[pos + 1] !== '}') {
      const named = body.startsWith('N{', pos + 1)
        ? body.indexOf('}', pos)
        : -1;
      pos = named >= 0 ? named + 1 : pos + 2;
    } else if ((ch === '{' || ch === '}') && body[pos + 1] === ch) {
      pos += 2;
    } else if (ch === '{') {
      pos = scanField(body, pos + 1, raw, fields, nesting);
      if (pos < 0) {
        return -1;
      }
    } else if (ch === '}') {
      return inSpec ? pos : -1;
    } else {
      pos++;
    }
  }
  return inSpec ? -1 : pos;
}

/** Scan a replacement field after its `{`; return the index after its `}`, or -1. */
function scanField(
  body: string,
  start: number,
  raw: boolean,
  fields: string[],
  nesting: number
): number {
  if (nesting >= 2) {
    return -1;
  }
  let depth = 0;
  let pos = start;
  for (; pos < body.length; pos++) {
    const ch = body[pos];
    if (ch === '"' || ch === "'") {
      pos = skipQuoted(body, pos) - 1;
    } else if ('([{'.includes(ch)) {
      depth++;
    } else if (')]}'.includes(ch)) {
      if (depth === 0) {
        break;
      }
      depth--;
    } else if (
      depth === 0 &&
      (ch === ':' || (ch === '!' && body[pos + 1] !== '='))
    ) {
      break;
    }
  }
  let expression = body.slice(start, pos).trimEnd();
  if (
    expression.endsWith('=') &&
    !'=!<>'.includes(expression[expression.length - 2])
  ) {
    expression = expression.slice(0, -1); // self-documenting `{x=}`
  }
  if (body[pos] !== '}' && body[pos] !== ':' && body[pos] !== '!') {
    return -1;
  }
  if (!expression.trim()) {
    return -1;
  }
  fields.push(expression);
  if (body[pos] === '!') {
    if (
      !'rsa'.includes(body[pos + 1] ?? '!') ||
      !':}'.includes(body[pos + 2] ?? '!')
    ) {
      return -1;
    }
    pos += 2;
  }
  if (body[pos] === ':') {
    pos = scanFormatted(body, pos + 1, raw, fields, nesting + 1, true);
  }
  return pos >= 0 && body[pos] === '}' ? pos + 1 : -1;
}

/** The index after the string literal whose quote is at `pos` (or the body's end). */
function skipQuoted(body: string, pos: number): number {
  const quote = body.startsWith(body[pos].repeat(3), pos)
    ? body[pos].repeat(3)
    : body[pos];
  let i = pos + quote.length;
  while (i < body.length && !body.startsWith(quote, i)) {
    i += body[i] === '\\' ? 2 : 1;
  }
  return Math.min(i + quote.length, body.length);
}
