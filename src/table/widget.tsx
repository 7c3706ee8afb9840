import { MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  CommandToolbarButton,
  HTMLSelect,
  ReactWidget
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import React from 'react';

import { RunView } from '../api/types';
import { runsIcon } from '../icons';
import { MetricSummary } from './columns';
import { useSignal } from '../components/useSignal';
import { summaryLabel } from './labels';
import { RunsTableModel } from './model';
import { RunsTableView } from './view';
import { ILiveUpdates } from '../tokens';

/** Commands the table's toolbar shows (they act on the table given as `widgetId`). */
export interface ITableToolbarCommands {
  /** Reload the rows. */
  refresh: string;
  /** Open the column chooser. */
  columns: string;
  /** Download the rows as CSV. */
  exportCsv: string;
  /** Download the rows as JSON. */
  exportJson: string;
}

/**
 * A runs table in the main area: the view plus a toolbar (view switch, metric summary,
 * columns, export, refresh). While visible it follows the live updates and reloads when its
 * experiments change; a change while hidden reloads it when it is shown again.
 */
export class RunsTableWidget extends MainAreaWidget<RunsTableView> {
  /** Create a table around a model. */
  constructor(options: RunsTableWidget.IOptions) {
    const { model, trans } = options;
    super({
      content: new RunsTableView({
        model,
        trans,
        onOpenRun: options.onOpenRun
      })
    });
    this.model = model;
    this.tableId = options.tableId;
    this._trans = trans;
    this._live = options.live ?? null;
    this.id = `jupyterlab-runs-table-${options.tableId}`;
    this.addClass('jp-RunsTable');
    // MainAreaWidget mirrors its content's title.
    this.content.title.icon = runsIcon;
    this.content.title.closable = true;
    this._live?.changed.connect(this._onLiveChange, this);
    model.changed.connect(this._refreshTitle, this);
    this._refreshTitle();
    this._addToolbar(options.commands);
  }

  /** The table's state. */
  readonly model: RunsTableModel;
  /** Id that names this table in the restored layout. */
  readonly tableId: string;

  /** Whether live updates reload this table. */
  get liveRefresh(): boolean {
    return this._liveRefresh;
  }
  set liveRefresh(value: boolean) {
    this._liveRefresh = value;
    this._live?.setVisible(this, value && this.isVisible);
  }

  /** Release the model and stop following live updates. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._live?.setVisible(this, false);
    this._live?.changed.disconnect(this._onLiveChange, this);
    super.dispose();
    this.model.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._live?.setVisible(this, this._liveRefresh && this.isVisible);
  }

  protected onBeforeDetach(msg: Message): void {
    this._live?.setVisible(this, false);
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._live?.setVisible(this, this._liveRefresh);
    if (this._stale) {
      this._stale = false;
      void this.model.refresh();
    }
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._live?.setVisible(this, false);
  }

  private _onLiveChange(_: ILiveUpdates, change: ILiveUpdates.IChanged): void {
    if (
      !this._liveRefresh ||
      !this.model.query.affectedBy(change.experimentIds)
    ) {
      return;
    }
    if (this.isVisible) {
      void this.model.refresh();
    } else {
      this._stale = true;
    }
  }

  private _refreshTitle(): void {
    const names = this.model.experimentLabels;
    const label = names.length
      ? names.join(', ')
      : this._trans.__('all experiments');
    this.content.title.label = this._trans.__('Runs · %1', label);
    this.content.title.caption = this._trans.__('Runs of %1', label);
  }

  private _addToolbar(commands: RunsTableWidget.ICommands): void {
    const { registry, ids } = commands;
    const args = { widgetId: this.id };
    const trans = this._trans;
    this.toolbar.addItem(
      'view',
      ReactWidget.create(<ViewSelect model={this.model} trans={trans} />)
    );
    this.toolbar.addItem(
      'summary',
      ReactWidget.create(<SummarySelect model={this.model} trans={trans} />)
    );
    // Short labels here; the commands' own labels name them in the palette and tooltips.
    for (const [name, id, label] of [
      ['columns', ids.columns, trans.__('Columns')],
      ['export-csv', ids.exportCsv, trans.__('CSV')],
      ['export-json', ids.exportJson, trans.__('JSON')],
      ['refresh', ids.refresh, '']
    ]) {
      this.toolbar.addItem(
        name,
        new CommandToolbarButton({ commands: registry, id, args, label })
      );
    }
  }

  private _trans: TranslationBundle;
  private _live: ILiveUpdates | null;
  private _liveRefresh = true;
  private _stale = false;
}

/** A namespace for RunsTableWidget statics. */
export namespace RunsTableWidget {
  /** The commands of the toolbar and where they are registered. */
  export interface ICommands {
    /** The application's command registry. */
    registry: CommandRegistry;
    /** The command ids. */
    ids: ITableToolbarCommands;
  }

  /** Options of the widget. */
  export interface IOptions {
    /** The table's state. */
    model: RunsTableModel;
    /** Id that names this table in the restored layout. */
    tableId: string;
    /** Translations. */
    trans: TranslationBundle;
    /** Toolbar commands. */
    commands: ICommands;
    /** Open one run. */
    onOpenRun: (runId: string) => void;
    /** The shared change-feed poll, if any. */
    live?: ILiveUpdates | null;
  }
}

function ViewSelect(props: {
  model: RunsTableModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignal(model.query.changed);
  return (
    <HTMLSelect
      className="jp-RunsTable-viewSelect"
      aria-label={trans.__('Runs shown')}
      title={trans.__('Active, deleted or all runs')}
      value={model.query.view}
      onChange={event =>
        model.query.setQuery({ view: event.target.value as RunView })
      }
      options={[
        { value: 'active', label: trans.__('Active runs') },
        { value: 'deleted', label: trans.__('Deleted runs') },
        { value: 'all', label: trans.__('All runs') }
      ]}
    />
  );
}

function SummarySelect(props: {
  model: RunsTableModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignal(model.changed);
  const summaries: MetricSummary[] = ['last', 'best', 'min', 'max'];
  return (
    <HTMLSelect
      className="jp-RunsTable-summarySelect"
      aria-label={trans.__('Metric value shown')}
      title={trans.__("Which value of each metric's history the cells show")}
      value={model.metricSummary}
      onChange={event =>
        model.setMetricSummary(event.target.value as MetricSummary)
      }
      options={summaries.map(value => ({
        value,
        label: summaryLabel(value, trans)
      }))}
    />
  );
}
