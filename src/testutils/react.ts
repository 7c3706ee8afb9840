/** Render React elements into a real (jsdom) document for jest specs. */

import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';
import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { act, ReactElement } from 'react';

import { RunsClient } from '../api/client';
import type { IPanelContext } from '../panel/context';

// React warns about updates outside act() unless it knows it runs under a test.
(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

/** A rendered element: its widget's node in the document, and a way to remove it. */
export interface IRendered {
  /** The node the element rendered into (attached to document.body). */
  node: HTMLElement;
  /** Unmount and detach. */
  unmount(): void;
}

/**
 * Render `element` as the panel does (a ReactWidget attached to the document), flushing
 * React's work before returning.
 */
export function render(element: ReactElement): IRendered {
  const widget = ReactWidget.create(element);
  // Attaching renders (ReactWidget's after-attach handler).
  act(() => Widget.attach(widget, document.body));
  return {
    node: widget.node,
    unmount: () => act(() => widget.dispose())
  };
}

/** A panel context for views rendered alone: real commands, the null translator. */
export function panelContext(): IPanelContext {
  return {
    commands: new CommandRegistry(),
    trans: nullTranslator.load('jupyterlab_runs'),
    client: new RunsClient(),
    rendermime: null,
    languages: null,
    themeChanged: null
  };
}
