import { Cell, ICellModel } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { PanelLayout, Widget } from '@lumino/widgets';

import { formatNumber } from '../format';
import { CellMeta, ILastRun, METADATA_KEY } from './metadata';

const BADGE_CLASS = 'jp-RunsCellBadge';

/**
 * A small "v7 · accuracy 0.964" button under a cell's input, linking the cell to the
 * latest run it produced (kept in the cell's metadata, so it survives reloads).
 */
export class RunBadge extends Widget {
  /** Create a badge that calls `open(runId)` when clicked. */
  constructor(
    private readonly _open: (runId: string) => void,
    private readonly _trans: TranslationBundle
  ) {
    super({ node: document.createElement('button') });
    this.addClass(BADGE_CLASS);
    this.node.setAttribute('type', 'button');
    this.node.addEventListener('click', () => {
      if (this._run) {
        this._open(this._run.id);
      }
    });
  }

  /** Show `run` (text only: keys are user data). */
  setRun(run: ILastRun): void {
    this._run = run;
    const metric = run.metric
      ? ` · ${run.metric[0]} ${formatNumber(run.metric[1] ?? NaN)}`
      : '';
    const status = run.status === 'FINISHED' ? '' : ` · ${run.status}`;
    this.node.textContent = `v${run.version}${metric}${status}`;
    this.node.title = this._trans.__(
      'Open run v%1 in the Runs panel',
      run.version
    );
    this.node.dataset.runId = run.id;
  }

  private _run: ILastRun | null = null;
}

/** Keep one badge on every code cell that has produced a run, in every notebook. */
export function trackRunBadges(
  tracker: INotebookTracker,
  open: (runId: string) => void,
  trans: TranslationBundle
): void {
  const badges = new WeakMap<Cell, RunBadge>();

  const update = (cell: Cell): void => {
    const run = CellMeta.lastRun(cell.model);
    let badge = badges.get(cell);
    if (!run) {
      badge?.dispose();
      badges.delete(cell);
      return;
    }
    if (!badge) {
      badge = new RunBadge(open, trans);
      badges.set(cell, badge);
      // After the input area: header, input, [badge], output, footer.
      (cell.layout as PanelLayout).insertWidget(2, badge);
    }
    badge.setRun(run);
  };

  const watch = (panel: NotebookPanel): void => {
    const cellOf = (model: ICellModel) =>
      panel.content.widgets.find(cell => cell.model === model);
    const watchModel = (model: ICellModel) => {
      model.metadataChanged.connect((_, change) => {
        const cell = change.key === METADATA_KEY ? cellOf(model) : undefined;
        if (cell) {
          update(cell);
        }
      });
    };
    void panel.context.ready.then(() => {
      panel.content.widgets.forEach(cell => {
        watchModel(cell.model);
        update(cell);
      });
      panel.model?.cells.changed.connect((_, change) => {
        change.newValues.forEach(model => {
          watchModel(model);
          const cell = cellOf(model);
          if (cell) {
            update(cell);
          }
        });
      });
    });
  };

  tracker.widgetAdded.connect((_, panel) => watch(panel));
  tracker.forEach(watch);
}
