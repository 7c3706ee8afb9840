import { guessHigherIsBetter } from '../metricDirection';
import { buildBar } from './bar';
import {
  DEFAULT_LABELS,
  differingParams,
  IResolvedOptions,
  paramNumber
} from './common';
import { buildHistory } from './history';
import { buildParallel } from './parallel';
import { buildScatter } from './scatter';
import { chartPalette } from './theme';
import { ChartBuild, IBuildOptions, ICompareModel, LIMITS } from './types';

/** Parallel coordinates show at most this many param axes when none are chosen. */
const DEFAULT_PARALLEL_AXES = 6;

/** Build options from the chart choice a model carries. */
export function defaultBuildOptions(
  model: ICompareModel,
  dark: boolean
): IBuildOptions {
  const { kind, metric, params, smoothing } = model.chart;
  return { kind, metric, params, smoothing, dark };
}

/** The scatter x param when none is chosen: the first differing numeric param. */
function guessScatterParam(model: ICompareModel): string[] {
  const differing = differingParams(model);
  const numeric = differing.find(key =>
    model.runs.every(r => {
      const text = r.params[key];
      return text === undefined || paramNumber(text) !== null;
    })
  );
  const guess = numeric ?? differing[0] ?? model.paramKeys[0];
  return guess === undefined ? [] : [guess];
}

/** Fill defaults and guesses into build options. */
export function resolveOptions(
  model: ICompareModel,
  options: IBuildOptions
): IResolvedOptions {
  const chosen = [...new Set(options.params)];
  let params = chosen;
  if (options.kind === 'scatter') {
    params = chosen.length > 0 ? chosen.slice(0, 1) : guessScatterParam(model);
  } else if (options.kind === 'parallel' && chosen.length === 0) {
    const differing = differingParams(model);
    params = (differing.length > 0 ? differing : [...model.paramKeys]).slice(
      0,
      DEFAULT_PARALLEL_AXES
    );
  }
  const smoothing = Math.min(
    Math.max(options.smoothing ?? 0, 0),
    LIMITS.maxSmoothing
  );
  return {
    kind: options.kind,
    metric: options.metric,
    params,
    smoothing: Number.isFinite(smoothing) ? smoothing : 0,
    higherIsBetter:
      options.higherIsBetter ?? guessHigherIsBetter(options.metric),
    interactive: options.interactive ?? true,
    palette: chartPalette(options.dark, options.palette),
    labels: { ...DEFAULT_LABELS, ...options.labels },
    stepRange: options.stepRange ?? null
  };
}

/**
 * Build the vega-lite spec of a comparison chart from a validated model.
 *
 * User strings only ever appear as data values and titles; field names and expressions
 * are constants. Runs lacking a needed value are left out and listed in `missing`.
 */
export function buildSpec(
  model: ICompareModel,
  options: IBuildOptions
): ChartBuild {
  if (model.runs.length === 0) {
    return { status: 'empty', reason: 'no-runs', missing: [] };
  }
  const resolved = resolveOptions(model, options);
  switch (resolved.kind) {
    case 'bar':
      return buildBar(model, resolved);
    case 'scatter':
      return buildScatter(model, resolved);
    case 'parallel':
      return buildParallel(model, resolved);
    case 'line':
      return buildHistory(model, resolved);
  }
}
