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
 * while the cell has no run; "v? · waiting to sync" while that run waits in the outbox
 * for the MLflow server. It follows the cell's metadata until it is disposed, which the
 * cell toolbar does when the cell stops being active.
 */
export class RunBadge extends Widget {
  /**
   * Create the badge of a cell; a click calls `open(runId)`, or `open(null)` for a run
   * still waiting to sync. `waiting(cell)` is told about a cell whose run waits, so that
   * something links it to the delivered run (the badge may be gone by then).
   */
  constructor(
    private readonly _model: ICellModel,
    private readonly _open: (runId: string | null) => void,
    private readonly _trans: TranslationBundle,
    private readonly _waiting?: (cell: ICellModel) => void
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
      this._open(run.version === null ? null : run.id);
    }
  };

  /** Show the cell's last run (text only: keys are user data). */
  private _render(): void {
    const run = CellMeta.lastRun(this._model);
    if (!run) {
      this.hide();
      return;
    }
    this.node.dataset.runId = run.id;
    this.toggleClass('jp-mod-pending', run.version === null);
    if (run.version === null) {
      this.node.textContent = this._trans.__('v? · waiting to sync');
      this.node.title = this._trans.__(
        'The MLflow server could not be reached: this run is kept here and saved there, with its version, when it is back'
      );
      this._waiting?.(this._model);
      this.show();
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
    this.show();
  }
}

/** The cell-toolbar factory of the badge: one badge per toolbar the active cell gets. */
export function runBadgeFactory(
  open: (runId: string | null) => void,
  trans: TranslationBundle,
  waiting?: (cell: ICellModel) => void
): (cell: Cell) => Widget {
  return cell => new RunBadge(cell.model, open, trans, waiting);
}
