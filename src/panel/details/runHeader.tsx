import { CommandToolbarButtonComponent } from '@jupyterlab/ui-components';
import React, { useState } from 'react';

import { IRun } from '../../api/types';
import { InlineInput } from '../components';
import { IPanelContext } from '../context';
import { formatDuration, formatTime } from '../../format';
import { PanelCommandIDs } from '../commandIds';
import { runLabel } from '../runLabel';
import { RunDetailsModel } from './detailsModel';

/** Name (renamed inline), status with its error, and where and when the run happened. */
export function RunHeader(props: {
  ctx: IPanelContext;
  model: RunDetailsModel;
  run: IRun;
}): JSX.Element {
  const { ctx, model, run } = props;
  const { trans } = ctx;
  const facts: Array<[string, string, string?]> = [
    [trans.__('Started'), formatTime(run.start_time)],
    [trans.__('Duration'), formatDuration(run.duration_ms)],
    [trans.__('User'), run.user ?? '—'],
    [trans.__('Source'), run.source],
    [trans.__('Kernel'), run.kernel_name ?? '—'],
    [
      trans.__('Git commit'),
      run.git_commit ? run.git_commit.slice(0, 10) : '—',
      run.git_commit ?? undefined
    ]
  ];
  return (
    <div className="jp-RunsDetails-header">
      <RunName ctx={ctx} model={model} run={run} />
      <div className="jp-RunsDetails-statusLine">
        <span
          className={`jp-RunsPanel-status jp-mod-${run.status.toLowerCase()}`}
        >
          {run.status}
        </span>
        {run.deleted_time !== null && (
          <span className="jp-RunsDetails-deleted">
            {trans.__('deleted %1', formatTime(run.deleted_time))}
          </span>
        )}
      </div>
      {run.error && (
        <div className="jp-RunsDetails-runError" role="note">
          <strong>{run.error.name}</strong>: {run.error.message}
        </div>
      )}
      <dl className="jp-RunsDetails-facts">
        {facts.map(([label, value, title]) => (
          <React.Fragment key={label}>
            <dt>{label}</dt>
            <dd title={title}>{value}</dd>
          </React.Fragment>
        ))}
        <dt>{trans.__('Notebook')}</dt>
        <dd className="jp-RunsDetails-notebook">
          <span className="jp-RunsDetails-path">
            {run.notebook_path ?? '—'}
          </span>
          {run.notebook_path && (
            <CommandToolbarButtonComponent
              commands={ctx.commands}
              id={PanelCommandIDs.goToCell}
              args={{ runId: run.id }}
            />
          )}
        </dd>
      </dl>
    </div>
  );
}

function RunName(props: {
  ctx: IPanelContext;
  model: RunDetailsModel;
  run: IRun;
}): JSX.Element {
  const { ctx, model, run } = props;
  const { trans } = ctx;
  const [draft, setDraft] = useState<string | null>(null);
  const commit = async () => {
    const name = draft?.trim();
    if (name && name !== run.name) {
      await model.rename(name);
    }
    setDraft(null);
  };
  if (draft !== null) {
    return (
      <InlineInput
        className="jp-RunsDetails-nameInput"
        label={trans.__('Run name')}
        value={draft}
        onChange={setDraft}
        onCommit={() => void commit()}
        onCancel={() => setDraft(null)}
      />
    );
  }
  const { version, named } = runLabel(run, trans);
  return (
    <h2 className="jp-RunsDetails-title">
      <span className="jp-RunsDetails-version">{version}</span>
      {named && (
        <span className="jp-RunsDetails-name" title={run.name}>
          {run.name}
        </span>
      )}
      <button
        type="button"
        className="jp-RunsPanel-linkButton jp-RunsDetails-rename"
        aria-label={trans.__('Rename run %1', version)}
        onClick={() => setDraft(run.name)}
      >
        {trans.__('Rename')}
      </button>
    </h2>
  );
}
