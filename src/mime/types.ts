import type { ITranslator } from '@jupyterlab/translation';
import type { ISignal } from '@lumino/signaling';
import type { ICompareBundlePayload, WireNumber, RunStatus } from '../charts';
import { COMPARE_MIME, VEGALITE_MIME } from './mimeTypes';

/** Fetches fresh data for a comparison (the same runs, current values from the store). */
export type RefreshCompare = (
  payload: ICompareBundlePayload
) => Promise<ICompareBundlePayload>;

/** Fetches a history comparison's points of a step range (first to last) from the store. */
export type ZoomCompare = (
  payload: ICompareBundlePayload,
  steps: readonly [number, number]
) => Promise<ICompareBundlePayload>;

/** What the plugin wiring may inject into the renderers; every member is optional. */
export interface IRunsRendererOptions {
  /** Reload a comparison's runs from the store; without it the refresh button is hidden. */
  refresh?: RefreshCompare;
  /** Read a history chart's zoomed steps from the store; without it zooming only magnifies. */
  zoom?: ZoomCompare;
  /** Called with a run id when a chart mark is clicked. */
  onSelectRun?: (runId: string) => void;
  /** Open a run in the Runs panel; without it the card's button is hidden. */
  openRun?: (runId: string) => void;
  /** Emits when the JupyterLab theme changes (`IThemeManager.themeChanged`). */
  themeChanged?: ISignal<unknown, unknown>;
  /** The application translator; the renderer options' translator is used otherwise. */
  translator?: ITranslator;
}

/** The run card payload (`application/vnd.jupyterlab-runs.run+json`), version 1. */
export interface IRunCardPayload {
  /** Payload format version. */
  version: 1;
  /** The run shown. */
  run: {
    /** Run id. */
    id: string;
    /** Experiment id. */
    experiment_id: string;
    /** Experiment name. */
    experiment_name: string;
    /** Version within the experiment. */
    version: number;
    /** Run name. */
    name: string;
    /** Run status. */
    status: RunStatus;
    /** Params as text. */
    params: { [key: string]: string };
    /** Latest metric values. */
    metrics: { [key: string]: WireNumber };
    /** Wall time, when the run has ended. */
    duration_ms: number | null;
  };
}

/** The three representations `buildCompareBundle` produces. */
export interface ICompareBundle {
  /** The data, for our renderer. */
  [COMPARE_MIME]: ICompareBundlePayload;
  /** A static vega-lite 5 spec with inline data, for other front ends. */
  [VEGALITE_MIME]: { [key: string]: unknown };
  /** A plain-text table. */
  'text/plain': string;
}
