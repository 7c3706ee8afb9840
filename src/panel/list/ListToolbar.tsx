import { deleteIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { CommandButton } from '../components';
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
        <CommandButton ctx={ctx} command={PanelCommandIDs.refresh} iconOnly />
      </div>
      <div className="jp-RunsList-buttons">
        <CommandButton
          ctx={ctx}
          command={PanelCommandIDs.compareSelected}
          label={trans.__('Compare')}
        />
        {experiment && (
          <CommandButton
            ctx={ctx}
            command={PanelCommandIDs.openTable}
            args={{ experimentId: experiment.id }}
            label={trans.__('Table')}
          />
        )}
        <button
          type="button"
          className="jp-RunsPanel-button jp-RunsList-deletedToggle"
          aria-pressed={model.view === 'deleted'}
          title={trans.__('Show deleted runs (to restore them)')}
          onClick={() =>
            model.setView(model.view === 'deleted' ? 'active' : 'deleted')
          }
        >
          <deleteIcon.react tag="span" className="jp-RunsPanel-buttonIcon" />
          <span>{trans.__('Deleted')}</span>
        </button>
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
      <select
        className="jp-mod-styled jp-RunsList-experimentPicker"
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
      </select>
    </label>
  );
}
