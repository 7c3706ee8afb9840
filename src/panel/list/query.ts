/** The sort choices of the compact run list and their server-side `order_by` clause. */

import { keyExpression } from '../../models/keys';

/** Columns of the compact run list that can be sorted. */
export type SortColumn =
  'version' | 'name' | 'status' | 'start_time' | 'metric';

/** Every sortable column, in display order. */
export const SORT_COLUMNS: readonly SortColumn[] = [
  'version',
  'name',
  'status',
  'start_time',
  'metric'
];

/** A sort choice. */
export interface ISortState {
  /** The column sorted by. */
  column: SortColumn;
  /** Whether the order is descending. */
  descending: boolean;
}

/** The default order: newest version first. */
export const DEFAULT_SORT: ISortState = { column: 'version', descending: true };

/** The `order_by` clause of a sort; `metric` sorts by the metric shown (version without one). */
export function orderByClause(sort: ISortState, metric: string | null): string {
  const direction = sort.descending ? 'DESC' : 'ASC';
  if (sort.column === 'metric') {
    return metric
      ? `${keyExpression('metrics', metric)} ${direction}`
      : `version ${direction}`;
  }
  return `${sort.column} ${direction}`;
}

/** The sort after clicking `column`: the same column flips, another starts in its natural order. */
export function nextSort(current: ISortState, column: SortColumn): ISortState {
  if (current.column === column) {
    return { column, descending: !current.descending };
  }
  // Versions, times and metrics read best high-first; names and statuses A→Z.
  return { column, descending: column !== 'name' && column !== 'status' };
}
