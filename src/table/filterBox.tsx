import { TranslationBundle } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import React, { useEffect, useRef, useState } from 'react';

import {
  applyCompletion,
  completeFilter,
  IFilterCompletionItem
} from '../models/filterCompletion';
import { useRerender } from './hooks';
import { RunsTableModel } from './model';

/**
 * The filter input: completion of keys, operators and connectors as you type (Tab or
 * arrows + Enter accept; Enter alone applies the filter), and the server's error shown
 * under it with the place it points at marked in the text.
 */
export function FilterBox(props: {
  model: RunsTableModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const { query } = model;
  useRerender(query.changed);
  useRerender(model.changed);
  const [draft, setDraft] = useState(query.filter);
  const [caret, setCaret] = useState(query.filter.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  const ids = useRef(UUID.uuid4()).current;
  const listId = `jp-RunsFilter-list-${ids}`;
  const errorId = `jp-RunsFilter-error-${ids}`;

  useEffect(() => setDraft(query.filter), [query.filter]);

  const completion = open ? completeFilter(draft, caret, model.keys) : null;
  const items = completion?.items ?? [];
  // Only errors that point into the filter, and only while the text is the one applied.
  const error =
    query.error &&
    query.error.position !== null &&
    query.filter &&
    draft === query.filter
      ? query.error
      : null;

  const moveCaret = (position: number) => {
    setCaret(position);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(position, position);
    });
  };
  const accept = (item: IFilterCompletionItem) => {
    if (!completion) {
      return;
    }
    const next = applyCompletion(draft, completion, item);
    setDraft(next.text);
    setActive(-1);
    moveCaret(next.caret);
  };
  const submit = () => {
    setOpen(false);
    setActive(-1);
    query.setQuery({ filter: draft.trim() });
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    const count = items.length;
    if (event.key === 'ArrowDown' && count) {
      setActive((active + 1) % count);
    } else if (event.key === 'ArrowUp' && count) {
      setActive((active - 1 + count) % count);
    } else if (event.key === 'Tab' && count && !event.shiftKey) {
      accept(items[Math.max(0, active)]);
    } else if (event.key === 'Enter' && active >= 0 && active < count) {
      accept(items[active]);
    } else if (event.key === 'Enter') {
      submit();
    } else if (event.key === ' ' && (event.ctrlKey || event.metaKey)) {
      setOpen(true);
    } else if (event.key === 'Escape' && open && count) {
      setOpen(false);
    } else if (event.key === 'Escape') {
      setDraft(query.filter);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  };

  const activeId =
    active >= 0 && active < items.length ? `${listId}-${active}` : undefined;
  return (
    <div className="jp-RunsFilter">
      <div className="jp-RunsFilter-row">
        <input
          ref={input}
          className={`jp-RunsFilter-input${error ? ' jp-mod-error' : ''}`}
          type="text"
          spellCheck={false}
          autoComplete="off"
          role="combobox"
          aria-label={trans.__('Filter runs')}
          aria-autocomplete="list"
          aria-expanded={items.length > 0}
          aria-controls={listId}
          aria-activedescendant={activeId}
          aria-invalid={!!error}
          aria-describedby={error ? errorId : undefined}
          placeholder={trans.__(
            "Filter, e.g. metrics.accuracy > 0.9 and params.model = 'rf' (Enter applies)"
          )}
          value={draft}
          onChange={event => {
            setDraft(event.target.value);
            setCaret(event.target.selectionStart ?? event.target.value.length);
            setActive(-1);
            setOpen(true);
          }}
          onSelect={event =>
            setCaret(event.currentTarget.selectionStart ?? draft.length)
          }
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        {query.filter && (
          <button
            className="jp-RunsFilter-clear"
            type="button"
            title={trans.__('Clear the filter')}
            aria-label={trans.__('Clear the filter')}
            onClick={() => query.setQuery({ filter: '' })}
          >
            ×
          </button>
        )}
      </div>
      <ul
        id={listId}
        className="jp-RunsFilter-completions"
        role="listbox"
        aria-label={trans.__('Filter suggestions')}
        hidden={items.length === 0}
      >
        {items.map((item, index) => (
          <li
            key={`${item.kind}:${item.insert}`}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active}
            className={index === active ? 'jp-mod-active' : undefined}
            onMouseDown={event => {
              event.preventDefault(); // keep the focus in the input
              accept(item);
            }}
          >
            <span className="jp-RunsFilter-itemLabel">{item.label}</span>
            <span className="jp-RunsFilter-itemKind">
              {item.entity ?? item.kind}
            </span>
          </li>
        ))}
      </ul>
      {error && (
        <div id={errorId} className="jp-RunsFilter-error" role="alert">
          <span>{trans.__('Filter error: %1', error.message)}</span>
          {error.position !== null && (
            <code
              className="jp-RunsFilter-errorText"
              title={trans.__('Click to put the cursor there')}
              onClick={() => moveCaret(error.position!)}
            >
              {draft.slice(0, error.position)}
              <mark>
                {draft.slice(error.position, error.position + 1) || ' '}
              </mark>
              {draft.slice(error.position + 1)}
            </code>
          )}
        </div>
      )}
    </div>
  );
}
