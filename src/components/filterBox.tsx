import { TranslationBundle } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import React, { useEffect, useRef, useState } from 'react';

import { IKeys } from '../api/types';
import {
  applyCompletion,
  completeFilter,
  IFilterCompletionItem
} from '../models/filterCompletion';
import { RunsQuery } from '../models/runsQuery';

/** Most suggestions listed under the box. */
const MAX_SHOWN = 12;

/**
 * The filter box of the panel and the table: MLflow search syntax, applied on Enter (or
 * when cleared); completion of keys, operators and connectors as you type (arrows move,
 * Tab or Enter accept, Ctrl+Space asks, Escape closes, then restores the applied text);
 * the server's error shown under it, the character it points at marked (click: caret).
 */
export function FilterBox(props: {
  /** The filter applied now. */
  value: string;
  /** Keys offered by the completion. */
  keys: IKeys;
  /** The server's error about the applied filter, if any. */
  error: RunsQuery.IError | null;
  /** Apply a filter. */
  onApply: (filter: string) => void;
  /** Translations. */
  trans: TranslationBundle;
}): JSX.Element {
  const { value, keys, onApply, trans } = props;
  const [draft, setDraft] = useState(value);
  const [caret, setCaret] = useState(value.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  const uid = useRef(UUID.uuid4()).current;
  const listId = `jp-RunsFilter-list-${uid}`;
  const errorId = `jp-RunsFilter-error-${uid}`;

  useEffect(() => setDraft(value), [value]);

  const completion = open ? completeFilter(draft, caret, keys) : null;
  const items = completion?.items.slice(0, MAX_SHOWN) ?? [];
  // The error is about the applied text: shown only while that is the text in the box.
  const error = props.error && draft === value ? props.error : null;

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
  const apply = (filter: string) => {
    setOpen(false);
    setActive(-1);
    onApply(filter.trim());
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
      apply(draft);
    } else if (event.key === ' ' && (event.ctrlKey || event.metaKey)) {
      setOpen(true);
    } else if (event.key === 'Escape' && open && count) {
      setOpen(false);
    } else if (event.key === 'Escape' && draft !== value) {
      setDraft(value);
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
            "e.g. metrics.accuracy > 0.9 and params.model = 'rf' (Enter applies)"
          )}
          value={draft}
          onChange={event => {
            const text = event.target.value;
            setDraft(text);
            setCaret(event.target.selectionStart ?? text.length);
            setActive(-1);
            setOpen(true);
            if (text === '' && value !== '') {
              apply('');
            }
          }}
          onSelect={event =>
            setCaret(event.currentTarget.selectionStart ?? draft.length)
          }
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        {value && (
          <button
            className="jp-RunsFilter-clear"
            type="button"
            title={trans.__('Clear the filter')}
            aria-label={trans.__('Clear the filter')}
            onClick={() => apply('')}
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
            // Keep the input focused: accept on mousedown, before blur closes the list.
            onMouseDown={event => {
              event.preventDefault();
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
          <span>{trans.__('Invalid filter: %1', error.message)}</span>
          {error.position !== null && error.position <= draft.length && (
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
