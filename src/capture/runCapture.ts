import { ISessionContextDialogs } from '@jupyterlab/apputils';
import { CodeCell } from '@jupyterlab/cells';
import {
  KernelError,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';

import { RunsClient } from '../api/client';
import { INewRun, IRun, IRunError, RunSource, RunStatus } from '../api/types';
import { IRunCapture, IRunLogged } from '../tokens';
import { collectMetrics } from './collect';
import { scanParams } from './params';

/** Notebook metadata key holding the experiment a notebook logs to. */
export const METADATA_KEY = 'jupyterlab_runs';

/** A failure the user can act on (no kernel, …), shown as is. */
export class CaptureError extends Error {}

/** How a cell's execution ended, as the capture sees it. */
interface IOutcome {
  /** Final status of the run. */
  status: RunStatus;
  /** The exception of a failed or interrupted cell. */
  error: IRunError | null;
}

/**
 * Runs a code cell and saves what it produced as a versioned run: its literal
 * params, its printed metrics and the code, through one `POST runs`.
 */
export class RunCapture implements IRunCapture {
  /** Create the capture service. */
  constructor(options: RunCapture.IOptions) {
    this._client = options.client;
    this._translator = options.translator ?? nullTranslator;
    this._sessionDialogs = options.sessionDialogs;
  }

  /** Emitted after a run has been saved. */
  get runLogged(): ISignal<IRunCapture, IRunLogged> {
    return this._runLogged;
  }

  /** The experiment of a notebook: a name in its metadata wins over its path. */
  experimentName(panel: NotebookPanel): string {
    const meta = panel.model?.getMetadata(METADATA_KEY) as
      { experiment?: unknown } | undefined;
    if (typeof meta?.experiment === 'string' && meta.experiment.trim()) {
      return meta.experiment.trim();
    }
    return panel.context.path;
  }

  /** Whether a run of this cell is being captured right now. */
  isLogging(cell: CodeCell): boolean {
    return this._pending.has(cell.model.id);
  }

  /**
   * Execute `cell` and save a run of it. Resolves to null when the cell is
   * already being logged (a double click); throws `CaptureError` when it cannot run.
   */
  async logCell(
    panel: NotebookPanel,
    cell: CodeCell,
    source: RunSource = 'toolbar'
  ): Promise<IRun | null> {
    const trans = this._translator.load('jupyterlab_runs');
    const kernel = panel.sessionContext.session?.kernel;
    if (!kernel) {
      throw new CaptureError(
        trans.__(
          'This notebook has no kernel. Select a kernel, then log the run again.'
        )
      );
    }
    if (this._pending.has(cell.model.id)) {
      return null;
    }
    this._pending.add(cell.model.id);
    try {
      const code = cell.model.sharedModel.getSource();
      const start = Date.now();
      const outcome = await this._execute(panel, cell);
      const end = Date.now();
      const spec = await kernel.spec;
      const info = await kernel.info;
      const run: INewRun = {
        experiment_name: this.experimentName(panel),
        notebook_path: panel.context.path,
        status: outcome.status,
        source,
        start_time: start,
        end_time: end,
        cell_id: cell.model.id,
        execution_count: cell.model.executionCount,
        kernel_name: spec?.name ?? kernel.name,
        language: info.language_info.name,
        code,
        error: outcome.error,
        params: scanParams(code),
        metrics: collectMetrics(cell.model.outputs.toJSON(), end)
      };
      const saved = await this._client.createRun(run);
      this._runLogged.emit({ run: saved, panel });
      return saved;
    } finally {
      this._pending.delete(cell.model.id);
    }
  }

  /** Run the cell through the notebook's own executor and report how it ended. */
  private async _execute(
    panel: NotebookPanel,
    cell: CodeCell
  ): Promise<IOutcome> {
    let executed: { success: boolean; error?: KernelError | null } | null =
      null;
    const onExecuted = (
      _: unknown,
      args: { cell: unknown; success: boolean; error?: KernelError | null }
    ) => {
      if (args.cell === cell) {
        executed = args;
      }
    };
    NotebookActions.executed.connect(onExecuted);
    try {
      await NotebookActions.runCells(
        panel.content,
        [cell],
        panel.sessionContext,
        this._sessionDialogs,
        this._translator
      );
    } finally {
      NotebookActions.executed.disconnect(onExecuted);
    }
    return outcomeOf(executed);
  }

  private _client: RunsClient;
  private _translator: ITranslator;
  private _sessionDialogs?: ISessionContextDialogs;
  private _pending = new Set<string>();
  private _runLogged = new Signal<IRunCapture, IRunLogged>(this);
}

/** Map the notebook's execution report to a run status. */
export function outcomeOf(
  executed: { success: boolean; error?: KernelError | null } | null
): IOutcome {
  if (executed === null) {
    // The execution was cancelled: the kernel restarted or died mid-cell.
    return {
      status: 'KILLED',
      error: { name: 'KernelRestarted', message: 'the kernel stopped' }
    };
  }
  if (executed.success) {
    return { status: 'FINISHED', error: null };
  }
  const name = executed.error?.errorName ?? 'Error';
  const message = executed.error?.errorValue ?? '';
  return {
    status: name === 'KeyboardInterrupt' ? 'KILLED' : 'FAILED',
    error: { name, message }
  };
}

/** A namespace for RunCapture statics. */
export namespace RunCapture {
  /** Options of the capture service. */
  export interface IOptions {
    /** REST client. */
    client: RunsClient;
    /** Application translator. */
    translator?: ITranslator;
    /** Dialogs used when the cell needs a kernel. */
    sessionDialogs?: ISessionContextDialogs;
  }
}
