/**
 * Python displays: parentheses, lists, sets, dicts and their comprehensions.
 */
import type { ExprParser } from './pyExpr';
import { PyNode, PySyntaxError } from './pyNodes';

const OTHER: PyNode = { kind: 'other' };

/** A parenthesized expression, tuple, generator or yield, after its `(`. */
export function parenthesized(p: ExprParser): PyNode {
  if (p.eatOp(')')) {
    return { kind: 'tuple', items: [] };
  }
  if (p.atKeyword('yield')) {
    p.yieldExpression();
    p.expectOp(')');
    return OTHER;
  }
  const first = p.starNamedExpression();
  if (p.atComprehension()) {
    p.comprehension();
    p.expectOp(')');
    return OTHER;
  }
  if (p.eatOp(')')) {
    if (first.kind === 'starred') {
      throw new PySyntaxError('starred');
    }
    return first;
  }
  return sequence(p, [first], ')', 'tuple');
}

/** A list display or comprehension, after its `[`. */
export function list(p: ExprParser): PyNode {
  if (p.eatOp(']')) {
    return { kind: 'list', items: [] };
  }
  const first = p.starNamedExpression();
  if (p.atComprehension()) {
    p.comprehension();
    p.expectOp(']');
    return OTHER;
  }
  return sequence(p, [first], ']', 'list');
}

/** The rest of a comma-separated display whose first items are parsed. */
function sequence(
  p: ExprParser,
  items: PyNode[],
  close: string,
  kind: 'tuple' | 'list' | 'set'
): PyNode {
  while (p.eatOp(',') && !p.atOp(close)) {
    items.push(p.starNamedExpression());
  }
  p.expectOp(close);
  return { kind, items };
}

/** A dict or set display or comprehension, after its `{`. */
export function braces(p: ExprParser): PyNode {
  if (p.eatOp('}')) {
    return { kind: 'dict', keys: [], values: [] };
  }
  if (p.atOp('**')) {
    return dict(p, null);
  }
  const first = p.starNamedExpression();
  if (first.kind !== 'starred' && p.eatOp(':')) {
    return dict(p, first);
  }
  if (p.atComprehension()) {
    p.comprehension();
    p.expectOp('}');
    return OTHER;
  }
  return sequence(p, [first], '}', 'set');
}

/** A dict display (or comprehension) whose first key, if any, is parsed. */
function dict(p: ExprParser, firstKey: PyNode | null): PyNode {
  const node: PyNode & { kind: 'dict' } = {
    kind: 'dict',
    keys: [],
    values: []
  };
  if (firstKey) {
    node.keys.push(firstKey);
    node.values.push(p.test());
    if (p.atComprehension()) {
      p.comprehension();
      p.expectOp('}');
      return OTHER;
    }
    if (!p.eatOp(',')) {
      p.expectOp('}');
      return node;
    }
  }
  while (!p.eatOp('}')) {
    if (p.eatOp('**')) {
      node.keys.push(null);
      node.values.push(p.bitOr());
    } else {
      node.keys.push(p.test());
      p.expectOp(':');
      node.values.push(p.test());
    }
    if (!p.eatOp(',')) {
      p.expectOp('}');
      break;
    }
  }
  return node;
}
