import {
  CommandToolbarButtonComponent,
  HTMLSelect
} from '@jupyterlab/ui-components';
import React from 'react';

import { IPanelContext } from '../context';
import { useSignal } from '../../components/useSignal';
import { PanelCommandIDs } from '../commandIds';
import { RunsListModel } from './listModel';

/** The experiment picker, the active/deleted switch and the list's command buttons. */
export function ListToolbar(props: {
  ctx: IPanelContext;
  model: RunsListModel;
}): JSX.Element {
  const { ctx, model } = props;
  const { trans } = ctx;
  // Commands come and go (the runs table's) and change state: re-render the buttons.
  useSignal(ctx.commands.commandChanged);
  const experiment = model.experiment;
  return (
    <div className="jp-RunsList-toolbar">
      <div className="jp-RunsList-experimentRow">
        <ExperimentPicker ctx={ctx} model={model} />
        <CommandToolbarButtonComponent
          commands={ctx.commands}
          id={PanelCommandIDs.refresh}
          label=""
        />
      </div>
      <div className="jp-Toolbar jp-RunsList-buttons">
        <CommandToolbarButtonComponent
          commands={ctx.commands}
          id={PanelCommandIDs.compareSelected}
          label={trans.__('Compare')}
        />
        {experiment && ctx.commands.hasCommand(PanelCommandIDs.openTable) && (
          <CommandToolbarButtonComponent
            commands={ctx.commands}
            id={PanelCommandIDs.openTable}
            args={{ experimentId: experiment.id }}
            label={trans.__('Table')}
          />
        )}
        <CommandToolbarButtonComponent
          commands={ctx.commands}
          id={PanelCommandIDs.toggleDeleted}
        />
      </div>
    </div>
  );
}

/** Follow the active notebook's experiment, or pick any experiment (with run counts). */
function ExperimentPicker(props: {
  ctx: IPanelContext;
  model: RunsListModel;
}): JSX.Element {
  const { ctx, model } = props;
  const { trans } = ctx;
  const notebook = model.experiments.notebook;
  const pinned = model.experiments.pinned;
  const experiments = [...model.experiments.all].sort((a, b) =>
    a.name.localeCompare(b.name)
  );
  const known = new Set(experiments.map(e => e.name));
  return (
    <label className="jp-RunsList-experiment">
      <span className="jp-RunsPanel-srOnly">{trans.__('Experiment')}</span>
      <HTMLSelect
        className="jp-RunsList-experimentPicker"
        value={pinned ?? ''}
        title={model.experiments.name ?? ''}
        onChange={event => model.experiments.pin(event.target.value || null)}
      >
        <option value="">
          {notebook
            ? trans.__('Active notebook: %1', notebook)
            : trans.__('Active notebook (none open)')}
        </option>
        {pinned && !known.has(pinned) && (
          <option value={pinned}>{pinned}</option>
        )}
        {experiments.map(experiment => (
          <option key={experiment.id} value={experiment.name}>
            {trans._n(
              '%2 (%1 run)',
              '%2 (%1 runs)',
              experiment.run_count,
              experiment.name
            )}
          </option>
        ))}
      </HTMLSelect>
    </label>
  );
}
