/** What every view of the panel needs besides its model. */

import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ISignal } from '@lumino/signaling';
import type { IRunsClient } from '../tokens';

/** Services injected into the panel's views (commands are their only way to act). */
export interface IPanelContext {
  /** The application commands: buttons execute panel commands. */
  commands: JupyterFrontEnd['commands'];
  /** Translations of the `jupyterlab_runs` domain. */
  trans: TranslationBundle;
  /** REST client (artifact download links). */
  client: IRunsClient;
  /** Renders the markdown note (sanitized); plain text without it. */
  rendermime: IRenderMimeRegistry | null;
  /** Syntax highlighting for code and diffs, when available. */
  languages: IEditorLanguageRegistry | null;
  /** Emits when the JupyterLab theme changes (charts redraw). */
  themeChanged: ISignal<unknown, unknown> | null;
}
