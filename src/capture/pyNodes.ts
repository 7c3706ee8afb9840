/**
 * The small expression tree the Python scanner builds: only literals, names and
 * assignment targets are kept; everything else is `other`.
 */
import { PyValue } from './pyrepr';

/** The parts of a Python expression the capture looks at. */
export type PyNode =
  | { kind: 'name'; id: string }
  | { kind: 'const'; value: PyValue | null } // null: a constant we never capture
  | { kind: 'unary'; op: string; operand: PyNode }
  | { kind: 'tuple' | 'list' | 'set'; items: PyNode[] }
  | { kind: 'dict'; keys: Array<PyNode | null>; values: PyNode[] }
  | { kind: 'starred'; value: PyNode }
  | { kind: 'attr' | 'subscript' | 'call' | 'other' };

/** A keyword argument with a literal value, found in a call. */
export interface IKeywordArg {
  /** The argument's name. */
  key: string;
  /** Its literal value. */
  value: PyValue;
  /** Offset of the name in the cell text (source order). */
  start: number;
}

/** Where CPython's parser would raise a SyntaxError. */
export class PySyntaxError extends Error {}

/** Python's hard keywords. */
export const KEYWORDS: ReadonlySet<string> = new Set(
  (
    'False None True and as assert async await break class continue def del elif ' +
    'else except finally for from global if import in is lambda nonlocal not or ' +
    'pass raise return try while with yield'
  ).split(' ')
);

/** The literal value of an expression node, or null when it is not a literal. */
export function literalValue(node: PyNode): PyValue | null {
  switch (node.kind) {
    case 'const':
      return node.value;
    case 'unary':
      return signedNumber(node);
    case 'tuple':
    case 'list':
    case 'set': {
      const items = node.items.map(literalValue);
      return items.every(isValue) ? { type: node.kind, items } : null;
    }
    case 'dict': {
      const entries: Array<[PyValue, PyValue]> = [];
      for (let i = 0; i < node.keys.length; i++) {
        const key = node.keys[i];
        const item = literalValue(node.values[i]);
        const keyValue = key && literalValue(key);
        if (!keyValue || !item) {
          return null;
        }
        entries.push([keyValue, item]);
      }
      return { type: 'dict', entries };
    }
    default:
      return null;
  }
}

/** `-x`, `+x`, `--x` … of a number (iteratively: chains can be very long). */
function signedNumber(node: PyNode): PyValue | null {
  let negative = false;
  let operand = node;
  while (operand.kind === 'unary') {
    if (operand.op !== '-' && operand.op !== '+') {
      return null;
    }
    negative = negative !== (operand.op === '-');
    operand = operand.operand;
  }
  const value = operand.kind === 'const' ? operand.value : null;
  if (value?.type === 'int') {
    return negative ? { type: 'int', value: -value.value } : value;
  }
  if (value?.type === 'float') {
    return negative ? { type: 'float', value: -value.value } : value;
  }
  return null;
}

function isValue(value: PyValue | null): value is PyValue {
  return value !== null;
}

/** Whether `node` can be assigned to (`x`, `a.b`, `a[i]`, `(x, *y)`). */
export function isTarget(node: PyNode): boolean {
  switch (node.kind) {
    case 'name':
    case 'attr':
    case 'subscript':
      return true;
    case 'starred':
      return isTarget(node.value);
    case 'tuple':
    case 'list':
      return node.items.every(isTarget);
    default:
      return false;
  }
}
