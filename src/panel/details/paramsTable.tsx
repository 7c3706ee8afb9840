import React from 'react';

import { IRun } from '../../api/types';
import { IPanelContext } from '../context';
import { truncate } from '../../format';

/** Every param: value (as text), original type and where the capture found it. */
export function ParamsTable(props: {
  ctx: IPanelContext;
  run: IRun;
}): JSX.Element {
  const { ctx, run } = props;
  const { trans } = ctx;
  const entries = Object.entries(run.params).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  if (entries.length === 0) {
    return <p className="jp-RunsDetails-none">{trans.__('No params.')}</p>;
  }
  return (
    <table className="jp-RunsDetails-table jp-RunsDetails-params">
      <thead>
        <tr>
          <th scope="col">{trans.__('Param')}</th>
          <th scope="col">{trans.__('Value')}</th>
          <th scope="col">{trans.__('Type')}</th>
          <th scope="col">{trans.__('Source')}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([key, param]) => (
          <tr key={key} data-key={key}>
            <th scope="row" title={key}>
              {truncate(key, 40)}
            </th>
            <td className="jp-RunsDetails-value" title={param.value}>
              {truncate(param.value, 80)}
            </td>
            <td>{param.type}</td>
            <td className="jp-RunsDetails-source">{param.source}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
