/** The geometry of a metric's step sparkline (pure; the view draws it as inline SVG). */

import { IMetricPoint } from '../../api/types';

/** A sparkline: an SVG path over finite points, and what it summarises. */
export interface ISparkline {
  /** The `d` attribute of the line (empty when fewer than two finite points). */
  path: string;
  /** The last point, as [x, y] in the box, or null. */
  last: [number, number] | null;
  /** Number of finite points drawn. */
  points: number;
  /** Points left out because their value was NaN or ±Infinity. */
  skipped: number;
  /** Smallest finite value. */
  min: number;
  /** Largest finite value. */
  max: number;
}

/**
 * Most points drawn: the details ask the server for this many per history (extremes kept);
 * a longer history handed to `sparkline` is thinned evenly (first and last kept).
 */
export const MAX_SPARK_POINTS = 200;

/**
 * The sparkline of `history` in a `width`×`height` box with `pad` pixels of margin:
 * steps on x, values on y (higher up). Non-finite values are skipped and counted.
 */
export function sparkline(
  history: readonly IMetricPoint[],
  width: number,
  height: number,
  pad = 2
): ISparkline {
  const finite = history
    .filter(p => Number.isFinite(p.value))
    .sort((a, b) => a.step - b.step);
  const skipped = history.length - finite.length;
  const shown = thin(finite, MAX_SPARK_POINTS);
  if (shown.length === 0) {
    return { path: '', last: null, points: 0, skipped, min: NaN, max: NaN };
  }
  const values = shown.map(p => p.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const first = shown[0].step;
  const span = shown[shown.length - 1].step - first;
  const x = (step: number, i: number) =>
    pad +
    (span > 0
      ? ((step - first) / span) * (width - 2 * pad)
      : (i / Math.max(1, shown.length - 1)) * (width - 2 * pad));
  // A flat line sits in the middle rather than on the bottom edge.
  const y = (value: number) =>
    max > min
      ? height - pad - ((value - min) / (max - min)) * (height - 2 * pad)
      : height / 2;
  const coords = shown.map(
    (p, i) => [round(x(p.step, i)), round(y(p.value))] as [number, number]
  );
  const path =
    coords.length < 2
      ? ''
      : coords
          .map(([cx, cy], i) => `${i === 0 ? 'M' : 'L'}${cx} ${cy}`)
          .join(' ');
  return {
    path,
    last: coords[coords.length - 1],
    points: shown.length,
    skipped,
    min,
    max
  };
}

function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) {
    return [...items];
  }
  const out: T[] = [];
  for (let i = 0; i < max; i++) {
    out.push(items[Math.round((i * (items.length - 1)) / (max - 1))]);
  }
  return out;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
