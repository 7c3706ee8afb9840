/**
 * A read-only CodeMirror view of a run's code, optionally as a unified diff against
 * another version (`@codemirror/merge`), styled by JupyterLab's editor theme.
 */

import { unifiedMergeView } from '@codemirror/merge';
import { EditorState, Extension } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { jupyterTheme } from '@jupyterlab/codemirror';

/** What to show. */
export interface ICodeViewOptions {
  /** The run's code. */
  code: string;
  /** The other version's code: shown as deletions/insertions against it; null for none. */
  original: string | null;
  /** Syntax highlighting, if a language is known. */
  language: Extension | null;
}

/** Create the view inside `parent`; the caller destroys it. */
export function createCodeView(
  parent: HTMLElement,
  options: ICodeViewOptions
): EditorView {
  const extensions: Extension[] = [
    jupyterTheme,
    lineNumbers(),
    EditorState.readOnly.of(true),
    EditorView.editable.of(false),
    EditorView.lineWrapping
  ];
  if (options.language) {
    extensions.push(options.language);
  }
  if (options.original !== null) {
    extensions.push(
      unifiedMergeView({
        original: options.original,
        mergeControls: false,
        highlightChanges: true,
        gutter: true,
        collapseUnchanged: { margin: 3, minSize: 6 }
      })
    );
  }
  return new EditorView({
    parent,
    state: EditorState.create({ doc: options.code, extensions })
  });
}
