import { TranslationBundle } from '@jupyterlab/translation';
import React, { useEffect, useRef, useState } from 'react';

import { KeyEntity } from '../models/keys';
import { IColumn } from './columns';
import { useSignal } from '../components/useSignal';
import { columnLabel, entityLabel } from './labels';
import { RunsTableModel } from './model';

const GROUPS: KeyEntity[] = ['attributes', 'metrics', 'params', 'tags'];

/**
 * The column chooser: a searchable list of every attribute, metric, param and tag column
 * with a checkbox each, "all"/"none" per group for what the search matched, and for
 * metrics the direction "best of steps" uses.
 */
export function ColumnChooser(props: {
  model: RunsTableModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, trans } = props;
  useSignal(model.changed);
  const [search, setSearch] = useState('');
  const searchBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (model.chooserOpen) {
      searchBox.current?.focus();
    }
  }, [model.chooserOpen]);
  if (!model.chooserOpen) {
    return null;
  }
  const visible = new Set(model.visibleColumns.map(c => c.id));
  const needle = search.trim().toLowerCase();
  const matches = (column: IColumn) =>
    !needle ||
    column.id.toLowerCase().includes(needle) ||
    columnLabel(column, trans).toLowerCase().includes(needle);

  return (
    <div
      className="jp-RunsColumns"
      role="dialog"
      aria-label={trans.__('Choose columns')}
      onKeyDown={event => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          model.toggleChooser(false);
        }
      }}
    >
      <div className="jp-RunsColumns-head">
        <input
          ref={searchBox}
          className="jp-RunsColumns-search"
          type="search"
          aria-label={trans.__('Search columns')}
          placeholder={trans.__('Search columns')}
          value={search}
          onChange={event => setSearch(event.target.value)}
        />
        <button
          type="button"
          className="jp-RunsColumns-close"
          aria-label={trans.__('Close')}
          title={trans.__('Close')}
          onClick={() => model.toggleChooser(false)}
        >
          ×
        </button>
      </div>
      <div className="jp-RunsColumns-list">
        {GROUPS.map(entity => {
          const columns = model.columns.filter(
            c => c.entity === entity && matches(c)
          );
          if (columns.length === 0) {
            return null;
          }
          const ids = columns.map(c => c.id);
          return (
            <fieldset key={entity} className="jp-RunsColumns-group">
              <legend>
                {entityLabel(entity, trans)}
                <button
                  type="button"
                  onClick={() => model.setColumnsVisible(ids, true)}
                >
                  {trans.__('all')}
                </button>
                <button
                  type="button"
                  onClick={() => model.setColumnsVisible(ids, false)}
                >
                  {trans.__('none')}
                </button>
              </legend>
              {columns.map(column => (
                <ColumnItem
                  key={column.id}
                  column={column}
                  checked={visible.has(column.id)}
                  model={model}
                  trans={trans}
                />
              ))}
            </fieldset>
          );
        })}
      </div>
    </div>
  );
}

function ColumnItem(props: {
  column: IColumn;
  checked: boolean;
  model: RunsTableModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { column, checked, model, trans } = props;
  const higher = model.higherIsBetter(column.key);
  return (
    <div className="jp-RunsColumns-item">
      <label title={column.id}>
        <input
          type="checkbox"
          checked={checked}
          onChange={event =>
            model.setColumnsVisible([column.id], event.target.checked)
          }
        />
        <span>{columnLabel(column, trans)}</span>
      </label>
      {column.entity === 'metrics' && (
        <button
          type="button"
          className="jp-RunsColumns-direction"
          aria-pressed={higher}
          title={
            higher
              ? trans.__('Higher is better: "best of steps" shows the maximum')
              : trans.__('Lower is better: "best of steps" shows the minimum')
          }
          onClick={() => model.setHigherIsBetter(column.key, !higher)}
        >
          {higher ? trans.__('↑ higher') : trans.__('↓ lower')}
        </button>
      )}
    </div>
  );
}
