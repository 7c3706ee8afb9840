/**
 * Params of an unmodified notebook cell: its top-level literal assignments and the
 * literal keyword arguments of its calls. Kept in step with
 * `jupyterlab_runs/kernel/capture.py` by tests/vectors (rules in tests/vectors/README.md).
 */
import { IKeywordArg, literalValue, PyNode } from './pyNodes';
import { dictEntries, formatPythonFloat, PyValue, toJson } from './pyrepr';
import { IStatementLine, parseChunk, splitChunks } from './pyChunks';
import { SimpleStatement } from './pyStatements';
import { prepareCell, tokenizeLines } from './pyTokenizer';

/** The original Python type of a captured value. */
export type ValueType = 'int' | 'float' | 'bool' | 'none' | 'str' | 'json';

/** A param read from a cell's source. */
export interface IScannedParam {
  /** Name, dotted for flattened dict entries (`cfg.lr`). */
  key: string;
  /** Canonical text of the value. */
  value: string;
  /** Original type of the value. */
  type: ValueType;
  /** A top-level assignment or a call's keyword argument. */
  source: 'assign' | 'kwarg';
}

/** Params of a cell in source order; a key's last assignment wins, kwargs only fill gaps. */
export function scanParams(source: string): IScannedParam[] {
  return scanCell(source).params;
}

/**
 * Names the cell binds at module level from non-literal values (`acc = score(…)`,
 * `a, b = f()`, `total += x`): the candidates for variable metrics.
 */
export function scanAssignedNames(source: string): string[] {
  return scanCell(source).assigned;
}

interface ICellScan {
  params: IScannedParam[];
  assigned: string[];
}

/** Both results of one scan; the capture asks for both on the same source. */
let lastScan: { source: string; scan: ICellScan } | null = null;

function scanCell(source: string): ICellScan {
  if (lastScan?.source !== source) {
    lastScan = { source, scan: scan(source) };
  }
  const { params, assigned } = lastScan.scan;
  return {
    params: params.map(param => ({ ...param })),
    assigned: [...assigned]
  };
}

function scan(source: string): ICellScan {
  const text = prepareCell(source);
  if (text === null) {
    return { params: [], assigned: [] };
  }
  // A name's params (its last binding was a literal) or null (a non-literal one).
  const bindings = new Map<string, IScannedParam[] | null>();
  const kwargs = new Map<string, IScannedParam[]>();
  const lines = tokenizeLines(text);
  const chunks = splitChunks(lines);
  chunks.forEach((chunk, i) => {
    const end = i + 1 < chunks.length ? chunks[i + 1][0].start : text.length;
    const parsed = text.slice(chunk[0].start, end).includes('\0')
      ? null
      : parseChunk(chunk);
    for (const line of parsed ?? []) {
      bindLine(line, bindings);
      for (const kwarg of sortedKwargs(line.kwargs)) {
        kwargs.set(kwarg.key, flatten(kwarg.key, kwarg.value, 'kwarg'));
      }
    }
  });
  const params = new Map<string, IScannedParam>();
  for (const group of bindings.values()) {
    for (const param of group ?? []) {
      params.set(param.key, param);
    }
  }
  const assigned = new Set(params.keys());
  for (const group of kwargs.values()) {
    for (const param of group) {
      if (!assigned.has(param.key)) {
        params.set(param.key, param);
      }
    }
  }
  const names = [...bindings]
    .filter(([, group]) => group === null)
    .map(([name]) => name);
  return { params: [...params.values()], assigned: names };
}

function sortedKwargs(kwargs: IKeywordArg[]): IKeywordArg[] {
  return [...kwargs].sort((a, b) => a.start - b.start);
}

function bindLine(
  line: IStatementLine,
  bindings: Map<string, IScannedParam[] | null>
): void {
  if (line.context === 'scope') {
    return;
  }
  const top = line.context === 'top';
  for (const statement of line.statements) {
    for (const [target, value] of assignments(statement)) {
      bindTarget(target, value, top, bindings);
    }
  }
}

/** (target, value) pairs of a statement; an augmented assignment has no literal value. */
function assignments(statement: SimpleStatement): Array<[PyNode, PyNode]> {
  switch (statement.kind) {
    case 'assign':
      return statement.targets.map(target => [target, statement.value]);
    case 'annotated':
      return statement.value ? [[statement.target, statement.value]] : [];
    case 'augmented':
      return [[statement.target, { kind: 'other' }]];
    default:
      return [];
  }
}

function bindTarget(
  target: PyNode,
  value: PyNode,
  top: boolean,
  bindings: Map<string, IScannedParam[] | null>
): void {
  if (target.kind === 'name') {
    const literal = literalValue(value);
    if (!literal) {
      bindings.set(target.id, null);
    } else if (top) {
      bindings.set(target.id, flatten(target.id, literal, 'assign'));
    }
    return;
  }
  if (
    target.kind !== 'tuple' &&
    target.kind !== 'list' &&
    target.kind !== 'starred'
  ) {
    return;
  }
  if (
    target.kind !== 'starred' &&
    (value.kind === 'tuple' || value.kind === 'list') &&
    value.items.length === target.items.length &&
    ![...value.items, ...target.items].some(item => item.kind === 'starred')
  ) {
    target.items.forEach((item, i) =>
      bindTarget(item, value.items[i], top, bindings)
    );
  } else if (!literalValue(value)) {
    for (const name of targetNames(target)) {
      bindings.set(name, null);
    }
  }
}

function targetNames(target: PyNode): string[] {
  switch (target.kind) {
    case 'name':
      return [target.id];
    case 'starred':
      return targetNames(target.value);
    case 'tuple':
    case 'list':
      return target.items.flatMap(targetNames);
    default:
      return [];
  }
}

/** Params for one value: a dict with only string keys becomes dotted keys. */
function flatten(
  key: string,
  value: PyValue,
  source: IScannedParam['source']
): IScannedParam[] {
  const byKey = new Map<string, IScannedParam>();
  const visit = (name: string, item: PyValue) => {
    if (
      item.type === 'dict' &&
      item.entries.length > 0 &&
      item.entries.every(([entryKey]) => entryKey.type === 'str')
    ) {
      for (const [entryKey, entry] of dictEntries(item.entries)) {
        visit(`${name}.${entryKey}`, entry);
      }
    } else {
      byKey.set(name, { key: name, ...valueText(item), source });
    }
  };
  visit(key, value);
  return [...byKey.values()];
}

/** The text and type a param stores for a value. */
function valueText(value: PyValue): { value: string; type: ValueType } {
  switch (value.type) {
    case 'int':
      return { value: value.value.toString(), type: 'int' };
    case 'float':
      return { value: formatPythonFloat(value.value), type: 'float' };
    case 'bool':
      return { value: value.value ? 'True' : 'False', type: 'bool' };
    case 'none':
      return { value: 'None', type: 'none' };
    case 'str':
      return { value: value.value, type: 'str' };
    default:
      return { value: toJson(value), type: 'json' };
  }
}
