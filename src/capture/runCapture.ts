import { ISessionContextDialogs } from '@jupyterlab/apputils';
import { CodeCell } from '@jupyterlab/cells';
import {
  KernelError,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { Kernel } from '@jupyterlab/services';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';

import { RunsClient } from '../api/client';
import { INewRun, IRun, IRunError, RunSource, RunStatus } from '../api/types';
import { IRunCapture, IRunLogged } from '../tokens';
import {
  explicitValues,
  mergeMetrics,
  mergeParams,
  printedMetrics,
  variableMetrics
} from './collect';
import { claimCell, probeKernel } from './kernelProbe';
import { CellMeta, NotebookMeta } from './metadata';
import { scanAssignedNames, scanParams } from './params';
import { ICellState, reproducibilityVerdict } from './reproducibility';

/** A failure the user can act on (no kernel, …), shown as is. */
export class CaptureError extends Error {}

/** How a cell's execution ended, as the capture sees it. */
export interface IOutcome {
  /** Final status of the run. */
  status: RunStatus;
  /** The exception of a failed or interrupted cell. */
  error: IRunError | null;
}

/** What the notebook's executor reports for one cell. */
export interface IExecuted {
  /** Whether the cell ran without error. */
  success: boolean;
  /** The kernel error of a failed cell. */
  error?: KernelError | null;
}

/** Name of the performance measure from the cell's end to the run being saved. */
export const SAVE_MEASURE = 'jupyterlab-runs:save';

/** Most characters of a notebook snapshot kept with a run. */
const MAX_SNAPSHOT_CHARS = 1_000_000;

/**
 * Runs code cells and saves what they produced as versioned runs: literal params,
 * printed / variable / explicit metrics, the code and its context, in one `POST runs`.
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
    return NotebookMeta.experiment(panel) ?? panel.context.path;
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
    const kernel = this._kernelOf(panel);
    if (this._pending.has(cell.model.id)) {
      return null;
    }
    this._pending.add(cell.model.id);
    try {
      const code = cell.model.sharedModel.getSource();
      if (await isPython(kernel)) {
        void claimCell(kernel, cell.model.id);
      }
      const start = Date.now();
      const outcome = await this._execute(panel, cell);
      return await this.save(panel, cell, code, outcome, start, source);
    } finally {
      this._pending.delete(cell.model.id);
    }
  }

  /**
   * Save a run of a cell that has just executed (Log run, or auto-track after a
   * normal Shift+Enter): probe the kernel, collect, post, link the cell to the run.
   */
  async save(
    panel: NotebookPanel,
    cell: CodeCell,
    code: string,
    outcome: IOutcome,
    start: number,
    source: RunSource
  ): Promise<IRun> {
    const end = Date.now();
    performance.mark(`${SAVE_MEASURE}:start`);
    const kernel = this._kernelOf(panel);
    const python = await isPython(kernel);
    const outputs = cell.model.outputs.toJSON();
    const names =
      python && outcome.status === 'FINISHED' ? scanAssignedNames(code) : [];
    const probe = python
      ? await probeKernel(kernel, names)
      : { values: new Map<string, number>(), executionCount: null };
    const explicit = explicitValues(outputs);
    const ownCounts = this._ownCounts(panel, cell.model.id);
    const kernelCount = probe.executionCount ?? cell.model.executionCount ?? 0;
    const info = await kernel.info;
    const spec = await kernel.spec;
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
      context: {
        reproducibility: reproducibilityVerdict(
          cellStates(panel),
          cell.model.id,
          kernelCount,
          ownCounts
        ),
        notebook: notebookSnapshot(panel),
        probed_names: names.length
      },
      params: mergeParams(python ? scanParams(code) : [], explicit.params),
      metrics: mergeMetrics(
        printedMetrics(outputs, end),
        variableMetrics(probe.values, end),
        explicit.metrics
      ),
      tags: explicit.tags
    };
    const saved = await this._client.createRun(run);
    performance.measure(SAVE_MEASURE, `${SAVE_MEASURE}:start`);
    if (cell.model.executionCount !== null) {
      ownCounts.push(cell.model.executionCount);
    }
    if (!panel.isDisposed) {
      NotebookMeta.pinExperiment(panel, run.experiment_name!);
      if (!cell.isDisposed) {
        CellMeta.setLastRun(cell.model, saved);
      }
    }
    this._runLogged.emit({ run: saved, panel });
    return saved;
  }

  /** The notebook's kernel, or a CaptureError saying there is none. */
  private _kernelOf(panel: NotebookPanel): Kernel.IKernelConnection {
    const kernel = panel.sessionContext.session?.kernel;
    if (!kernel) {
      const trans = this._translator.load('jupyterlab_runs');
      throw new CaptureError(
        trans.__(
          'This notebook has no kernel. Select a kernel, then log the run again.'
        )
      );
    }
    return kernel;
  }

  /** Run the cell through the notebook's own executor and report how it ended. */
  private async _execute(
    panel: NotebookPanel,
    cell: CodeCell
  ): Promise<IOutcome> {
    let executed: IExecuted | null = null;
    const onExecuted = (
      _: unknown,
      args: { cell: unknown } & IExecuted
    ): void => {
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

  /**
   * Execution counts of earlier runs of a cell in the current kernel; forgotten when
   * the kernel restarts or changes, since counts start again from 1.
   */
  private _ownCounts(panel: NotebookPanel, cellId: string): number[] {
    let counts = this._counts.get(panel);
    if (!counts) {
      const fresh = new Map<string, number[]>();
      counts = fresh;
      this._counts.set(panel, fresh);
      const forget = () => fresh.clear();
      panel.sessionContext.kernelChanged.connect(forget);
      panel.sessionContext.statusChanged.connect((_, status) => {
        if (status === 'restarting' || status === 'autorestarting') {
          forget();
        }
      });
    }
    let own = counts.get(cellId);
    if (!own) {
      own = [];
      counts.set(cellId, own);
    }
    return own;
  }

  private _client: RunsClient;
  private _translator: ITranslator;
  private _sessionDialogs?: ISessionContextDialogs;
  private _pending = new Set<string>();
  private _counts = new WeakMap<NotebookPanel, Map<string, number[]>>();
  private _runLogged = new Signal<IRunCapture, IRunLogged>(this);
}

/** Map the notebook's execution report to a run status. */
export function outcomeOf(executed: IExecuted | null): IOutcome {
  if (executed === null) {
    // The execution was cancelled: the kernel restarted or died mid-cell.
    return {
      status: 'KILLED',
      error: { name: 'KernelRestarted', message: 'the kernel stopped mid-cell' }
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

/** Whether the kernel speaks Python (and so understands our probes). */
async function isPython(kernel: Kernel.IKernelConnection): Promise<boolean> {
  const info = await kernel.info;
  return info.language_info.name.toLowerCase() === 'python';
}

/** Every cell's state as the reproducibility verdict needs it. */
function cellStates(panel: NotebookPanel): ICellState[] {
  return panel.content.widgets.map(cell => {
    const model = cell.model;
    const code = model.type === 'code' ? (model as CodeCell['model']) : null;
    return {
      id: model.id,
      type: model.type,
      executionCount: code?.executionCount ?? null,
      edited: code?.isDirty ?? false,
      blank: model.sharedModel.getSource().trim() === ''
    };
  });
}

/** The notebook's code cells at the time of the run, capped in size. */
function notebookSnapshot(panel: NotebookPanel): unknown[] {
  const cells: unknown[] = [];
  let size = 0;
  for (const cell of panel.content.widgets) {
    if (cell.model.type !== 'code') {
      continue;
    }
    const source = cell.model.sharedModel.getSource();
    size += source.length;
    if (size > MAX_SNAPSHOT_CHARS) {
      cells.push({ id: cell.model.id, truncated: true });
      break;
    }
    cells.push({
      id: cell.model.id,
      source,
      execution_count: (cell.model as CodeCell['model']).executionCount
    });
  }
  return cells;
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
