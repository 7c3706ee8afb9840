/**
 * Metrics printed by a cell: `Accuracy: 0.964`, `loss=0.31, acc=0.88`,
 * `epoch 3 | loss=0.2 | acc=0.9`. Same rules as `extract_metrics` in
 * `jupyterlab_runs/kernel/capture.py` (tests/vectors/README.md).
 */

/** A metric found in printed output. */
export interface IExtractedMetric {
  /** Normalized name: lower case, spaces as `_` (`Test Accuracy` → `test_accuracy`). */
  key: string;
  /** The printed number (NaN and ±Infinity included). */
  value: number;
}

/** Metrics in `text`, one value per key: the last printed, in order of first appearance. */
export function extractMetrics(text: string): IExtractedMetric[] {
  const found = new Map<string, number>();
  for (const line of text.replace(ANSI_ESCAPE, '').split(/\r\n|\r|\n/)) {
    for (const [key, value] of linePairs(line) ?? []) {
      found.set(key, value);
    }
  }
  return [...found].map(([key, value]) => ({ key, value }));
}

// Terminal colour and cursor sequences (CSI) and two-character escapes.
// eslint-disable-next-line no-control-regex -- matching ESC is the point
const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-_])/g;
const MAX_NAME_LENGTH = 64;
const MAX_VALUE_LENGTH = 100;
const NAME = /^\p{L}[\p{L}\p{M}\p{Nd} _./-]*$/u;
const COUNTER = /^\p{Nd}+$/u;
const NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL = new Set(['nan', 'inf', 'infinity']);
const NUMPY =
  /^(?:np|numpy)\.(?:float|int|uint)(?:8|16|32|64|128)?\(([^()]*)\)$/;
const TENSOR = /^tensor\(([^(),]*)(?:,[^()]*)?\)$/;
const BLANK = ' \t\f\v';

/**
 * The `name: number` pairs of a line, or null when the line is not a metric line:
 * it is cut into segments (at `|`, ` - `, and `,`/`;` before a space, outside
 * brackets); each segment is a pair, a label without `:`/`=` (`epoch 3`), or
 * blank-separated words where every word with `:`/`=` is a pair; any other
 * segment rejects the whole line.
 */
function linePairs(line: string): Array<[string, number]> | null {
  const pairs: Array<[string, number]> = [];
  for (const segment of splitOutside(line, isSegmentBreak)) {
    if (separatorAt(segment) < 0) {
      continue;
    }
    const pair = parsePair(segment);
    if (pair) {
      pairs.push(pair);
      continue;
    }
    for (const word of splitOutside(segment, (text, i) =>
      BLANK.includes(text[i])
    )) {
      if (separatorAt(word) < 0) {
        continue;
      }
      const wordPair = parsePair(word);
      if (!wordPair) {
        return null;
      }
      pairs.push(wordPair);
    }
  }
  return pairs;
}

function isSegmentBreak(text: string, i: number): boolean {
  const ch = text[i];
  const after = text[i + 1] ?? ' ';
  switch (ch) {
    case '|':
      return true;
    case ',':
    case ';':
      return BLANK.includes(after);
    case '-':
      return i > 0 && BLANK.includes(text[i - 1]) && BLANK.includes(after);
    default:
      return false;
  }
}

/** Trimmed, non-empty pieces of `text` cut where `isBreak` holds outside brackets. */
function splitOutside(
  text: string,
  isBreak: (text: string, i: number) => boolean
): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') {
      depth++;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      depth = Math.max(0, depth - 1);
    } else if (i === text.length || (depth === 0 && isBreak(text, i))) {
      const piece = trim(text.slice(start, i));
      if (piece) {
        pieces.push(piece);
      }
      start = i + 1;
    }
  }
  return pieces;
}

/** Index of the first `:` or `=` outside brackets, or -1. */
function separatorAt(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') {
      depth++;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      depth = Math.max(0, depth - 1);
    } else if (depth === 0 && (ch === ':' || ch === '=')) {
      return i;
    }
  }
  return -1;
}

function parsePair(text: string): [string, number] | null {
  const at = separatorAt(text);
  const key = metricKey(trim(text.slice(0, at)));
  const value = metricValue(trim(text.slice(at + 1)));
  return key !== null && value !== null ? [key, value] : null;
}

/** The normalized key for a printed name, or null when it does not look like one. */
function metricKey(name: string): string | null {
  if (
    name.length > 2 * MAX_NAME_LENGTH ||
    Array.from(name).length > MAX_NAME_LENGTH
  ) {
    return null;
  }
  const words = name.split(' ');
  if (!NAME.test(name) || COUNTER.test(words[words.length - 1])) {
    return null;
  }
  return name
    .toLowerCase()
    .replace(/ +/g, '_')
    .replace(/[._/-]+$/, '');
}

/** The number printed as `text` (`0.96`, `87.5%`, `nan`, `np.float64(0.93)`), or null. */
function metricValue(text: string): number | null {
  if (text.length > MAX_VALUE_LENGTH) {
    return null;
  }
  const wrapped = NUMPY.exec(text) ?? TENSOR.exec(text);
  if (wrapped) {
    return plainNumber(trim(wrapped[1]));
  }
  return plainNumber(text.endsWith('%') ? text.slice(0, -1) : text);
}

function plainNumber(text: string): number | null {
  if (NUMBER.test(text)) {
    return Number(text);
  }
  const unsigned = /^[+-]/.test(text) ? text.slice(1) : text;
  if (SPECIAL.has(unsigned.toLowerCase())) {
    if (unsigned.toLowerCase() === 'nan') {
      return NaN;
    }
    return text.startsWith('-') ? -Infinity : Infinity;
  }
  return null;
}

/** Strip spaces, tabs, form feeds and vertical tabs (not other Unicode spaces). */
function trim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && BLANK.includes(text[start])) {
    start++;
  }
  while (end > start && BLANK.includes(text[end - 1])) {
    end--;
  }
  return text.slice(start, end);
}
