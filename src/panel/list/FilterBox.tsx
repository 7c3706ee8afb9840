import React, { useEffect, useRef, useState } from 'react';

import { IKeys } from '../../api/types';
import {
  applyCompletion,
  completeFilter,
  IFilterCompletion
} from '../../models/filterCompletion';
import { RunsQuery } from '../../models/runsQuery';
import { IPanelContext } from '../context';

/** Most suggestions listed under the box. */
const MAX_SHOWN = 12;

/**
 * The filter box: MLflow search syntax, applied on Enter (or when cleared), key and
 * operator completion from the experiment's keys, and the server's error shown inline
 * with a marker under the position it names.
 */
export function FilterBox(props: {
  ctx: IPanelContext;
  value: string;
  keys: IKeys;
  error: RunsQuery.IError | null;
  onApply: (filter: string) => void;
}): JSX.Element {
  const { ctx, value, keys, error, onApply } = props;
  const { trans } = ctx;
  const [text, setText] = useState(value);
  const [completion, setCompletion] = useState<IFilterCompletion | null>(null);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const pendingCaret = useRef<number | null>(null);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (pendingCaret.current !== null && input.current) {
      input.current.setSelectionRange(
        pendingCaret.current,
        pendingCaret.current
      );
      pendingCaret.current = null;
    }
  });

  const suggest = (next: string, caret: number) => {
    const found = completeFilter(next, caret, keys);
    setCompletion(found && found.items.length ? found : null);
    setActive(0);
  };
  const accept = (index: number) => {
    if (!completion) {
      return;
    }
    const applied = applyCompletion(text, completion, completion.items[index]);
    setText(applied.text);
    pendingCaret.current = applied.caret;
    suggest(applied.text, applied.caret);
  };
  const items = completion?.items.slice(0, MAX_SHOWN) ?? [];
  const listId = 'jp-RunsList-filterCompletions';
  const errorId = 'jp-RunsList-filterError';
  return (
    <div className="jp-RunsList-filter">
      <input
        ref={input}
        type="search"
        className={`jp-mod-styled jp-RunsList-filterInput${error ? ' jp-mod-error' : ''}`}
        placeholder={trans.__(
          "e.g. metrics.accuracy > 0.9 and params.model = 'rf'"
        )}
        aria-label={trans.__('Filter runs (MLflow search syntax)')}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={items.length > 0}
        aria-controls={listId}
        aria-activedescendant={
          items.length > 0 ? `${listId}-${active}` : undefined
        }
        aria-invalid={error !== null}
        aria-describedby={error ? errorId : undefined}
        value={text}
        spellCheck={false}
        onChange={event => {
          setText(event.target.value);
          suggest(event.target.value, event.target.selectionStart ?? 0);
          if (event.target.value === '' && value !== '') {
            onApply('');
          }
        }}
        onBlur={() => setCompletion(null)}
        onKeyDown={event => {
          if (items.length > 0 && event.key === 'ArrowDown') {
            event.preventDefault();
            setActive((active + 1) % items.length);
          } else if (items.length > 0 && event.key === 'ArrowUp') {
            event.preventDefault();
            setActive((active - 1 + items.length) % items.length);
          } else if (items.length > 0 && event.key === 'Tab') {
            event.preventDefault();
            accept(active);
          } else if (event.key === 'Escape' && items.length > 0) {
            event.stopPropagation();
            setCompletion(null);
          } else if (event.key === 'Enter') {
            event.preventDefault();
            setCompletion(null);
            onApply(text);
          } else if (event.key === ' ' && event.ctrlKey) {
            event.preventDefault();
            suggest(text, input.current?.selectionStart ?? text.length);
          }
        }}
      />
      {items.length > 0 && (
        <ul id={listId} role="listbox" className="jp-RunsList-completions">
          {items.map((item, index) => (
            <li
              key={`${item.kind}:${item.label}`}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className={`jp-RunsList-completion jp-mod-${item.kind}${index === active ? ' jp-mod-active' : ''}`}
              // Keep the input focused: accept on mousedown, before blur closes the list.
              onMouseDown={event => {
                event.preventDefault();
                accept(index);
              }}
            >
              {item.label}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <FilterError ctx={ctx} id={errorId} filter={value} error={error} />
      )}
    </div>
  );
}

/** The server's message, and the filter with the character it points at marked. */
function FilterError(props: {
  ctx: IPanelContext;
  id: string;
  filter: string;
  error: RunsQuery.IError;
}): JSX.Element {
  const { ctx, id, filter, error } = props;
  const position = error.position;
  return (
    <div id={id} className="jp-RunsList-filterError" role="alert">
      <div>{ctx.trans.__('Invalid filter: %1', error.message)}</div>
      {position !== null && position <= filter.length && (
        <code className="jp-RunsList-filterWhere" aria-hidden="true">
          {filter.slice(0, position)}
          <mark>{filter.slice(position, position + 1) || ' '}</mark>
          {filter.slice(position + 1)}
        </code>
      )}
    </div>
  );
}
