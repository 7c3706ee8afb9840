/**
 * Plain JSON has no NaN or Infinity; the REST API spells them as strings.
 */

const DECODE = new Map<unknown, number>([
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity]
]);

/** A JSON metric value (number or 'NaN'/'Infinity'/'-Infinity') as a number; null if neither. */
export function decodeNumber(value: unknown): number | null {
  if (typeof value === 'number') {
    return value;
  }
  return DECODE.get(value) ?? null;
}

/** A number as the REST API takes it: non-finite values become strings. */
export function encodeNumber(value: number): number | string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (value === Infinity) {
    return 'Infinity';
  }
  if (value === -Infinity) {
    return '-Infinity';
  }
  return value;
}
