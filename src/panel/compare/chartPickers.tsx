import React from 'react';

import { ChartKind, ICompareModel } from '../../charts';
import { IPanelContext } from '../context';
import { CompareModel } from './compareModel';

/** Chart kind, metric, param(s) and smoothing: the controls the chosen kind uses. */
export function ChartPickers(props: {
  ctx: IPanelContext;
  model: CompareModel;
  kinds: ReadonlyArray<readonly [ChartKind, string]>;
  compare: ICompareModel;
}): JSX.Element {
  const { ctx, model, kinds, compare } = props;
  const { trans } = ctx;
  const { kind, metric, params, smoothing } = model.choice;
  return (
    <div className="jp-RunsCompare-pickers">
      <label className="jp-RunsCompare-picker">
        {trans.__('Chart')}
        <select
          className="jp-mod-styled jp-RunsCompare-kind"
          value={kind}
          onChange={event => model.setKind(event.target.value as ChartKind)}
        >
          {kinds.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </label>
      <label className="jp-RunsCompare-picker">
        {trans.__('Metric')}
        <select
          className="jp-mod-styled jp-RunsCompare-metric"
          value={metric}
          onChange={event => model.setMetric(event.target.value)}
        >
          {compare.metricKeys.map(key => (
            <option key={key} value={key}>
              {key}
            </option>
          ))}
        </select>
      </label>
      {kind === 'scatter' && compare.paramKeys.length > 0 && (
        <label className="jp-RunsCompare-picker">
          {trans.__('Param')}
          <select
            className="jp-mod-styled jp-RunsCompare-param"
            value={params[0] ?? ''}
            onChange={event =>
              model.setParams([
                event.target.value,
                ...params.filter(p => p !== event.target.value)
              ])
            }
          >
            {compare.paramKeys.map(key => (
              <option key={key} value={key}>
                {key}
              </option>
            ))}
          </select>
        </label>
      )}
      {kind === 'parallel' && compare.paramKeys.length > 0 && (
        <fieldset className="jp-RunsCompare-params">
          <legend>{trans.__('Params')}</legend>
          {compare.paramKeys.map(key => (
            <label key={key} className="jp-RunsCompare-check">
              <input
                type="checkbox"
                checked={params.includes(key)}
                onChange={event =>
                  model.setParams(
                    event.target.checked
                      ? [...params, key]
                      : params.filter(p => p !== key)
                  )
                }
              />
              {key}
            </label>
          ))}
        </fieldset>
      )}
      {kind === 'line' && (
        <label className="jp-RunsCompare-picker">
          {trans.__('Smoothing')}
          <input
            type="range"
            className="jp-RunsCompare-smoothing"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            aria-valuetext={smoothing.toFixed(2)}
            onChange={event => model.setSmoothing(Number(event.target.value))}
          />
          <span className="jp-RunsCompare-smoothingValue">
            {smoothing.toFixed(2)}
          </span>
        </label>
      )}
    </div>
  );
}
