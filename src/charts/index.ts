export * from './types';
export * from './json';
export * from './validate';
export * from './spec';
export * from './theme';
export * from './diffTable';
export { barRows, buildBar } from './bar';
export type { IBarRow } from './bar';
export { scatterRows, buildScatter } from './scatter';
export type { IScatterRow } from './scatter';
export { parallelRows, buildParallel } from './parallel';
export type { IParallelRow, IParallelTick } from './parallel';
export {
  smoothEma,
  thinIndices,
  historyRows,
  buildHistory,
  historyZoomBudget,
  HISTORY_ZOOM_PARAM,
  MAX_LINE_POINTS
} from './history';
export type { IHistoryRow } from './history';
export { VEGALITE_SCHEMA, DEFAULT_LABELS } from './common';
export type { IResolvedOptions } from './common';
