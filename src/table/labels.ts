import { TranslationBundle } from '@jupyterlab/translation';

import { IColumn, MetricSummary } from './columns';

/** The header text of a column: translated attribute names, keys as they are. */
export function columnLabel(column: IColumn, trans: TranslationBundle): string {
  if (column.entity !== 'attributes') {
    return column.key;
  }
  switch (column.key) {
    case 'version':
      return trans.__('Version');
    case 'name':
      return trans.__('Name');
    case 'status':
      return trans.__('Status');
    case 'start_time':
      return trans.__('Started');
    case 'duration':
      return trans.__('Duration');
    case 'source':
      return trans.__('Source');
    case 'user':
      return trans.__('User');
    case 'notebook_path':
      return trans.__('Notebook');
    case 'experiment_id':
      return trans.__('Experiment');
    case 'note':
      return trans.__('Note');
    case 'id':
      return trans.__('Run ID');
    default:
      return column.key;
  }
}

/** Names of the entities, for groups in the column chooser and header tooltips. */
export function entityLabel(
  entity: IColumn['entity'],
  trans: TranslationBundle
): string {
  switch (entity) {
    case 'metrics':
      return trans.__('Metrics');
    case 'params':
      return trans.__('Parameters');
    case 'tags':
      return trans.__('Tags');
    default:
      return trans.__('Attributes');
  }
}

/** Names of the metric summaries. */
export function summaryLabel(
  summary: MetricSummary,
  trans: TranslationBundle
): string {
  switch (summary) {
    case 'best':
      return trans.__('Best of steps');
    case 'min':
      return trans.__('Minimum');
    case 'max':
      return trans.__('Maximum');
    default:
      return trans.__('Last value');
  }
}

/** A header's tooltip: what the column holds and how it sorts. */
export function columnTitle(
  column: IColumn,
  summary: MetricSummary,
  higherIsBetter: boolean,
  trans: TranslationBundle
): string {
  if (column.entity !== 'metrics') {
    return trans.__('%1 · click to sort', column.id);
  }
  const shown =
    summary === 'best'
      ? higherIsBetter
        ? trans.__('best = maximum')
        : trans.__('best = minimum')
      : summaryLabel(summary, trans);
  return trans.__(
    '%1 (%2) · click to sort by the last value',
    column.id,
    shown
  );
}
