import { formatNumber } from '../format';
import {
  ChartKind,
  IChartLabels,
  IChartPalette,
  ICompareModel,
  IMissingRun,
  IRunPoint
} from './types';

/** One line of a chart's tooltip. */
export interface ITooltipEntry {
  field: string;
  type: 'nominal' | 'quantitative';
  title: string;
  format?: string;
}

/**
 * A metric or param key as an axis or legend title. vega's expression parser reads a string
 * literal whose text is a key of its plain-object keyword table (`if`, and every
 * Object.prototype member: `constructor`, `toString`, `__proto__`, …) as an identifier, so
 * such a title became a signal lookup and the chart failed ("Operator not defined"); a
 * zero-width space after it keeps the title as shown (as `safe_title` in compare_spec.py).
 */
export function safeTitle(key: string): string {
  return RESERVED_TITLES.has(key) ? key + '\u200b' : key;
}

/**
 * Tooltip entries whose titles (metric and param keys) survive vega-lite: it writes each
 * title into a generated expression escaping `"` but not `\`, so a key holding a backslash
 * broke the whole chart. Doubling the backslashes makes the expression read the key back.
 */
export function tooltipOf(entries: ITooltipEntry[]): ITooltipEntry[] {
  return entries.map(entry => ({
    ...entry,
    title: safeTitle(entry.title).replace(/\\/g, '\\\\')
  }));
}

/**
 * The encodings of a chart with one mark per run (bar, scatter): the best run in the accent
 * colour and, when interactive, a tooltip naming the run and its version, then `entries`.
 */
export function perRunEncoding(
  options: IResolvedOptions,
  entries: ITooltipEntry[]
) {
  const { palette, labels, interactive } = options;
  return {
    color: {
      condition: { test: 'datum.best', value: palette.accent },
      value: palette.mark
    },
    ...(interactive
      ? {
          tooltip: tooltipOf([
            { field: 'label', type: 'nominal', title: labels.run },
            { field: 'version', type: 'quantitative', title: labels.version },
            ...entries
          ])
        }
      : {})
  };
}

/** Titles vega's expression parser mistakes for identifiers (see `safeTitle`). */
const RESERVED_TITLES = new Set([
  'if',
  ...Object.getOwnPropertyNames(Object.prototype)
]);

/**
 * A mark's ARIA description: the `description` text of its row. Left to vega-lite, the
 * description is an expression built from the encodings' titles, with the same escaping gap
 * as tooltips; a plain field makes it generate none.
 */
export const DESCRIBED_BY_ROW = {
  field: 'description',
  type: 'nominal'
} as const;

/**
 * A row's description for screen readers: `v1 · acc: 0.8`, its run's label then each
 * plotted field with its value (as `describe_row` in `jupyterlab_runs/kernel/compare_spec.py`).
 */
export function describeRow(
  label: string,
  fields: ReadonlyArray<readonly [string, number | string]>
): string {
  const parts = fields.map(
    ([key, value]) =>
      `${key}: ${typeof value === 'number' ? formatNumber(value, 6) : value}`
  );
  return [label, ...parts].join(' · ');
}

/** The vega-lite schema the builders target. */
export const VEGALITE_SCHEMA =
  'https://vega.github.io/schema/vega-lite/v6.json';

/** Default chart height in pixels. */
export const CHART_HEIGHT = 260;

/** Default width of continuous charts in pixels. */
export const CHART_WIDTH = 420;

/** English defaults of the words the builders put into charts. */
export const DEFAULT_LABELS: IChartLabels = {
  run: 'Run',
  version: 'Version',
  step: 'Step',
  raw: 'Raw'
};

/** Options after defaults and guesses are applied; what every builder receives. */
export interface IResolvedOptions {
  /** Which chart to draw. */
  readonly kind: ChartKind;
  /** The metric charted. */
  readonly metric: string;
  /** The params the chart uses (scatter: one; parallel: the axes). */
  readonly params: readonly string[];
  /** EMA weight, 0..0.99. */
  readonly smoothing: number;
  /** Whether a higher metric value is better. */
  readonly higherIsBetter: boolean;
  /** Tooltips and pointer cursor. */
  readonly interactive: boolean;
  /** Colours. */
  readonly palette: IChartPalette;
  /** Translated axis and tooltip words. */
  readonly labels: IChartLabels;
  /** The steps a history chart shows (a zoom), or null for all of them. */
  readonly stepRange: readonly [number, number] | null;
}

/** A run together with one of its values. */
export interface IValued<T> {
  /** The run. */
  readonly run: IRunPoint;
  /** Its value for the key asked for. */
  readonly value: T;
}

/** Split runs into those with a finite value of `metric` and those without it. */
export function splitByMetric(
  runs: ReadonlyArray<IRunPoint>,
  metric: string
): { present: IValued<number>[]; missing: IMissingRun[] } {
  const present: IValued<number>[] = [];
  const missing: IMissingRun[] = [];
  for (const run of runs) {
    const value = run.metrics[metric];
    if (value === undefined) {
      missing.push({ id: run.id, label: run.label, key: metric });
    } else {
      present.push({ run, value });
    }
  }
  return { present, missing };
}

/** The number a param's text spells, or null (`None`, `True`, `rf` are not numbers). */
export function paramNumber(text: string): number | null {
  if (!NUMBER_PATTERN.test(text.trim())) {
    return null;
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Params whose value is not the same for every run, in key order. */
export function differingParams(model: ICompareModel): string[] {
  return model.paramKeys.filter(key => {
    const values = new Set(model.runs.map(r => r.params[key]));
    return values.size > 1;
  });
}

/** Compare two param values: numerically when both are numbers, else as text. */
export function compareParamValues(a: string, b: string): number {
  const x = paramNumber(a);
  const y = paramNumber(b);
  if (x !== null && y !== null) {
    return x - y;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Decimal or exponent notation, as Python and JavaScript print numbers. */
const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
