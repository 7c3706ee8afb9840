import React from 'react';

import { IExperiment, ISyncStatus, PendingRun } from '../../api/types';
import { formatTime } from '../../format';
import { IPanelContext } from '../context';
import { RunCells } from './runRows';

/**
 * The runs of the outbox that belong to the experiment shown. They carry the MLflow
 * experiment's id when the server knew it; an experiment first logged to while the server
 * was down has an id of the outbox's own, found through the runs logged from the notebook
 * the experiment is named after (its path, by default) — a headless job's runs of the same
 * experiment share that id.
 */
export function pendingOf(
  status: ISyncStatus | null,
  name: string | null,
  experiment: IExperiment | null
): PendingRun[] {
  if (!status?.enabled || name === null) {
    return [];
  }
  const ids = new Set<string>(experiment ? [experiment.id] : []);
  for (const run of status.runs) {
    if (run.notebook_path === name) {
      ids.add(run.experiment_id);
    }
  }
  return status.runs.filter(run => ids.has(run.experiment_id));
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
