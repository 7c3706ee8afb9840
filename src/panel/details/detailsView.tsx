import { CommandToolbarButtonComponent } from '@jupyterlab/ui-components';
import React from 'react';

import { ErrorBox, ProgressBar, Section } from '../components';
import { IPanelContext } from '../context';
import { useSignal } from '../../components/useSignal';
import { PanelCommandIDs } from '../commandIds';
import { Artifacts } from './artifacts';
import { CodeSection } from './codeSection';
import { RunDetailsModel } from './detailsModel';
import { MetricsTable } from './metricsTable';
import { NoteEditor } from './noteEditor';
import { ParamsTable } from './paramsTable';
import { Reproducibility } from './reproducibility';
import { RunHeader } from './runHeader';
import { TagsEditor } from './tagsEditor';

/** Everything about one run: header, reproducibility, params, metrics, tags, note, artifacts, code. */
export function DetailsView(props: {
  ctx: IPanelContext;
  model: RunDetailsModel;
}): JSX.Element {
  const { ctx, model } = props;
  const { trans } = ctx;
  useSignal(model.changed);
  const run = model.run;
  if (!run) {
    return (
      <div className="jp-RunsDetails">
        {model.loading && <ProgressBar label={trans.__('Loading run')} />}
        {model.error && <ErrorBox ctx={ctx} error={model.error} />}
        {!model.loading && !model.error && (
          <p className="jp-RunsPanel-placeholder">
            {trans.__('Select a run to see its details.')}
          </p>
        )}
      </div>
    );
  }
  const deleted = run.deleted_time !== null;
  return (
    <div
      className="jp-RunsDetails"
      data-run-id={run.id}
      data-version={run.version}
    >
      {model.loading && <ProgressBar label={trans.__('Loading run')} />}
      {model.error && <ErrorBox ctx={ctx} error={model.error} />}
      <RunHeader ctx={ctx} model={model} run={run} />
      <Reproducibility ctx={ctx} run={run} />
      <div className="jp-RunsDetails-actions">
        <CommandToolbarButtonComponent
          commands={ctx.commands}
          id={deleted ? PanelCommandIDs.restoreRun : PanelCommandIDs.deleteRun}
          args={{ runId: run.id }}
        />
      </div>
      <Section id="params" title={trans.__('Params')}>
        <ParamsTable ctx={ctx} run={run} />
      </Section>
      <Section id="metrics" title={trans.__('Metrics')}>
        <MetricsTable ctx={ctx} run={run} histories={model.histories} />
      </Section>
      <Section id="tags" title={trans.__('Tags')}>
        <TagsEditor ctx={ctx} model={model} run={run} />
      </Section>
      <Section id="note" title={trans.__('Note')}>
        <NoteEditor ctx={ctx} model={model} run={run} />
      </Section>
      <Section id="artifacts" title={trans.__('Artifacts')}>
        <Artifacts ctx={ctx} run={run} artifacts={model.artifacts} />
      </Section>
      <Section id="code" title={trans.__('Code')}>
        <CodeSection ctx={ctx} model={model} run={run} />
      </Section>
    </div>
  );
}
