import React, { useState } from 'react';

import { IRun } from '../../api/types';
import { InlineInput } from '../components';
import { IPanelContext } from '../context';
import { RunDetailsModel } from './detailsModel';

/** The run's tags: edit a value in place, remove one, or add a new key/value. */
export function TagsEditor(props: {
  ctx: IPanelContext;
  model: RunDetailsModel;
  run: IRun;
}): JSX.Element {
  const { ctx, model, run } = props;
  const { trans } = ctx;
  const entries = Object.entries(run.tags)
    .filter(([key]) => !key.startsWith('mlflow.'))
    .sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="jp-RunsDetails-tags">
      {entries.length === 0 && (
        <p className="jp-RunsDetails-none">{trans.__('No tags.')}</p>
      )}
      <ul className="jp-RunsDetails-tagList">
        {entries.map(([key, value]) => (
          <TagItem key={key} ctx={ctx} model={model} tag={key} value={value} />
        ))}
      </ul>
      <TagForm ctx={ctx} model={model} />
    </div>
  );
}

function TagItem(props: {
  ctx: IPanelContext;
  model: RunDetailsModel;
  tag: string;
  value: string;
}): JSX.Element {
  const { ctx, model, tag, value } = props;
  const { trans } = ctx;
  const [draft, setDraft] = useState<string | null>(null);
  const save = async () => {
    if (draft !== null && draft !== value) {
      await model.setTag(tag, draft);
    }
    setDraft(null);
  };
  return (
    <li className="jp-RunsDetails-tag" data-key={tag}>
      <span className="jp-RunsDetails-tagKey">{tag}</span>
      {draft === null ? (
        <>
          <span className="jp-RunsDetails-tagValue" title={value}>
            {value}
          </span>
          <button
            type="button"
            className="jp-RunsPanel-linkButton"
            aria-label={trans.__('Edit tag %1', tag)}
            onClick={() => setDraft(value)}
          >
            {trans.__('Edit')}
          </button>
        </>
      ) : (
        <InlineInput
          className="jp-RunsDetails-tagInput"
          label={trans.__('Value of tag %1', tag)}
          value={draft}
          onChange={setDraft}
          onCommit={() => void save()}
          onCancel={() => setDraft(null)}
        />
      )}
      <button
        type="button"
        className="jp-RunsPanel-linkButton"
        aria-label={trans.__('Remove tag %1', tag)}
        onClick={() => void model.deleteTag(tag)}
      >
        ×
      </button>
    </li>
  );
}

function TagForm(props: {
  ctx: IPanelContext;
  model: RunDetailsModel;
}): JSX.Element {
  const { ctx, model } = props;
  const { trans } = ctx;
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const add = async (event: React.FormEvent) => {
    event.preventDefault();
    if (key.trim() && (await model.setTag(key.trim(), value))) {
      setKey('');
      setValue('');
    }
  };
  return (
    <form
      className="jp-RunsDetails-tagForm"
      onSubmit={event => void add(event)}
    >
      <input
        className="jp-mod-styled"
        aria-label={trans.__('New tag key')}
        placeholder={trans.__('key')}
        value={key}
        onChange={event => setKey(event.target.value)}
      />
      <input
        className="jp-mod-styled"
        aria-label={trans.__('New tag value')}
        placeholder={trans.__('value')}
        value={value}
        onChange={event => setValue(event.target.value)}
      />
      <button
        type="submit"
        className="jp-RunsPanel-button"
        disabled={!key.trim()}
      >
        {trans.__('Add tag')}
      </button>
    </form>
  );
}
