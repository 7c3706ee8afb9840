import React from 'react';

import { IExperiment, ISyncStatus, PendingRun } from '../../api/types';
import { formatTime } from '../../format';
import { IPanelContext } from '../context';
import { RunCells } from './runRows';

/**
 * The runs of the outbox that belong to the experiment shown: by its id, or by name before
 * the MLflow server has the experiment (runs go to their notebook's path by default).
 */
export function pendingOf(
  status: ISyncStatus | null,
  name: string | null,
  experiment: IExperiment | null
): PendingRun[] {
  if (!status?.enabled || name === null) {
    return [];
  }
  return status.runs.filter(
    run =>
      (experiment !== null && run.experiment_id === experiment.id) ||
      run.notebook_path === name
  );
}

/**
 * Runs waiting in the outbox, above the run list: shown like rows but outside the listbox,
 * since they cannot be selected, compared or deleted before the server has them.
 */
export function PendingRows(props: {
  ctx: IPanelContext;
  runs: PendingRun[];
  metric: string | null;
}): JSX.Element {
  const { ctx, runs, metric } = props;
  const { trans } = ctx;
  return (
    <ul
      className="jp-RunsList-pendingRows"
      aria-label={trans.__('Runs waiting to sync')}
    >
      {runs.map(run => (
        <li
          key={run.id}
          className="jp-RunsList-row jp-RunsList-pendingRow"
          data-run-id={run.id}
          title={trans.__(
            'Logged %1; saved to the MLflow server, with its version, when it can be reached',
            formatTime(run.start_time, true)
          )}
        >
          <RunCells ctx={ctx} run={run} metric={metric} />
        </li>
      ))}
    </ul>
  );
}
