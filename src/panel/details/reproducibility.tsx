import React from 'react';

import { IRun } from '../../api/types';
import { IPanelContext } from '../context';
import { PanelCommandIDs } from '../commandIds';
import { reasonText, verdictOf } from './reasons';

/**
 * The reproducibility badge: whether "restart and run all up to this cell" would give
 * the same state, and if not, why — each reason linking to the cell at fault.
 */
export function Reproducibility(props: {
  ctx: IPanelContext;
  run: IRun;
}): JSX.Element | null {
  const { ctx, run } = props;
  const { trans, commands } = ctx;
  const verdict = verdictOf(run);
  if (!verdict) {
    return null;
  }
  const clean = verdict.clean;
  return (
    <div
      className={`jp-RunsDetails-repro ${clean ? 'jp-mod-clean' : 'jp-mod-dirty'}`}
    >
      <span
        className="jp-RunsDetails-reproBadge"
        title={
          clean
            ? trans.__(
                'The cells above ran in order in a fresh kernel: running them again should give the same state.'
              )
            : trans.__(
                'The kernel state came from out-of-order, edited or missing executions.'
              )
        }
      >
        {clean ? trans.__('Reproducible') : trans.__('Not reproducible')}
      </span>
      {!clean && verdict.reasons.length > 0 && (
        <ul className="jp-RunsDetails-reasons">
          {verdict.reasons.map((reason, i) => (
            <li key={i} data-kind={reason.kind}>
              {reason.cellId ? (
                <button
                  type="button"
                  className="jp-RunsPanel-linkButton"
                  data-command={PanelCommandIDs.goToCell}
                  onClick={() =>
                    void commands.execute(PanelCommandIDs.goToCell, {
                      runId: run.id,
                      cellId: reason.cellId
                    })
                  }
                >
                  {reasonText(reason, trans)}
                </button>
              ) : (
                reasonText(reason, trans)
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
