import { ReactWidget, SidePanel } from '@jupyterlab/ui-components';
import { AccordionPanel, Widget } from '@lumino/widgets';
import type { Message } from '@lumino/messaging';
import React from 'react';

import { runsIcon } from '../icons';
import { CompareView } from './compare/compareView';
import { IPanelContext } from './context';
import { DetailsView } from './details/detailsView';
import { useSignal } from '../components/useSignal';
import { ListView } from './list/listView';
import { RunsPanelModel } from './panelModel';

/** Share of the height the run list takes at first (the rest goes to details). */
const LIST_SHARE = 0.45;

/**
 * The right-sidebar Runs panel: the run list above, and the details of the selected run
 * (or the comparison of the selected runs) below, in resizable accordion sections.
 */
export class RunsPanel extends SidePanel {
  /** Create the panel around its model. */
  constructor(model: RunsPanelModel, ctx: IPanelContext) {
    super();
    this.model = model;
    this.id = 'jupyterlab-runs-panel';
    this.addClass('jp-RunsPanel');
    this.title.icon = runsIcon;
    this.title.caption = ctx.trans.__('Runs');
    const list = ReactWidget.create(
      <ListView ctx={ctx} model={model.list} sync={model.sync} />
    );
    list.addClass('jp-RunsPanel-listSection');
    list.title.label = ctx.trans.__('Runs');
    const inspector = ReactWidget.create(
      <InspectorView ctx={ctx} model={model} />
    );
    inspector.addClass('jp-RunsPanel-inspectorSection');
    this._inspector = inspector;
    this._ctx = ctx;
    this.addWidget(list);
    this.addWidget(inspector);
    (this.content as AccordionPanel).setRelativeSizes([
      LIST_SHARE,
      1 - LIST_SHARE
    ]);
    model.changed.connect(this._updateTitles, this);
    this._updateTitles();
  }

  /** The state shown. */
  readonly model: RunsPanelModel;

  /** Disconnect from the model. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.changed.disconnect(this._updateTitles, this);
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setVisible(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setVisible(false);
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.setVisible(this.isVisible);
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.setVisible(false);
    super.onBeforeDetach(msg);
  }

  private _updateTitles(): void {
    const { trans } = this._ctx;
    this._inspector.title.label =
      this.model.inspector === 'compare'
        ? trans.__('Compare')
        : trans.__('Details');
  }

  private _inspector: Widget;
  private _ctx: IPanelContext;
}

/** The lower section: details of one run, or the comparison of the selected runs. */
function InspectorView(props: {
  ctx: IPanelContext;
  model: RunsPanelModel;
}): JSX.Element {
  const { ctx, model } = props;
  useSignal(model.changed);
  if (model.inspector === 'compare') {
    return (
      <CompareView
        ctx={ctx}
        model={model.compare}
        onSelectRun={runId => model.selectFromChart(runId)}
      />
    );
  }
  return (
    <>
      {model.canGoBack && (
        <button
          type="button"
          className="jp-RunsPanel-linkButton jp-RunsPanel-back"
          onClick={() => model.backToComparison()}
        >
          {ctx.trans.__('← Back to the comparison')}
        </button>
      )}
      <DetailsView ctx={ctx} model={model.details} />
    </>
  );
}
