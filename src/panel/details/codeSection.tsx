import { CommandToolbarButtonComponent } from '@jupyterlab/ui-components';
import type { Extension } from '@codemirror/state';
import React, { useEffect, useRef, useState } from 'react';

import { IRun } from '../../api/types';
import { IPanelContext } from '../context';
import { PanelCommandIDs } from '../commandIds';
import { runLabel } from '../runLabel';
import { createCodeView } from './codeView';
import { RunDetailsModel } from './detailsModel';

/** The run's code, a picker to diff it against any other version, and "restore". */
export function CodeSection(props: {
  ctx: IPanelContext;
  model: RunDetailsModel;
  run: IRun;
}): JSX.Element {
  const { ctx, model, run } = props;
  const { trans } = ctx;
  const other = model.diffWith;
  const language = useLanguage(ctx, run.language);
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) {
      return;
    }
    const view = createCodeView(host.current, {
      code: run.code,
      original: other ? other.code : null,
      language
    });
    return () => view.destroy();
  }, [run.code, other?.code, language]);
  const pickerId = `jp-RunsDetails-diff-${run.id}`;
  const label = runLabel(run, trans).version;
  return (
    <div className="jp-RunsDetails-code">
      <div className="jp-RunsDetails-codeBar">
        <label htmlFor={pickerId}>{trans.__('Diff against')}</label>
        <select
          id={pickerId}
          className="jp-mod-styled jp-RunsDetails-diffPicker"
          value={other?.id ?? ''}
          onChange={event => model.setDiffWith(event.target.value || null)}
        >
          <option value="">{trans.__('no diff')}</option>
          {model.versions.map(version => (
            <option key={version.id} value={version.id}>
              {version.name === `v${version.version}`
                ? `v${version.version}`
                : `v${version.version} · ${version.name}`}
            </option>
          ))}
        </select>
        <CommandToolbarButtonComponent
          commands={ctx.commands}
          id={PanelCommandIDs.restoreCode}
          args={{ runId: run.id }}
        />
      </div>
      {other && other.code === run.code && (
        <p className="jp-RunsDetails-none">
          {trans.__('Same code as v%1.', other.version)}
        </p>
      )}
      <div
        className="jp-RunsDetails-editor"
        ref={host}
        aria-label={
          other
            ? trans.__('Code of %1 compared with v%2', label, other.version)
            : trans.__('Code of %1', label)
        }
        role="region"
      />
    </div>
  );
}

/** The CodeMirror language support of a kernel language, once loaded (null meanwhile). */
function useLanguage(
  ctx: IPanelContext,
  name: string | null
): Extension | null {
  const [support, setSupport] = useState<Extension | null>(null);
  useEffect(() => {
    let cancelled = false;
    setSupport(null);
    if (!ctx.languages || !name) {
      return;
    }
    void ctx.languages
      .getLanguage(name)
      .then(language => {
        if (!cancelled && language?.support) {
          setSupport(language.support);
        }
      })
      .catch(() => undefined); // plain text is a fine fallback
    return () => {
      cancelled = true;
    };
  }, [ctx.languages, name]);
  return support;
}
