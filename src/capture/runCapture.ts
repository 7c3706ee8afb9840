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

import {
  INewRun,
  IRun,
  IRunError,
  IScan,
  PendingRun,
  RunSource,
  RunStatus
} from '../api/types';
import { IRunCapture, IRunLogged, IRunsClient } from '../tokens';
import {
  explicitValues,
  kernelRunId,
  mergeMetrics,
  mergeParams,
  variableMetrics
} from './collect';
import {
  claimCell,
  IProbeResult,
  probeKernel,
  ReplyPayloadWatcher
} from './kernelProbe';
import { CellMeta, NotebookMeta } from './metadata';
import { cellStates, notebookSnapshot } from './notebookState';
import { printedText } from './outputs';
import { reproducibilityVerdict } from './reproducibility';

/** A failure the user can act on (no kernel, …), shown as is. */
export class CaptureError extends Error {}

/** How a cell's execution ended, as the capture sees it. */
export interface IOutcome {
  /** Final status of the run. */
  status: RunStatus;
  /** The exception of a failed or interrupted cell. */
  error: IRunError | null;
}

/** A cell being captured, as read when its execution started. */
export interface ICaptureTarget {
  /** The notebook. */
  panel: NotebookPanel;
  /** The cell widget (disposed if the notebook was closed meanwhile). */
  cell: CodeCell;
  /** The notebook's kernel at the start. */
  kernel: Kernel.IKernelConnection;
  /** The cell's id. */
  cellId: string;
  /** The code that was executed. */
  code: string;
  /** The experiment the run goes to. */
  experiment: string;
  /** The notebook's path. */
  notebookPath: string;
  /** The server's scan of `code`, requested when the execution starts. */
  scan: Promise<IScan>;
}

/** What the notebook's executor reports for one cell. */
export interface IExecuted {
  /** Whether the cell ran without error. */
  success: boolean;
  /** The kernel error of a failed cell. */
  error?: KernelError | null;
}

/** Performance measure from the cell's end to the run being saved (bench/). */
export const SAVE_MEASURE = 'jupyterlab-runs:save';
/** Performance measure of waiting, after the cell, for the code's scan sent as it started (bench/). */
export const SCAN_MEASURE = 'jupyterlab-runs:scan';
/** Performance measure of the kernel probe after the cell (bench/). */
export const PROBE_MEASURE = 'jupyterlab-runs:probe';
/** Performance measure of the `POST runs` request (bench/). */
export const POST_MEASURE = 'jupyterlab-runs:post';

/**
 * Runs code cells and saves what they produced as versioned runs: literal params,
 * printed / variable / explicit metrics, the code and its context, in one `POST runs`.
 * What the code and its printed outputs mean is the server's scan (CPython's parser); the
 * code's scan is requested as the cell starts, so it is ready when the cell ends.
 */
export class RunCapture implements IRunCapture {
  /** Create the capture service. */
  constructor(options: RunCapture.IOptions) {
    this._client = options.client;
    this._translator = options.translator ?? nullTranslator;
    this._sessionDialogs = options.sessionDialogs;
  }

  /**
   * Whether runs keep a snapshot of the notebook's code cells (the `notebookSnapshot`
   * setting). Off, no other cell's source leaves the notebook with a run.
   */
  keepNotebookSnapshot = true;

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
   * Execute `cell` and save a run of it (pending, without a version, while the MLflow
   * server is unreachable). Resolves to null when the cell is already being logged (a
   * double click); throws `CaptureError` when it cannot run.
   */
  async logCell(
    panel: NotebookPanel,
    cell: CodeCell,
    source: RunSource = 'toolbar'
  ): Promise<IRun | PendingRun<IRun> | null> {
    const target = this.target(panel, cell);
    if (this._pending.has(target.cellId)) {
      return null;
    }
    this._pending.add(target.cellId);
    const watcher = (await isPython(target.kernel)) ? this.claim(target) : null;
    try {
      const start = Date.now();
      const outcome = await this._execute(panel, cell);
      return await this.save(
        target,
        outcome,
        start,
        source,
        watcher?.result ?? null
      );
    } finally {
      watcher?.dispose();
      this._pending.delete(target.cellId);
    }
  }

  /**
   * What a run needs from the notebook, read when the execution starts (the notebook
   * may be closed, and the cell disposed, before the run is saved); asks the server to
   * scan the code meanwhile.
   */
  target(panel: NotebookPanel, cell: CodeCell): ICaptureTarget {
    const kernel = this._kernelOf(panel);
    const code = cell.model.sharedModel.getSource();
    const scan = kernel.info.then(info =>
      this._client.scan({ code, language: info.language_info.name })
    );
    // Awaited by save(); an execution that never ends must not report it unhandled.
    scan.catch(() => undefined);
    return {
      panel,
      cell,
      kernel,
      cellId: cell.model.id,
      code,
      experiment: this.experimentName(panel),
      notebookPath: panel.context.path,
      scan
    };
  }

  /**
   * Claim the cell's next execution in a Python kernel and watch for the values its
   * reply will carry. Synchronous on purpose: the claim must be sent before the cell's
   * own request. It needs no names: a kernel with our package scans the cell itself.
   */
  claim(target: ICaptureTarget): ReplyPayloadWatcher {
    void claimCell(target.kernel, target.cellId);
    return new ReplyPayloadWatcher(target.kernel, target.cellId);
  }

  /**
   * Save a run of a cell that has just executed (Log run, or auto-track after a
   * normal Shift+Enter): collect, post, link the cell to the run.
   */
  async save(
    target: ICaptureTarget,
    outcome: IOutcome,
    start: number,
    source: RunSource,
    reply: IProbeResult | null = null
  ): Promise<IRun | PendingRun<IRun>> {
    const end = Date.now();
    performance.mark(`${SAVE_MEASURE}:start`);
    const { panel, cell, kernel, code } = target;
    const alive = !cell.isDisposed;
    const outputs = alive ? cell.model.outputs.toJSON() : [];
    const executionCount = alive ? cell.model.executionCount : null;
    const tracked = kernelRunId(outputs);
    if (tracked) {
      return this._link(target, await this._client.getRun(tracked));
    }
    const info = await kernel.info;
    const language = info.language_info.name;
    const python = language.toLowerCase() === 'python';
    const scan = await target.scan;
    performance.measure(SCAN_MEASURE, `${SAVE_MEASURE}:start`);
    const names = python && outcome.status === 'FINISHED' ? scan.names : [];
    // The claimed cell's reply carries the values; probe only kernels without our package.
    performance.mark(`${PROBE_MEASURE}:start`);
    const probe =
      reply ??
      (python && !kernel.isDisposed
        ? await probeKernel(kernel, names)
        : { values: new Map<string, number>(), executionCount: null });
    performance.measure(PROBE_MEASURE, `${PROBE_MEASURE}:start`);
    const explicit = explicitValues(outputs);
    const ownCounts = this._ownCounts(panel, target.cellId);
    const kernelCount = probe.executionCount ?? executionCount ?? 0;
    const spec = await kernel.spec;
    const run: INewRun = {
      experiment_name: target.experiment,
      notebook_path: target.notebookPath,
      status: outcome.status,
      source,
      start_time: start,
      end_time: end,
      cell_id: target.cellId,
      execution_count: executionCount,
      kernel_name: spec?.name ?? kernel.name,
      language,
      code,
      error: outcome.error,
      context: {
        reproducibility: reproducibilityVerdict(
          cellStates(panel),
          target.cellId,
          kernelCount,
          ownCounts
        ),
        ...(this.keepNotebookSnapshot
          ? { notebook: notebookSnapshot(panel) }
          : {}),
        probed_names: names.length
      },
      // Every kernel gets the scan: Python-like assignments (Julia, R's `=`) fit it too.
      params: mergeParams(scan.params, explicit.params),
      metrics: mergeMetrics(
        variableMetrics(probe.values, end),
        explicit.metrics
      ),
      // The server reads the printed metrics from it: no extra request at the cell's end.
      printed: printedText(outputs),
      tags: explicit.tags
    };
    performance.mark(`${POST_MEASURE}:start`);
    const saved = await this._client.createRun(run);
    performance.measure(POST_MEASURE, `${POST_MEASURE}:start`);
    performance.measure(SAVE_MEASURE, `${SAVE_MEASURE}:start`);
    if (executionCount !== null) {
      ownCounts.push(executionCount);
    }
    if (!panel.isDisposed) {
      NotebookMeta.pinExperiment(panel, target.experiment);
    }
    return this._link(target, saved);
  }

  /** Link the cell to its run and tell listeners (the panel refreshes). */
  private _link<T extends IRun | PendingRun<IRun>>(
    target: ICaptureTarget,
    run: T
  ): T {
    if (!target.panel.isDisposed && !target.cell.isDisposed) {
      CellMeta.setLastRun(target.cell.model, run);
    }
    this._runLogged.emit({ run, panel: target.panel });
    return run;
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

  private _client: IRunsClient;
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
      error: {
        name: 'Cancelled',
        message:
          'the execution was cancelled: the kernel restarted or died, or the notebook was closed'
      }
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

/** A namespace for RunCapture statics. */
export namespace RunCapture {
  /** Options of the capture service. */
  export interface IOptions {
    /** REST client. */
    client: IRunsClient;
    /** Application translator. */
    translator?: ITranslator;
    /** Dialogs used when the cell needs a kernel. */
    sessionDialogs?: ISessionContextDialogs;
  }
}
