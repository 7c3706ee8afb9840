import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { formatTotal } from '../models';
import { ColumnChooser } from './columnChooser';
import { FilterBox } from '../components/filterBox';
import { useSignal } from '../components/useSignal';
import { RunsGrid } from './grid';
import { RunsTableModel } from './model';

/** The content of a runs table: filter bar, grid (or empty state), status line. */
export class RunsTableView extends ReactWidget {
  /** Create the view of a model. */
  constructor(options: RunsTableView.IOptions) {
    super();
    this.model = options.model;
    this._trans = options.trans;
    this._onOpenRun = options.onOpenRun;
    this.addClass('jp-RunsTableView');
  }

  /** The table's state. */
  readonly model: RunsTableModel;

  protected render(): JSX.Element {
    return (
      <TableView
        model={this.model}
        trans={this._trans}
        onOpenRun={this._onOpenRun}
      />
    );
  }

  private _trans: TranslationBundle;
  private _onOpenRun: (runId: string) => void;
}

/** A namespace for RunsTableView statics. */
export namespace RunsTableView {
  /** Options of the view. */
  export interface IOptions {
    /** The table's state. */
    model: RunsTableModel;
    /** Translations. */
    trans: TranslationBundle;
    /** Open one run (Enter, Space, double click). */
    onOpenRun: (runId: string) => void;
  }
}

function TableView(props: {
  model: RunsTableModel;
  trans: TranslationBundle;
  onOpenRun: (runId: string) => void;
}): JSX.Element {
  const { model, trans } = props;
  const { query } = model;
  useSignal(query.changed);
  useSignal(model.changed);
  const error = query.error;
  // Errors that point into the filter are shown under the filter box instead.
  const filterError =
    query.filter !== '' && error?.position !== null ? error : null;
  const bodyError = error && !filterError;
  const empty = query.ready && query.total === 0 && !error;
  return (
    <div className="jp-RunsTableView-body">
      <FilterBox
        value={query.filter}
        keys={model.keys}
        error={filterError}
        onApply={filter => query.setQuery({ filter })}
        trans={trans}
      />
      <div
        className="jp-RunsTableView-progress"
        role="progressbar"
        aria-label={trans.__('Loading runs')}
        hidden={!query.loading}
      />
      {bodyError && (
        <div className="jp-RunsTableView-error" role="alert">
          {trans.__('Could not load runs: %1', error.message)}
        </div>
      )}
      <div className="jp-RunsTableView-main">
        {empty ? (
          <EmptyState model={model} trans={trans} />
        ) : (
          <RunsGrid model={model} trans={trans} onOpenRun={props.onOpenRun} />
        )}
        <ColumnChooser model={model} trans={trans} />
      </div>
      <StatusLine model={model} trans={trans} />
    </div>
  );
}

function EmptyState(props: {
  model: RunsTableModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const { query } = model;
  let message: string;
  if (query.filter) {
    message = trans.__(
      'No runs match this filter. Change it, or clear it to see every run.'
    );
  } else if (query.view === 'deleted') {
    message = trans.__(
      'No deleted runs. Deleted runs can be restored from here.'
    );
  } else {
    message = trans.__(
      'No runs yet. Click "Log run" in a code cell\'s toolbar (or use %%track in a cell) and the run appears here.'
    );
  }
  return (
    <div className="jp-RunsTableView-empty">
      <p>{message}</p>
      {query.filter && (
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept"
          onClick={() => query.setQuery({ filter: '' })}
        >
          {trans.__('Clear filter')}
        </button>
      )}
    </div>
  );
}

function StatusLine(props: {
  model: RunsTableModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignal(model.changed);
  useSignal(model.selection.changed);
  const { query, selection } = model;
  const exporting = model.exporting;
  return (
    <div className="jp-RunsTableView-status" aria-live="polite">
      <span className="jp-RunsTableView-count">
        {query.error && !query.ready
          ? trans.__('No runs loaded')
          : query.ready
            ? trans._n(
                '%2 run',
                '%2 runs',
                query.total,
                formatTotal(query.total, query.totalIsLowerBound)
              )
            : trans.__('Loading…')}
      </span>
      {selection.size > 0 && (
        <span className="jp-RunsTableView-selected">
          {trans.__('%1 selected', selection.size.toLocaleString())}
        </span>
      )}
      {exporting && (
        <span className="jp-RunsTableView-export">
          <label>
            {trans.__(
              'Exporting %1: %2 of %3',
              exporting.format.toUpperCase(),
              exporting.done,
              exporting.total
            )}
            <progress
              max={Math.max(1, exporting.total)}
              value={exporting.done}
            />
          </label>
          <button type="button" onClick={() => model.cancelExport()}>
            {trans.__('Cancel')}
          </button>
        </span>
      )}
    </div>
  );
}
