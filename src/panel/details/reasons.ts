/** Reading a run's stored reproducibility verdict (`context.reproducibility`). */

import type { TranslationBundle } from '@jupyterlab/translation';

import { IRun } from '../../api/types';
import type {
  IReason,
  IVerdict,
  ReasonKind
} from '../../capture/reproducibility';

const KINDS: readonly ReasonKind[] = [
  'not-run',
  'out-of-order',
  'edited',
  'missing-execution',
  'ran-after'
];

/** The verdict stored with a run, or null when absent or malformed (older runs, magics). */
export function verdictOf(run: IRun): IVerdict | null {
  const raw = run.context['reproducibility'];
  if (!raw || typeof raw !== 'object') {
    return null;
  }
  const { clean, reasons } = raw as { clean?: unknown; reasons?: unknown };
  if (typeof clean !== 'boolean' || !Array.isArray(reasons)) {
    return null;
  }
  const valid = reasons.filter(
    (r): r is IReason =>
      !!r &&
      typeof r === 'object' &&
      KINDS.includes((r as IReason).kind) &&
      (typeof (r as IReason).cellId === 'string' ||
        (r as IReason).cellId === null) &&
      (typeof (r as IReason).index === 'number' ||
        (r as IReason).index === null)
  );
  return { clean, reasons: valid };
}

/** One reason as a sentence; cells are numbered from 1 as in the notebook's order. */
export function reasonText(reason: IReason, trans: TranslationBundle): string {
  const cell = reason.index === null ? '?' : reason.index + 1;
  const count = reason.executionCount ?? '';
  switch (reason.kind) {
    case 'not-run':
      return trans.__('Cell %1 above had not run', cell);
    case 'out-of-order':
      return trans.__('Cell %1 ran out of order [%2]', cell, count);
    case 'edited':
      return trans.__('Cell %1 was edited after it ran', cell);
    case 'ran-after':
      return trans.__('Cell %1 below ran earlier [%2]', cell, count);
    case 'missing-execution':
      return trans.__(
        'Execution [%1] came from a cell no longer in the notebook',
        count
      );
  }
}
