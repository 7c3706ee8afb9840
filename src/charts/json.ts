/** Reading JSON values: non-finite number spellings, plain objects, length caps, issue text. */
import { IIssue, NonFiniteToken } from './types';

/** A number read from JSON: finite, one of the non-finite spellings, or not a number. */
export type DecodedNumber =
  | { readonly kind: 'finite'; readonly value: number }
  | { readonly kind: 'nonFinite'; readonly token: NonFiniteToken }
  | { readonly kind: 'invalid' };

/** Decode a JSON number, accepting the strings `"NaN"`, `"Infinity"`, `"-Infinity"`. */
export function decodeNumber(value: unknown): DecodedNumber {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) {
      return { kind: 'finite', value };
    }
    return { kind: 'nonFinite', token: nonFiniteToken(value) };
  }
  if (typeof value === 'string') {
    const token = NON_FINITE_SPELLINGS.get(value.trim().toLowerCase());
    if (token !== undefined) {
      return { kind: 'nonFinite', token };
    }
  }
  return { kind: 'invalid' };
}

/** Whether a value is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Shorten text to `max` characters, marking the cut with an ellipsis. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Render an issue in English (for errors thrown outside a translated view). */
export function formatIssue(issue: IIssue): string {
  return issue.message.replace(/%(\d+)/g, (slot, n: string) => {
    const arg = issue.args[Number(n) - 1];
    return arg === undefined ? slot : String(arg);
  });
}

/** Ways to spell a non-finite number in our JSON (lower-cased). */
const NON_FINITE_SPELLINGS: ReadonlyMap<string, NonFiniteToken> = new Map([
  ['nan', 'NaN'],
  ['inf', 'Infinity'],
  ['+inf', 'Infinity'],
  ['infinity', 'Infinity'],
  ['+infinity', 'Infinity'],
  ['-inf', '-Infinity'],
  ['-infinity', '-Infinity']
]);

function nonFiniteToken(value: number): NonFiniteToken {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  return value > 0 ? 'Infinity' : '-Infinity';
}
