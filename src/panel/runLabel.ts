import { TranslationBundle } from '@jupyterlab/translation';

import { IRunSummary, PendingRun } from '../api/types';

/**
 * How the panel names a run: its version ("v7"), or "v? · waiting to sync" while it waits
 * in the outbox; `named` says whether its name adds anything to that.
 */
export function runLabel(
  run: IRunSummary | PendingRun,
  trans: TranslationBundle
): { version: string; named: boolean } {
  if (run.version === null) {
    // A pending run's default name ("v?") is no name: the server numbers it on delivery.
    return {
      version: trans.__('v? · waiting to sync'),
      named: run.name !== 'v?'
    };
  }
  const version = `v${run.version}`;
  return { version, named: run.name !== version };
}
