import { ReactWidget } from '@jupyterlab/ui-components';
import { TranslationBundle } from '@jupyterlab/translation';
import React, { useEffect, useState } from 'react';

import { IRun } from '../api/types';
import { runsIcon } from '../icons';
import { formatDuration, formatMetric, formatTime, truncate } from './format';
import { RunsModel } from './model';

/** The right-sidebar Runs panel: the active notebook's experiment and its runs. */
export class RunsPanel extends ReactWidget {
  /** Create the panel around a model. */
  constructor(model: RunsModel, trans: TranslationBundle) {
    super();
    this.model = model;
    this._trans = trans;
    this.id = 'jupyterlab-runs-panel';
    this.addClass('jp-RunsPanel');
    this.title.icon = runsIcon;
    this.title.caption = trans.__('Runs');
  }

  /** The state shown. */
  readonly model: RunsModel;

  protected render(): JSX.Element {
    return <RunsPanelView model={this.model} trans={this._trans} />;
  }

  private _trans: TranslationBundle;
}

/** Re-render whenever the model changes. */
function useModel(model: RunsModel): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const onChange = () => setTick(tick => tick + 1);
    model.changed.connect(onChange);
    return () => {
      model.changed.disconnect(onChange);
    };
  }, [model]);
}

function RunsPanelView(props: {
  model: RunsModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useModel(model);
  return (
    <div className="jp-RunsPanel-body">
      <div className="jp-RunsPanel-header">
        <h2 className="jp-RunsPanel-title">{trans.__('Runs')}</h2>
        <div
          className="jp-RunsPanel-experiment"
          title={model.experimentName ?? ''}
        >
          {model.experimentName ?? trans.__('No notebook selected')}
        </div>
      </div>
      {model.loading && (
        <div
          className="jp-RunsPanel-progress"
          role="progressbar"
          aria-label={trans.__('Loading runs')}
        />
      )}
      {model.error && (
        <div className="jp-RunsPanel-error" role="alert">
          {model.error}
        </div>
      )}
      <RunsContent model={model} trans={trans} />
    </div>
  );
}

function RunsContent(props: {
  model: RunsModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, trans } = props;
  if (model.experimentName === null) {
    return (
      <p className="jp-RunsPanel-empty">
        {trans.__('Open a notebook to see its runs.')}
      </p>
    );
  }
  if (model.runs.length === 0) {
    return model.loading || model.error ? null : (
      <p className="jp-RunsPanel-empty">
        {trans.__(
          'No runs yet. Click "Log run" in a code cell\'s toolbar to run it and save its parameters and metrics as version 1.'
        )}
      </p>
    );
  }
  return <RunsTable model={model} trans={trans} />;
}

function RunsTable(props: {
  model: RunsModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const params = model.paramKeys;
  const metrics = model.metricKeys;
  return (
    <div className="jp-RunsPanel-tableWrap">
      <table className="jp-RunsTable" aria-rowcount={model.total}>
        <thead>
          <tr>
            <th scope="col">{trans.__('Version')}</th>
            <th scope="col">{trans.__('Started')}</th>
            <th scope="col">{trans.__('Status')}</th>
            <th scope="col">{trans.__('Duration')}</th>
            {params.map(key => (
              <th
                scope="col"
                key={`p:${key}`}
                className="jp-RunsTable-param"
                title={key}
              >
                {truncate(key, 24)}
              </th>
            ))}
            {metrics.map(key => (
              <th
                scope="col"
                key={`m:${key}`}
                className="jp-RunsTable-metric"
                title={key}
              >
                {truncate(key, 24)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {model.runs.map(run => (
            <RunRow
              key={run.id}
              run={run}
              params={params}
              metrics={metrics}
              selected={run.id === model.selectedId}
              onSelect={() => model.select(run.id)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RunRow(props: {
  run: IRun;
  params: string[];
  metrics: string[];
  selected: boolean;
  onSelect: () => void;
}): JSX.Element {
  const { run, params, metrics, selected, onSelect } = props;
  const error = run.error ? `${run.error.name}: ${run.error.message}` : '';
  return (
    <tr
      className={`jp-RunsTable-row${selected ? ' jp-mod-selected' : ''}`}
      aria-selected={selected}
      onClick={onSelect}
      data-run-id={run.id}
      data-version={run.version}
    >
      <td className="jp-RunsTable-version">v{run.version}</td>
      <td>{formatTime(run.start_time)}</td>
      <td
        className={`jp-RunsTable-status jp-mod-${run.status.toLowerCase()}`}
        title={error}
      >
        {run.status}
      </td>
      <td>{formatDuration(run.duration_ms)}</td>
      {params.map(key => {
        const value = run.params[key]?.value ?? '';
        return (
          <td key={`p:${key}`} className="jp-RunsTable-param" title={value}>
            {truncate(value, 40)}
          </td>
        );
      })}
      {metrics.map(key => {
        const metric = run.metrics[key];
        return (
          <td key={`m:${key}`} className="jp-RunsTable-metric">
            {metric ? formatMetric(metric.value) : ''}
          </td>
        );
      })}
    </tr>
  );
}
