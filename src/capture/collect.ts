import * as nbformat from '@jupyterlab/nbformat';

import { decodeNumber } from '../api/numbers';
import { parseRunCard } from '../mime/runCard';
import { RUN_MIME } from '../mime/mimeTypes';
import { INewMetric, INewParam, ParamType } from '../api/types';

/** MIME type of the output the kernel API emits for explicit log calls in a claimed cell. */
export const LOG_MIME = 'application/vnd.jupyterlab-runs.log+json';

const PARAM_TYPES = new Set<string>([
  'int',
  'float',
  'bool',
  'none',
  'str',
  'json',
  'repr'
]);

/** Values logged explicitly (`log_param`, `log_metric`, …) during one execution. */
export interface IExplicitValues {
  /** Params, last value per key. */
  params: INewParam[];
  /** Metric points, every step kept. */
  metrics: INewMetric[];
  /** Tags. */
  tags: Record<string, string>;
}

/** Numeric variables the kernel reported, as metrics. */
export function variableMetrics(
  values: ReadonlyMap<string, number>,
  timestamp: number
): INewMetric[] {
  return [...values].map(([key, value]) => ({
    key,
    value,
    step: 0,
    timestamp,
    source: 'variable'
  }));
}

/** The explicit values carried by our log outputs; malformed entries are skipped. */
export function explicitValues(
  outputs: readonly nbformat.IOutput[]
): IExplicitValues {
  const result: IExplicitValues = { params: [], metrics: [], tags: {} };
  for (const output of outputs) {
    if (!nbformat.isDisplayData(output) && !nbformat.isExecuteResult(output)) {
      continue;
    }
    const payload = output.data[LOG_MIME] as
      Record<string, unknown> | undefined;
    if (!payload || typeof payload !== 'object') {
      continue;
    }
    for (const raw of asArray(payload.params)) {
      const { key, value, type, source } = raw as Record<string, unknown>;
      if (typeof key === 'string' && typeof value === 'string') {
        result.params.push({
          key,
          value,
          type: PARAM_TYPES.has(String(type)) ? (type as ParamType) : 'str',
          source: explicitSource(source)
        });
      }
    }
    for (const raw of asArray(payload.metrics)) {
      const { key, value, step, timestamp, source } = raw as Record<
        string,
        unknown
      >;
      const number = decodeNumber(value);
      if (typeof key === 'string' && number !== null) {
        result.metrics.push({
          key,
          value: number,
          step: typeof step === 'number' ? step : 0,
          timestamp: typeof timestamp === 'number' ? timestamp : undefined,
          source: explicitSource(source)
        });
      }
    }
    const tags = payload.tags;
    if (tags && typeof tags === 'object' && !Array.isArray(tags)) {
      for (const [key, value] of Object.entries(tags)) {
        if (typeof value === 'string') {
          result.tags[key] = value;
        }
      }
    }
  }
  return result;
}

/**
 * Merge metric sources for one run: when a key arrives from both, explicit beats variable
 * (and the server adds printed values only for keys neither has); each point keeps its source.
 */
export function mergeMetrics(
  variable: readonly INewMetric[],
  explicit: readonly INewMetric[]
): INewMetric[] {
  const explicitKeys = new Set(explicit.map(m => m.key));
  return [...variable.filter(m => !explicitKeys.has(m.key)), ...explicit];
}

/** Merge params: explicit values replace scanned ones with the same key. */
export function mergeParams(
  scanned: readonly INewParam[],
  explicit: readonly INewParam[]
): INewParam[] {
  const byKey = new Map<string, INewParam>();
  for (const param of [...scanned, ...explicit]) {
    byKey.delete(param.key);
    byKey.set(param.key, param);
  }
  return [...byKey.values()];
}

/** Where an explicit value came from: the kernel names it (`mlflow`), else `explicit`. */
function explicitSource(source: unknown): string {
  return typeof source === 'string' && source ? source : 'explicit';
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Id of the last run the kernel itself saved during this execution (`%%track`, a
 * `start_run` block): its run card is in the outputs. Log run then links to that run
 * instead of saving a second one.
 */
export function kernelRunId(
  outputs: readonly nbformat.IOutput[]
): string | null {
  let id: string | null = null;
  for (const output of outputs) {
    if (nbformat.isDisplayData(output) || nbformat.isExecuteResult(output)) {
      const card = parseRunCard(output.data[RUN_MIME]);
      if (card) {
        id = card.id;
      }
    }
  }
  return id;
}
