/**
 * Types of the comparison charts: the compare payload (what travels in notebook outputs
 * and between the panel and the renderer), the validated model built from it, and the
 * options and results of the pure spec builders.
 *
 * ## The compare payload (`application/vnd.jupyterlab-runs.compare+json`), version 1
 *
 * ```
 * {
 *   version: 1,
 *   experiment: { id: string, name: string },
 *   chart: {
 *     kind: 'bar' | 'scatter' | 'parallel' | 'line',
 *     metric: string,            // the metric charted ('' = first metric found)
 *     params: string[],          // scatter: [x param]; parallel: the param axes
 *     smoothing?: number         // line: EMA weight, clamped to 0..0.99
 *   },
 *   runs: [{
 *     id: string, version: number, name: string,
 *     status?: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED',
 *     params: { [key]: string },                                  // values as text
 *     metrics: { [key]: number | 'NaN' | 'Infinity' | '-Infinity' },
 *     history?: { [metricKey]: [[step, value], ...] }             // value as in metrics
 *   }],
 *   created: number              // ms since the epoch
 * }
 * ```
 *
 * The payload carries data only, never a vega spec: the renderer builds the spec, and any
 * `spec`, `$schema`, `config`, `embed_options`, `usermeta` or other unknown field is
 * ignored. Caps: ≤ 5,000 runs, ≤ 200 params and ≤ 200 metrics per run, keys ≤ 200
 * characters, ≤ 1,000,000 history points in total; names longer than 200 characters are
 * shortened. Non-finite numbers are written as the strings `"NaN"`, `"Infinity"`,
 * `"-Infinity"` (JSON has no NaN).
 */

import type { TopLevelSpec } from 'vega-lite';

/** The chart kinds the compare view can draw. */
export type ChartKind = 'bar' | 'scatter' | 'parallel' | 'line';

/** Every chart kind, in picker order. */
export const CHART_KINDS: readonly ChartKind[] = [
  'bar',
  'scatter',
  'parallel',
  'line'
];

/** A run status as the store reports it. */
export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

/** Every run status. */
export const RUN_STATUSES: readonly RunStatus[] = [
  'RUNNING',
  'FINISHED',
  'FAILED',
  'KILLED'
];

/** How a non-finite number is spelled in JSON payloads. */
export type NonFiniteToken = 'NaN' | 'Infinity' | '-Infinity';

/** A metric value as it travels in JSON. */
export type WireNumber = number | NonFiniteToken;

/** Limits a compare payload must respect. */
export const LIMITS = {
  /** Most runs in one payload. */
  maxRuns: 5000,
  /** Most params (and, separately, metrics or history series) per run. */
  maxKeysPerRun: 200,
  /** Longest key, and longest name before it is shortened. */
  maxTextLength: 200,
  /** Longest param value before it is shortened. */
  maxValueLength: 1000,
  /** Most history points over all runs. */
  maxHistoryPoints: 1_000_000,
  /** Highest smoothing weight. */
  maxSmoothing: 0.99
} as const;

/** The chart choice carried by a payload. */
export interface IChartChoice {
  /** Which chart to draw. */
  kind: ChartKind;
  /** The metric charted. */
  metric: string;
  /** Params used as the scatter x (first) or as parallel axes. */
  params: string[];
  /** EMA weight for history lines, 0..0.99. */
  smoothing?: number;
}

/** One run as the compare payload carries it. */
export interface ICompareRunPayload {
  /** The run id (32 hex digits for the embedded store). */
  id: string;
  /** The version within its experiment. */
  version: number;
  /** The run name (default `v<version>`). */
  name: string;
  /** The run status, when known. */
  status?: RunStatus;
  /** Params as text. */
  params: { [key: string]: string };
  /** Latest metric values. */
  metrics: { [key: string]: WireNumber };
  /** Metric histories as `[step, value]` pairs. */
  history?: { [key: string]: [number, WireNumber][] };
}

/** The compare payload, version 1 (see the module comment). */
export interface ICompareBundlePayload {
  /** Payload format version. */
  version: 1;
  /** The experiment the runs belong to. */
  experiment: { id: string; name: string };
  /** The chart to draw first. */
  chart: IChartChoice;
  /** The compared runs. */
  runs: ICompareRunPayload[];
  /** When the payload was made, ms since the epoch. */
  created: number;
}

/** A validated run: finite numbers only, unique display label, null-prototype maps. */
export interface IRunPoint {
  /** The run id. */
  readonly id: string;
  /** The version within its experiment. */
  readonly version: number;
  /** The run name as stored (shortened when too long). */
  readonly name: string;
  /** A display label unique within the model: the name, or `v<version>`. */
  readonly label: string;
  /** The run status, or null when absent or unknown. */
  readonly status: RunStatus | null;
  /** Params as text. */
  readonly params: Readonly<Record<string, string>>;
  /** Finite metric values. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Metrics whose value was NaN or ±Infinity, excluded from `metrics`. */
  readonly nonFinite: Readonly<Record<string, NonFiniteToken>>;
  /** Finite history points per metric, sorted by step. */
  readonly history: Readonly<
    Record<string, ReadonlyArray<readonly [number, number]>>
  >;
  /** History points whose value was NaN or ±Infinity, kept apart to re-serialise them. */
  readonly excludedHistory: Readonly<
    Record<string, ReadonlyArray<readonly [number, NonFiniteToken]>>
  >;
}

/** Counts of values validation left out or changed, for the view's notes. */
export interface IValidationNotes {
  /** Metric and history values that were NaN or ±Infinity. */
  readonly nonFinite: number;
  /** Values of the wrong type (text where a number was expected, …), treated as missing. */
  readonly invalid: number;
  /** Names and values shortened to the length limits. */
  readonly shortened: number;
}

/** A validated, frozen compare payload. */
export interface ICompareModel {
  /** The experiment the runs belong to. */
  readonly experiment: { readonly id: string; readonly name: string };
  /** The chart choice, with defaults filled in. */
  readonly chart: Readonly<Required<IChartChoice>>;
  /** The runs, in payload order. */
  readonly runs: ReadonlyArray<IRunPoint>;
  /** When the payload was made, ms since the epoch. */
  readonly created: number;
  /** Every param key, sorted. */
  readonly paramKeys: readonly string[];
  /** Every metric key (latest values and histories), sorted. */
  readonly metricKeys: readonly string[];
  /** What validation left out. */
  readonly notes: IValidationNotes;
}

/** A problem found in a payload: an English message with `%1`-style slots, and its args. */
export interface IIssue {
  /** The message id, also its English text. */
  readonly message: string;
  /** Values for the `%1`, `%2` … slots. */
  readonly args: ReadonlyArray<string | number>;
}

/** The outcome of validating a payload. */
export type ValidationResult =
  | { readonly ok: true; readonly model: ICompareModel }
  | { readonly ok: false; readonly errors: ReadonlyArray<IIssue> };

/** Colours the spec builders use (theme-dependent). */
export interface IChartPalette {
  /** Marks that need attention (best run). */
  accent: string;
  /** Ordinary marks. */
  mark: string;
  /** Text, axis labels. */
  text: string;
  /** Secondary text, axis domain and ticks. */
  muted: string;
  /** Grid lines and parallel axes. */
  grid: string;
}

/** Words the builders put into charts (axis titles, tooltips); translated by the view. */
export interface IChartLabels {
  /** Title of the run axis and tooltip entry. */
  run: string;
  /** Tooltip entry of the version. */
  version: string;
  /** Title of the step axis. */
  step: string;
  /** Tooltip entry of the raw value when smoothing. */
  raw: string;
}

/** Options of `buildSpec`. */
export interface IBuildOptions {
  /** Which chart to draw. */
  kind: ChartKind;
  /** The metric charted (bar, scatter y, line, parallel's last axis and colour). */
  metric: string;
  /** Params: the scatter x is the first; parallel uses all of them. */
  params: readonly string[];
  /** EMA weight for history lines, clamped to 0..0.99. */
  smoothing?: number;
  /** Whether the JupyterLab theme is dark. */
  dark: boolean;
  /** Whether a higher metric is better; guessed from the metric name when absent. */
  higherIsBetter?: boolean;
  /** Tooltips and pointer cursor (false for static specs). Default true. */
  interactive?: boolean;
  /** Colours overriding the theme's defaults. */
  palette?: Partial<IChartPalette>;
  /** Translated axis and tooltip words. */
  labels?: Partial<IChartLabels>;
  /** The steps a history chart shows, first to last (a zoom); all of them when absent. */
  stepRange?: readonly [number, number];
}

/** A run left out of a chart because it lacks a value the chart needs. */
export interface IMissingRun {
  /** The run id. */
  readonly id: string;
  /** The run's display label. */
  readonly label: string;
  /** The param or metric it lacks. */
  readonly key: string;
}

/** What `buildSpec` produces: a spec with its notes, or an empty state. */
export type ChartBuild =
  | {
      /** A chart can be drawn. */
      readonly status: 'ok';
      /** The vega-lite spec (data inline, constant field names). */
      readonly spec: TopLevelSpec;
      /** Data rows behind the main marks (bars, points, line vertices). */
      readonly rowCount: number;
      /** Runs left out, with the key they lack. */
      readonly missing: ReadonlyArray<IMissingRun>;
    }
  | {
      /** Nothing to draw. */
      readonly status: 'empty';
      /** `no-runs`: the payload has no runs; `no-values`: no run has the needed values. */
      readonly reason: 'no-runs' | 'no-values';
      /** Runs left out, with the key they lack. */
      readonly missing: ReadonlyArray<IMissingRun>;
    };
