import { TranslationBundle } from '@jupyterlab/translation';
import { VirtualItem } from '@tanstack/react-virtual';
import React, { memo } from 'react';

import { IRunSummary } from '../api/types';
import { IColumn } from './columns';
import { cellText } from './format';
import { columnLabel, columnTitle } from './labels';
import { RunsTableModel } from './model';

/** Height of the header row, px. */
export const HEADER_HEIGHT = 30;

/**
 * The header row: one sortable `columnheader` per column on screen. Memoized: scrolling
 * vertically does not re-render it (`revision` stands for the model's columns and labels).
 */
export const HeaderRow = memo(function HeaderRow(props: {
  columns: IColumn[];
  colItems: VirtualItem[];
  sortExpression: string | null;
  sortDescending: boolean;
  tabCol: number | null;
  model: RunsTableModel;
  revision: number;
  trans: TranslationBundle;
  onSort: (index: number) => void;
}): JSX.Element {
  const { columns, colItems, model, trans } = props;
  return (
    <div className="jp-RunsGrid-headerRow" role="row" aria-rowindex={1}>
      {colItems.map(item => {
        const column = columns[item.index];
        const sorted = props.sortExpression === column.sort;
        const direction = props.sortDescending ? 'descending' : 'ascending';
        return (
          <div
            key={column.id}
            className={`jp-RunsGrid-header jp-RunsGrid-${column.entity}`}
            role="columnheader"
            aria-colindex={item.index + 1}
            aria-sort={sorted ? direction : undefined}
            data-header-col={item.index}
            data-column={column.id}
            tabIndex={props.tabCol === item.index ? 0 : -1}
            title={columnTitle(
              column,
              model.metricSummary,
              model.higherIsBetter(column.key),
              trans
            )}
            style={{ left: item.start, width: item.size }}
            onClick={() => props.onSort(item.index)}
          >
            <span className="jp-RunsGrid-headerLabel">
              {columnLabel(column, trans)}
            </span>
            {sorted && (
              <span className="jp-RunsGrid-sortMark" aria-hidden="true">
                {props.sortDescending ? '▼' : '▲'}
              </span>
            )}
          </div>
        );
      })}
    </div>
  );
});

/**
 * One body row, a placeholder until its page arrives. Memoized on what it shows, so a
 * scroll re-renders only the rows that came into view.
 */
export const GridRow = memo(function GridRow(props: {
  item: VirtualItem;
  run: IRunSummary | undefined;
  columns: IColumn[];
  colItems: VirtualItem[];
  selected: boolean;
  focused: boolean;
  tabCol: number | null;
  model: RunsTableModel;
  revision: number;
  onMouseDown: (event: React.MouseEvent, index: number) => void;
  onOpenRun: (runId: string) => void;
}): JSX.Element {
  const { item, run, columns, colItems, model, tabCol } = props;
  const classes = ['jp-RunsGrid-row'];
  if (props.selected) {
    classes.push('jp-mod-selected');
  }
  if (props.focused) {
    classes.push('jp-mod-focused');
  }
  if (!run) {
    classes.push('jp-mod-placeholder');
  }
  return (
    <div
      className={classes.join(' ')}
      role="row"
      aria-rowindex={item.index + 2}
      aria-selected={props.selected}
      aria-busy={run ? undefined : true}
      data-row={item.index}
      data-version={run?.version}
      data-run-id={run?.id}
      style={{
        height: item.size,
        transform: `translateY(${item.start - HEADER_HEIGHT}px)`
      }}
      onMouseDown={event => props.onMouseDown(event, item.index)}
      onDoubleClick={() => run && props.onOpenRun(run.id)}
    >
      {!run && <div className="jp-RunsGrid-placeholder" aria-hidden="true" />}
      {colItems.map(colItem => {
        if (!run) {
          return null;
        }
        const column = columns[colItem.index];
        const { text, title } = cellText(model.cellValue(run, column), column);
        const isStatus =
          run && column.entity === 'attributes' && column.key === 'status';
        const error = isStatus && run.error;
        return (
          <div
            key={column.id}
            className={
              'jp-RunsGrid-cell' +
              (column.numeric ? ' jp-mod-numeric' : '') +
              (isStatus ? ` jp-RunsGrid-status-${run.status}` : '')
            }
            role="gridcell"
            aria-colindex={colItem.index + 1}
            data-col={colItem.index}
            tabIndex={tabCol === colItem.index ? 0 : -1}
            title={error ? `${error.name}: ${error.message}` : title}
            style={{ left: colItem.start, width: colItem.size }}
          >
            {text}
          </div>
        );
      })}
    </div>
  );
});
