/**
 * How run keys are written in the filter language and in `order_by`
 * (`jupyterlab_runs/store/filter.py`): `metrics.accuracy`, ``params.`batch size` ``.
 */

/** The entities of the filter language, as the completion offers them. */
export type KeyEntity = 'params' | 'metrics' | 'tags' | 'attributes';

/** Run attributes the server filters and sorts on, with their value kind. */
export const ATTRIBUTES: ReadonlyArray<{
  /** Name in the filter language. */
  name: string;
  /** Whether it compares with numbers. */
  numeric: boolean;
}> = [
  { name: 'version', numeric: true },
  { name: 'name', numeric: false },
  { name: 'status', numeric: false },
  { name: 'source', numeric: false },
  { name: 'start_time', numeric: true },
  { name: 'end_time', numeric: true },
  { name: 'duration', numeric: true },
  { name: 'user', numeric: false },
  { name: 'notebook_path', numeric: false },
  { name: 'cell_id', numeric: false },
  { name: 'execution_count', numeric: true },
  { name: 'kernel_name', numeric: false },
  { name: 'language', numeric: false },
  { name: 'git_commit', numeric: false },
  { name: 'note', numeric: false },
  { name: 'id', numeric: false },
  { name: 'experiment_id', numeric: false }
];

// What the server's tokenizer reads as one identifier after `metrics.` (ASCII subset;
// anything else is quoted, which the server accepts for every key).
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A key as the filter language reads it: bare when it is an identifier, else in backticks. */
export function quoteKey(key: string): string {
  return PLAIN_KEY.test(key) ? key : '`' + key.replace(/`/g, '``') + '`';
}

/** The filter/order_by expression of a key, e.g. ``metrics.`val loss` `` or `version`. */
export function keyExpression(entity: KeyEntity, key: string): string {
  return entity === 'attributes' ? key : `${entity}.${quoteKey(key)}`;
}

/** One `order_by` clause split into its expression and direction. */
export interface ISortClause {
  /** The sort expression, e.g. `metrics.accuracy`. */
  expression: string;
  /** Whether the order is descending. */
  descending: boolean;
}

/** Parse `metrics.accuracy DESC` (ASC when no direction is given). */
export function parseSortClause(clause: string): ISortClause {
  const match = /^(.*?)\s+(ASC|DESC)\s*$/i.exec(clause.trim());
  if (!match) {
    return { expression: clause.trim(), descending: false };
  }
  return {
    expression: match[1],
    descending: match[2].toUpperCase() === 'DESC'
  };
}

/** The `order_by` clause of a sort. */
export function formatSortClause(sort: ISortClause): string {
  return `${sort.expression} ${sort.descending ? 'DESC' : 'ASC'}`;
}
