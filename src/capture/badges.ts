import { Cell, ICellModel } from '@jupyterlab/cells';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { formatNumber } from '../format';
import { CellMeta, METADATA_KEY } from './metadata';

/** Name of the badge in the `Cell` toolbar (schema/capture.json declares it). */
export const BADGE_TOOLBAR_ITEM = 'jupyterlab-runs-badge';

const BADGE_CLASS = 'jp-RunsCellBadge';

/**
 * A small "v7 · accuracy 0.964" button in a cell's toolbar, linking the cell to the
 * latest run it produced (kept in the cell's metadata, so it survives reloads). Hidden
 * while the cell has no run. It follows the cell's metadata until it is disposed, which
 * the cell toolbar does when the cell stops being active.
 */
export class RunBadge extends Widget {
  /** Create the badge of a cell; a click calls `open(runId)`. */
  constructor(
    private readonly _model: ICellModel,
    private readonly _open: (runId: string) => void,
    private readonly _trans: TranslationBundle
  ) {
    super({ node: document.createElement('button') });
    this.addClass(BADGE_CLASS);
    this.node.setAttribute('type', 'button');
    this.node.addEventListener('click', this._onClick);
    this._model.metadataChanged.connect(this._onMetadataChanged, this);
    this._render();
  }

  /** Stop following the cell's metadata. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._model.metadataChanged.disconnect(this._onMetadataChanged, this);
    this.node.removeEventListener('click', this._onClick);
    super.dispose();
  }

  private _onMetadataChanged(_: ICellModel, change: { key: string }): void {
    if (change.key === METADATA_KEY) {
      this._render();
    }
  }

  private _onClick = (): void => {
    const run = CellMeta.lastRun(this._model);
    if (run) {
      this._open(run.id);
    }
  };

  /** Show the cell's last run (text only: keys are user data). */
  private _render(): void {
    const run = CellMeta.lastRun(this._model);
    if (!run) {
      this.hide();
      return;
    }
    const metric = run.metric
      ? ` · ${run.metric[0]} ${formatNumber(run.metric[1] ?? NaN)}`
      : '';
    const status = run.status === 'FINISHED' ? '' : ` · ${run.status}`;
    const text = `v${run.version}${metric}${status}`;
    this.node.textContent = text;
    // The badge may be cut short: the tooltip has all of it.
    this.node.title = this._trans.__('%1 — open it in the Runs panel', text);
    this.node.dataset.runId = run.id;
    this.show();
  }
}

/** The cell-toolbar factory of the badge: one badge per toolbar the active cell gets. */
export function runBadgeFactory(
  open: (runId: string) => void,
  trans: TranslationBundle
): (cell: Cell) => Widget {
  return cell => new RunBadge(cell.model, open, trans);
}
