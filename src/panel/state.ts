/**
 * What the Runs panel remembers across reloads (in the state database under
 * `jupyterlab-runs:panel`): the experiment chosen, the filter, the sort, the metric
 * column and the view. Values read back are checked, never trusted.
 */

import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { RunView } from '../api/types';
import {
  DEFAULT_SORT,
  ISortState,
  SORT_COLUMNS,
  SortColumn
} from './list/query';

/** The state database key of the panel. */
export const STATE_KEY = 'jupyterlab-runs:panel';

/** The list views the panel offers. */
export type ListView = Extract<RunView, 'active' | 'deleted'>;

/** The persisted choices of the panel. */
export interface IPanelState {
  /** Experiment chosen by name, or null to follow the active notebook. */
  experiment: string | null;
  /** The filter text. */
  filter: string;
  /** The sort. */
  sort: ISortState;
  /** The metric shown in the list, or null for the default. */
  metric: string | null;
  /** Active or deleted runs. */
  view: ListView;
}

/** The state of a fresh panel. */
export const DEFAULT_STATE: IPanelState = {
  experiment: null,
  filter: '',
  sort: DEFAULT_SORT,
  metric: null,
  view: 'active'
};

/** The state as JSON for the state database. */
export function stateToJSON(state: IPanelState): ReadonlyPartialJSONObject {
  return {
    experiment: state.experiment,
    filter: state.filter,
    sort: { column: state.sort.column, descending: state.sort.descending },
    metric: state.metric,
    view: state.view
  };
}

/** A state read back from the database; anything malformed falls back to the default. */
export function parsePanelState(value: unknown): IPanelState {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return DEFAULT_STATE;
  }
  const raw = value as Record<string, unknown>;
  const text = (v: unknown): string | null =>
    typeof v === 'string' && v.length > 0 ? v : null;
  const sort = raw.sort as Record<string, unknown> | null | undefined;
  const column = sort?.column as SortColumn;
  return {
    experiment: text(raw.experiment),
    filter: typeof raw.filter === 'string' ? raw.filter : '',
    sort: SORT_COLUMNS.includes(column)
      ? { column, descending: sort?.descending === true }
      : DEFAULT_SORT,
    metric: text(raw.metric),
    view: raw.view === 'deleted' ? 'deleted' : 'active'
  };
}
