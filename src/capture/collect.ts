import * as nbformat from '@jupyterlab/nbformat';

import { INewMetric } from '../api/types';
import { extractMetrics } from './metrics';
import { outputTexts } from './outputs';

/** Metrics printed by a cell (`Accuracy: 0.964` lines), last value per key. */
export function collectMetrics(
  outputs: readonly nbformat.IOutput[],
  timestamp: number
): INewMetric[] {
  const byKey = new Map<string, INewMetric>();
  for (const text of outputTexts(outputs)) {
    for (const { key, value } of extractMetrics(text)) {
      byKey.delete(key);
      byKey.set(key, { key, value, step: 0, timestamp, source: 'printed' });
    }
  }
  return [...byKey.values()];
}
