import React, { useEffect, useRef } from 'react';

import { IRunSummary, PendingRun } from '../../api/types';
import { IPanelContext } from '../context';
import { formatAge, formatNumber, formatTime, truncate } from '../../format';
import { PanelCommandIDs } from '../commandIds';
import { runLabel } from '../runLabel';
import { RunsListModel } from './listModel';
import { SortColumn } from './query';

/** Params summarised under a row. */
const PARAMS_IN_ROW = 4;

/** What an unsorted header shows besides (or instead of) its label. */
const UNSORTED: Record<SortColumn, string> = {
  version: '',
  name: '',
  status: '●',
  start_time: '',
  metric: '⇅'
};

/** The sortable column headers, with the metric picker in the metric column. */
export function ListHeader(props: {
  ctx: IPanelContext;
  model: RunsListModel;
}): JSX.Element {
  const { ctx, model } = props;
  const { trans } = ctx;
  const labels: Record<SortColumn, string> = {
    version: trans.__('Run'),
    name: trans.__('Name'),
    status: trans.__('Status'),
    start_time: trans.__('Age'),
    metric: model.metric ?? trans.__('Metric')
  };
  const sortButton = (column: SortColumn) => {
    const sorted = model.sort.column === column;
    const direction = model.sort.descending
      ? trans.__('descending')
      : trans.__('ascending');
    return (
      <button
        type="button"
        className={`jp-RunsList-sort jp-RunsList-col-${column}${sorted ? ' jp-mod-sorted' : ''}`}
        data-column={column}
        aria-label={
          sorted
            ? trans.__(
                '%1, sorted %2; click to reverse',
                labels[column],
                direction
              )
            : trans.__('Sort by %1', labels[column])
        }
        onClick={() => model.toggleSort(column)}
      >
        {/* Status and metric headers are narrow: a glyph, the label is for screen readers. */}
        {column !== 'status' && column !== 'metric' && (
          <span className="jp-RunsList-sortLabel">{labels[column]}</span>
        )}
        <span aria-hidden="true" className="jp-RunsList-sortArrow">
          {sorted ? (model.sort.descending ? '▾' : '▴') : UNSORTED[column]}
        </span>
      </button>
    );
  };
  return (
    <div className="jp-RunsList-header">
      <span className="jp-RunsList-runHeader">
        {sortButton('version')}
        {sortButton('name')}
      </span>
      {sortButton('status')}
      {sortButton('start_time')}
      <span className="jp-RunsList-metricHeader">
        <select
          className="jp-RunsList-metricPicker"
          aria-label={trans.__('Metric shown in the list')}
          value={model.metric ?? ''}
          disabled={model.keys.metrics.length === 0}
          onChange={event => model.setMetric(event.target.value)}
        >
          {model.keys.metrics.length === 0 && (
            <option value="">{trans.__('Metric')}</option>
          )}
          {model.keys.metrics.map(key => (
            <option key={key} value={key}>
              {key}
            </option>
          ))}
        </select>
        {sortButton('metric')}
      </span>
    </div>
  );
}

/**
 * The runs as a multi-select listbox: click, shift-click (range), ctrl/cmd-click (toggle);
 * arrows, Home/End (with shift to extend), ctrl+space, ctrl+A and Enter (details).
 */
export function RunRows(props: {
  ctx: IPanelContext;
  model: RunsListModel;
}): JSX.Element {
  const { ctx, model } = props;
  const { trans, commands } = ctx;
  const selection = model.selection;
  const rows = model.rows;
  const metric = model.metric;
  const focus = selection.focus;
  const focusedRun = focus !== null ? model.peekRow(focus) : undefined;
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focusedRun) {
      document
        .getElementById(rowId(focusedRun.id))
        ?.scrollIntoView({ block: 'nearest' });
    }
  }, [focusedRun?.id]);
  const onKeyDown = (event: React.KeyboardEvent) => {
    const modifiers = {
      extend: event.shiftKey,
      toggle: event.ctrlKey || event.metaKey
    };
    const moves: Record<string, number | 'first' | 'last'> = {
      ArrowDown: 1,
      ArrowUp: -1,
      PageDown: 10,
      PageUp: -10,
      Home: 'first',
      End: 'last'
    };
    if (event.key in moves) {
      selection.move(moves[event.key], modifiers);
    } else if (event.key === ' ' && modifiers.toggle) {
      selection.toggleFocused();
    } else if (event.key === 'a' && modifiers.toggle) {
      selection.selectAll();
    } else if (event.key === 'Enter' && focusedRun) {
      void commands.execute(PanelCommandIDs.openRun, { runId: focusedRun.id });
    } else {
      return;
    }
    event.preventDefault();
  };
  return (
    <div
      ref={list}
      className="jp-RunsList-rows"
      role="listbox"
      aria-multiselectable="true"
      aria-label={trans.__('Runs')}
      aria-activedescendant={focusedRun ? rowId(focusedRun.id) : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={() => {
        if (focus === null && rows.length > 0) {
          selection.move('first', { toggle: true });
        }
      }}
    >
      {rows.map((run, index) => (
        <RunRow
          key={run.id}
          ctx={ctx}
          run={run}
          index={index}
          total={model.total}
          metric={metric}
          selected={selection.has(run.id)}
          focused={index === focus}
          onClick={event =>
            selection.click(index, {
              extend: event.shiftKey,
              toggle: event.ctrlKey || event.metaKey
            })
          }
        />
      ))}
    </div>
  );
}

function RunRow(props: {
  ctx: IPanelContext;
  run: IRunSummary;
  index: number;
  total: number;
  metric: string | null;
  selected: boolean;
  focused: boolean;
  onClick: (event: React.MouseEvent) => void;
}): JSX.Element {
  const { ctx, run, index, total, metric, selected, focused, onClick } = props;
  const classes = [
    'jp-RunsList-row',
    selected ? 'jp-mod-selected' : '',
    focused ? 'jp-mod-focused' : ''
  ].join(' ');
  return (
    <div
      id={rowId(run.id)}
      role="option"
      className={classes}
      aria-selected={selected}
      aria-posinset={index + 1}
      aria-setsize={total}
      data-run-id={run.id}
      data-version={run.version}
      onMouseDown={event => {
        // Shift-click would otherwise select the page's text.
        if (event.shiftKey) {
          event.preventDefault();
        }
      }}
      onClick={onClick}
      onDoubleClick={() =>
        void ctx.commands.execute(PanelCommandIDs.openRun, { runId: run.id })
      }
    >
      <RunCells ctx={ctx} run={run} metric={metric} />
    </div>
  );
}

/**
 * What a row shows of a run: version and name, status, age, the metric column and the
 * first params. A run waiting in the outbox has no version yet: "v? · waiting to sync".
 */
export function RunCells(props: {
  ctx: IPanelContext;
  run: IRunSummary | PendingRun;
  metric: string | null;
}): JSX.Element {
  const { ctx, run, metric } = props;
  const { trans } = ctx;
  const value = metric !== null ? run.metrics[metric] : undefined;
  const error = run.error ? `${run.error.name}: ${run.error.message}` : '';
  const params = Object.entries(run.params)
    .slice(0, PARAMS_IN_ROW)
    .map(([key, param]) => `${key}=${truncate(param.value, 24)}`)
    .join(' · ');
  const { version, named } = runLabel(run, trans);
  return (
    <>
      <span className="jp-RunsList-run" title={run.name}>
        <span className="jp-RunsList-version">{version}</span>
        {named && run.name && (
          <span className="jp-RunsList-name">{run.name}</span>
        )}
      </span>
      <span
        className={`jp-RunsList-status jp-mod-${run.status.toLowerCase()}`}
        title={error ? `${run.status} · ${error}` : run.status}
      >
        {/* The glyph comes from CSS; the word stays for screen readers and search. */}
        <span className="jp-RunsPanel-srOnly">{run.status}</span>
      </span>
      <span className="jp-RunsList-age" title={formatTime(run.start_time)}>
        {formatAge(run.start_time, trans)}
      </span>
      <span className="jp-RunsList-metric" title={metric ?? ''}>
        {value ? formatNumber(value.value) : ''}
      </span>
      {params && (
        <span className="jp-RunsList-params" title={params}>
          {params}
        </span>
      )}
    </>
  );
}

function rowId(runId: string): string {
  return `jp-RunsList-row-${runId}`;
}
