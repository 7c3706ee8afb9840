import { TranslationBundle } from '@jupyterlab/translation';
import {
  defaultRangeExtractor,
  Range,
  useVirtualizer
} from '@tanstack/react-virtual';
import React, { useCallback, useEffect, useRef, useState } from 'react';

import { IColumn } from './columns';
import { GridAction, gridAction } from './gridKeys';
import { GridRow, HEADER_HEIGHT, HeaderRow } from './gridRows';
import { useSignal } from '../components/useSignal';
import { RunsTableModel } from './model';

/** Height of a body row, px (fixed: rows are measured, not rendered, to scroll). */
export const ROW_HEIGHT = 28;
/** Rows below the screen whose page is requested ahead of time. */
const LOOKAHEAD = 50;

/** Props of the grid. */
export interface IRunsGridProps {
  /** The table's state. */
  model: RunsTableModel;
  /** Translations. */
  trans: TranslationBundle;
  /** Open a run (Enter, Space, double click). */
  onOpenRun: (runId: string) => void;
}

/** Keep `index` rendered even when scrolled away, so the focused cell keeps focus. */
function keepIndex(index: React.MutableRefObject<number | null>) {
  return (range: Range): number[] => {
    const indexes = defaultRangeExtractor(range);
    const kept = index.current;
    if (kept === null || kept >= range.count || indexes.includes(kept)) {
      return indexes;
    }
    return [...indexes, kept].sort((a, b) => a - b);
  };
}

/**
 * The runs as an ARIA grid: virtualized rows and columns (only what is on screen plus
 * overscan is in the DOM), pages requested from the query as rows come into view, a
 * roving tabindex on the focused cell, server-side sorting from the headers.
 */
export function RunsGrid(props: IRunsGridProps): JSX.Element {
  const { model, trans, onOpenRun } = props;
  const { query, selection } = model;
  useSignal(query.changed);
  useSignal(selection.changed);
  useSignal(model.changed);
  const columns = model.visibleColumns;
  // Until the first page of a new query arrives the old count keeps the layout still;
  // a query that failed shows no rows.
  const rowCount = !query.ready && query.error ? 0 : query.total;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [activeCol, setActiveCol] = useState(0);
  const [inHeader, setInHeader] = useState(false);
  const focusRow = useRef<number | null>(null);
  focusRow.current = selection.focus;
  const focusCol = useRef<number | null>(activeCol);
  focusCol.current = Math.min(activeCol, Math.max(0, columns.length - 1));
  const wantsFocus = useRef(false);

  const rows = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 5,
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
    // Render scroll updates in React's next batch, not synchronously inside scroll events.
    useFlushSync: false,
    rangeExtractor: useCallback(keepIndex(focusRow), [])
  });
  const cols = useVirtualizer({
    horizontal: true,
    count: columns.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: index => columns[index]?.width ?? 100,
    overscan: 1,
    useFlushSync: false,
    rangeExtractor: useCallback(keepIndex(focusCol), [])
  });
  useEffect(() => cols.measure(), [columns]);

  const rowItems = rows.getVirtualItems();
  const colItems = cols.getVirtualItems();
  const first = rowItems[0]?.index ?? 0;
  const last = rowItems[rowItems.length - 1]?.index ?? 0;
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const onChange = (_: unknown, change: string) => {
      if (change === 'query') {
        scrollRef.current?.scrollTo({ top: 0 });
        setGeneration(g => g + 1);
      }
    };
    query.changed.connect(onChange);
    return () => {
      query.changed.disconnect(onChange);
    };
  }, [query]);
  useEffect(() => {
    // Ask a little past the screen so the next page is usually there before it is needed.
    void query.requestRange(first, last + 1 + LOOKAHEAD);
  }, [query, first, last, generation]);

  // Move DOM focus to the active cell after a keyboard action rendered it.
  useEffect(() => {
    if (!wantsFocus.current || !scrollRef.current) {
      return;
    }
    wantsFocus.current = false;
    const selector = inHeader
      ? `[data-header-col="${focusCol.current}"]`
      : `[data-row="${selection.focus ?? 0}"] [data-col="${focusCol.current}"]`;
    scrollRef.current
      .querySelector<HTMLElement>(selector)
      ?.focus({ preventScroll: true });
  });

  // Metrics sort best-first on the first click; everything else ascending.
  const sortBy = (column: IColumn) =>
    query.toggleSort(
      column.sort,
      column.entity === 'metrics' && model.higherIsBetter(column.key)
    );

  const apply = (action: GridAction) => {
    wantsFocus.current = true;
    switch (action.type) {
      case 'move':
        selection.move(action.delta, action);
        rows.scrollToIndex(selection.focus ?? 0, { align: 'auto' });
        break;
      case 'column': {
        const lastCol = columns.length - 1;
        const next =
          action.delta === 'first'
            ? 0
            : action.delta === 'last'
              ? lastCol
              : Math.min(
                  lastCol,
                  Math.max(0, focusCol.current! + action.delta)
                );
        setActiveCol(next);
        cols.scrollToIndex(next, { align: 'auto' });
        break;
      }
      case 'header':
        setInHeader(true);
        break;
      case 'body':
        setInHeader(false);
        if (selection.focus === null) {
          selection.move('first');
        }
        rows.scrollToIndex(selection.focus ?? 0, { align: 'auto' });
        break;
      case 'sort': {
        const column = columns[focusCol.current ?? 0];
        if (column) {
          sortBy(column);
        }
        break;
      }
      case 'open': {
        const run = query.peekRow(selection.focus ?? -1);
        if (run) {
          onOpenRun(run.id);
        }
        break;
      }
      case 'toggle':
        selection.toggleFocused();
        break;
      case 'selectAll':
        selection.selectAll();
        break;
      case 'clear':
        selection.clear();
        break;
    }
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const viewport = scrollRef.current?.clientHeight ?? 0;
    const action = gridAction(event, {
      inHeader,
      focusRow: selection.focus,
      pageRows: Math.floor((viewport - HEADER_HEIGHT) / ROW_HEIGHT) - 1
    });
    if (action) {
      event.preventDefault();
      event.stopPropagation();
      apply(action);
    }
  };

  const mouseDown = (event: React.MouseEvent, index: number) => {
    if (event.button !== 0) {
      return;
    }
    if (event.shiftKey) {
      event.preventDefault(); // no text selection across rows
    }
    const cell = (event.target as HTMLElement).closest('[data-col]');
    if (cell) {
      setActiveCol(Number(cell.getAttribute('data-col')));
    }
    setInHeader(false);
    wantsFocus.current = true;
    selection.click(index, {
      extend: event.shiftKey,
      toggle: event.ctrlKey || event.metaKey
    });
  };

  // Stable callbacks for the memoized rows, calling the handlers of the latest render.
  const latest = useRef({ mouseDown, onOpenRun, sortBy, columns });
  latest.current = { mouseDown, onOpenRun, sortBy, columns };
  const onMouseDown = useCallback(
    (event: React.MouseEvent, index: number) =>
      latest.current.mouseDown(event, index),
    []
  );
  const openRun = useCallback(
    (runId: string) => latest.current.onOpenRun(runId),
    []
  );
  const onSort = useCallback((index: number) => {
    setActiveCol(index);
    latest.current.sortBy(latest.current.columns[index]);
  }, []);

  const totalWidth = cols.getTotalSize();
  const sort = query.sort;
  const tabRow = inHeader || rowCount === 0 ? -1 : (selection.focus ?? 0);
  return (
    <div
      ref={scrollRef}
      className="jp-RunsGrid"
      role="grid"
      aria-label={trans.__('Runs')}
      aria-rowcount={rowCount + 1}
      aria-colcount={columns.length}
      aria-multiselectable="true"
      aria-busy={query.loading}
      onKeyDown={onKeyDown}
    >
      <div
        className="jp-RunsGrid-head"
        role="rowgroup"
        style={{ width: totalWidth, height: HEADER_HEIGHT }}
      >
        <HeaderRow
          columns={columns}
          colItems={colItems}
          sortExpression={sort?.expression ?? null}
          sortDescending={!!sort?.descending}
          tabCol={tabRow === -1 ? focusCol.current : null}
          model={model}
          revision={model.revision}
          trans={trans}
          onSort={onSort}
        />
      </div>
      <div
        className="jp-RunsGrid-body"
        role="rowgroup"
        style={{ width: totalWidth, height: rows.getTotalSize() }}
      >
        {rowItems.map(item => (
          <GridRow
            key={item.key}
            item={item}
            run={query.peekRow(item.index)}
            columns={columns}
            colItems={colItems}
            selected={selection.isRowSelected(item.index)}
            focused={selection.focus === item.index}
            tabCol={tabRow === item.index ? focusCol.current : null}
            model={model}
            revision={model.revision}
            onMouseDown={onMouseDown}
            onOpenRun={openRun}
          />
        ))}
      </div>
    </div>
  );
}
