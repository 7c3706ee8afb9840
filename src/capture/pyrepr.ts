/**
 * Python-compatible text for literal values: `repr(float)` and the canonical JSON
 * that `jupyterlab_runs/kernel/capture.py` writes for containers.
 */

/** A Python literal value as the scanner reads it from source. */
export type PyValue =
  | { type: 'int'; value: bigint }
  | { type: 'float'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'none' }
  | { type: 'str'; value: string }
  | { type: 'list' | 'tuple' | 'set'; items: PyValue[] }
  | { type: 'dict'; entries: Array<[PyValue, PyValue]> };

/** Format a number as Python's `repr(float)` does (`1e-05`, `1e+16`, `200.0`, `nan`). */
export function formatPythonFloat(x: number): string {
  if (Number.isNaN(x)) {
    return 'nan';
  }
  if (!Number.isFinite(x)) {
    return x > 0 ? 'inf' : '-inf';
  }
  if (x === 0) {
    return Object.is(x, -0) ? '-0.0' : '0.0';
  }
  // toExponential() gives the shortest round-tripping digits, as repr does.
  const [mantissa, exp] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exp);
  const sign = x < 0 ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? '.' + digits.slice(1) : '';
    const expSign = exponent < 0 ? '-' : '+';
    const expDigits = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${digits[0]}${fraction}e${expSign}${expDigits}`;
  }
  if (exponent < 0) {
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1) || '0';
  return `${sign}${whole}.${fraction}`;
}

/** Python refuses to print ints of 4301 digits or more (`sys.get_int_max_str_digits()`). */
const INT_LIMIT = 10n ** 4300n;

/** Decimal text of an int, or null when Python could not print it either. */
export function intText(value: bigint): string | null {
  return value < INT_LIMIT && value > -INT_LIMIT ? value.toString() : null;
}

/** Canonical JSON of a value, as `json.dumps(…, ensure_ascii=False)` writes it. */
export function toJson(value: PyValue): string {
  switch (value.type) {
    case 'int':
      return value.value.toString();
    case 'float':
      return jsonFloat(value.value);
    case 'bool':
      return value.value ? 'true' : 'false';
    case 'none':
      return 'null';
    case 'str':
      return JSON.stringify(value.value);
    case 'list':
    case 'tuple':
      return `[${value.items.map(toJson).join(', ')}]`;
    case 'set':
      return `[${sortedSet(value.items).join(', ')}]`;
    case 'dict':
      return `{${dictEntries(value.entries)
        .map(([key, item]) => `${JSON.stringify(key)}: ${toJson(item)}`)
        .join(', ')}}`;
  }
}

/**
 * A dict's entries keyed by text: strings as they are, other keys as their JSON.
 * A repeated key keeps its first position and its last value, like a Python dict.
 */
export function dictEntries(
  entries: Array<[PyValue, PyValue]>
): Array<[string, PyValue]> {
  const byKey = new Map<string, PyValue>();
  for (const [key, item] of entries) {
    byKey.set(key.type === 'str' ? key.value : toJson(key), item);
  }
  return [...byKey];
}

function jsonFloat(x: number): string {
  if (Number.isNaN(x)) {
    return 'NaN';
  }
  if (!Number.isFinite(x)) {
    return x > 0 ? 'Infinity' : '-Infinity';
  }
  return formatPythonFloat(x);
}

/** Set members as JSON, without duplicates, in a stable order (see tests/vectors/README.md). */
function sortedSet(items: PyValue[]): string[] {
  const unique = new Map<string, PyValue>();
  for (const item of items) {
    const text = toJson(item);
    if (!unique.has(text)) {
      unique.set(text, item);
    }
  }
  return [...unique]
    .sort(
      ([textA, a], [textB, b]) =>
        compareMembers(a, b) || compareText(textA, textB)
    )
    .map(([text]) => text);
}

const RANKS: Record<PyValue['type'], number> = {
  none: 0,
  bool: 1,
  int: 2,
  float: 2,
  str: 3,
  list: 4,
  tuple: 4,
  set: 4,
  dict: 5
};

/** None < bools < numbers (by value) < strings (by code point) < containers (by JSON). */
function compareMembers(a: PyValue, b: PyValue): number {
  const rank = RANKS[a.type] - RANKS[b.type];
  if (rank !== 0) {
    return rank;
  }
  if (a.type === 'bool' && b.type === 'bool') {
    return Number(a.value) - Number(b.value);
  }
  if (
    (a.type === 'int' || a.type === 'float') &&
    (b.type === 'int' || b.type === 'float')
  ) {
    // bigint and number compare exactly with < and >.
    return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  }
  if (a.type === 'str' && b.type === 'str') {
    return compareText(a.value, b.value);
  }
  return 0;
}

/** Compare strings by code point, as Python does (UTF-16 order differs above U+FFFF). */
export function compareText(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const left = a.charCodeAt(i);
    const right = b.charCodeAt(i);
    if (left !== right) {
      return codePointRank(left) - codePointRank(right);
    }
  }
  return a.length - b.length;
}

/** Surrogates (U+D800–DFFF) encode code points above U+FFFF: rank them after U+E000–FFFF. */
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
}
