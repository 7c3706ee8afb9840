import { MimeModel } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';
import React, { useEffect, useRef, useState } from 'react';

import { IRun } from '../../api/types';
import { IPanelContext } from '../context';
import { RunDetailsModel } from './detailsModel';
import { NoteSanitizer } from './noteSanitizer';

/** The run's markdown note: rendered (sanitized), or edited in a textarea. */
export function NoteEditor(props: {
  ctx: IPanelContext;
  model: RunDetailsModel;
  run: IRun;
}): JSX.Element {
  const { ctx, model, run } = props;
  const { trans } = ctx;
  const [draft, setDraft] = useState<string | null>(null);
  const save = async () => {
    if (draft !== null && (await model.setNote(draft))) {
      setDraft(null);
    }
  };
  if (draft !== null) {
    return (
      <div className="jp-RunsDetails-noteEditor">
        <textarea
          className="jp-mod-styled jp-RunsDetails-noteInput"
          aria-label={trans.__('Note (markdown)')}
          value={draft}
          rows={6}
          autoFocus
          onChange={event => setDraft(event.target.value)}
          onKeyDown={event => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
              void save();
            } else if (event.key === 'Escape') {
              event.stopPropagation();
              setDraft(null);
            }
          }}
        />
        <div className="jp-RunsDetails-noteButtons">
          <button
            type="button"
            className="jp-RunsPanel-button jp-mod-accept"
            onClick={() => void save()}
          >
            {trans.__('Save note')}
          </button>
          <button
            type="button"
            className="jp-RunsPanel-button"
            onClick={() => setDraft(null)}
          >
            {trans.__('Cancel')}
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="jp-RunsDetails-note">
      {run.note ? (
        <RenderedNote ctx={ctx} note={run.note} />
      ) : (
        <p className="jp-RunsDetails-none">{trans.__('No note.')}</p>
      )}
      <button
        type="button"
        className="jp-RunsPanel-linkButton"
        onClick={() => setDraft(run.note)}
      >
        {run.note ? trans.__('Edit note') : trans.__('Add a note')}
      </button>
    </div>
  );
}

/**
 * Markdown through JupyterLab's renderer. The model is untrusted, so the renderer
 * sanitizes the HTML it produces; without a registry the note is shown as plain text.
 */
function RenderedNote(props: {
  ctx: IPanelContext;
  note: string;
}): JSX.Element {
  const { ctx, note } = props;
  const host = useRef<HTMLDivElement>(null);
  const rendermime = ctx.rendermime;
  useEffect(() => {
    const node = host.current;
    if (!node || !rendermime) {
      return;
    }
    const renderer = rendermime
      .clone({ sanitizer: new NoteSanitizer(rendermime.sanitizer) })
      .createRenderer('text/markdown');
    const mimeModel = new MimeModel({
      data: { 'text/markdown': note },
      trusted: false
    });
    void renderer.renderModel(mimeModel);
    if (node.isConnected) {
      Widget.attach(renderer, node);
    }
    return () => {
      if (!renderer.node.isConnected) {
        // React removed the host before this cleanup ran (the details switched runs):
        // Lumino would refuse to detach a node that is no longer in the page.
        renderer.clearFlag(Widget.Flag.IsAttached);
      }
      renderer.dispose();
    };
  }, [note, rendermime]);
  if (!rendermime) {
    return <pre className="jp-RunsDetails-noteText">{note}</pre>;
  }
  return <div className="jp-RunsDetails-noteRendered" ref={host} />;
}
