import React from 'react';

import { formatTotal } from '../../models';
import { ErrorBox, ProgressBar } from '../components';
import { IPanelContext } from '../context';
import { FilterBox } from '../../components/filterBox';
import { useSignal } from '../../components/useSignal';
import { RunsListModel } from './listModel';
import { ListToolbar } from './listToolbar';
import { ListHeader, RunRows } from './runRows';
import { PendingRows, pendingOf } from './pendingRows';
import { SyncHeader, syncHeaderShown } from '../sync/syncHeader';
import type { ISyncMonitor } from '../../tokens';

/**
 * The upper section of the panel: the outbox header, picker, filter, sortable compact list
 * (runs waiting to sync on top) and paging.
 */
export function ListView(props: {
  ctx: IPanelContext;
  model: RunsListModel;
  sync: ISyncMonitor | null;
}): JSX.Element {
  const { ctx, model, sync } = props;
  const { trans } = ctx;
  useSignal(model.changed);
  useSignal(sync?.changed);
  const status = sync?.status ?? null;
  const pending = pendingOf(status, model.experiments.name, model.experiment);
  // The header already says the MLflow server cannot be reached: once is enough.
  const outage = syncHeaderShown(status) && status?.last_error !== null;
  return (
    <div className="jp-RunsList">
      <SyncHeader ctx={ctx} status={status} />
      <ListToolbar ctx={ctx} model={model} />
      <FilterBox
        value={model.filter}
        keys={model.keys}
        error={model.filterError}
        onApply={filter => model.setFilter(filter)}
        trans={trans}
      />
      {model.loading && <ProgressBar label={trans.__('Loading runs')} />}
      {model.error && !(outage && model.error.kind === 'unavailable') && (
        <ErrorBox ctx={ctx} error={model.error} />
      )}
      <ListBody
        ctx={ctx}
        model={model}
        pending={
          model.view === 'active' && pending.length > 0 ? (
            <PendingRows ctx={ctx} runs={pending} metric={model.metric} />
          ) : null
        }
      />
    </div>
  );
}

function ListBody(props: {
  ctx: IPanelContext;
  model: RunsListModel;
  pending: JSX.Element | null;
}): JSX.Element | null {
  const { ctx, model, pending } = props;
  const { trans } = ctx;
  if (model.experiments.name === null) {
    return (
      <p className="jp-RunsPanel-empty">
        {trans.__(
          'Open a notebook, or pick an experiment above, to see its runs.'
        )}
      </p>
    );
  }
  const experiment = model.experiment;
  // MLflow's experiments do not count their runs (run_count 0): the search says.
  const empty =
    !experiment ||
    (model.view === 'active' &&
      experiment.run_count === 0 &&
      model.total === 0);
  if (empty) {
    if (pending) {
      // The experiment's first runs may all be waiting to sync.
      return pending;
    }
    return model.loading || model.error ? null : (
      <p className="jp-RunsPanel-empty">
        {trans.__(
          'No runs yet in %1. Click "Log run" in a code cell\'s toolbar to run it and save its parameters and metrics as version 1 — or use %%track in the cell.',
          model.experiments.name
        )}
      </p>
    );
  }
  const rows = model.rows;
  return (
    <>
      <ListHeader ctx={ctx} model={model} />
      {pending}
      <RunRows ctx={ctx} model={model} />
      {rows.length === 0 && !model.loading && !model.filterError && (
        <p className="jp-RunsPanel-empty">
          {model.view === 'deleted'
            ? trans.__('No deleted runs.')
            : trans.__('No run matches this filter.')}
        </p>
      )}
      <div className="jp-RunsList-footer" role="status">
        <span>
          {trans.__(
            '%1 of %2 runs',
            rows.length,
            formatTotal(model.total, model.totalIsLowerBound)
          )}
          {model.selection.size > 0 &&
            ` · ${trans.__('%1 selected', model.selection.size)}`}
        </span>
        {model.hasMore && (
          <button
            type="button"
            className="jp-RunsPanel-button"
            onClick={() => void model.loadMore()}
          >
            {trans.__('Load more')}
          </button>
        )}
      </div>
    </>
  );
}
