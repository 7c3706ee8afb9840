/** Small React pieces shared by the panel's sections. */

import React from 'react';

import { IPanelContext } from './context';
import { IPanelError } from './errors';

/** A failed request: what it means for the user, then the server's words (as text). */
export function ErrorBox(props: {
  ctx: IPanelContext;
  error: IPanelError;
}): JSX.Element {
  const { error, ctx } = props;
  const { trans } = ctx;
  const heading =
    error.kind === 'network'
      ? trans.__('The Jupyter server cannot be reached.')
      : error.kind === 'unavailable'
        ? trans.__('The runs store is unavailable.')
        : trans.__('The request failed.');
  return (
    <div className="jp-RunsPanel-error" role="alert">
      <strong>{heading}</strong> {error.message}
    </div>
  );
}

/** The thin indeterminate bar shown while requests are under way. */
export function ProgressBar(props: { label: string }): JSX.Element {
  return (
    <div
      className="jp-RunsPanel-progress"
      role="progressbar"
      aria-label={props.label}
    />
  );
}

/** A titled sub-section of the details (a `<section>` labelled by its heading). */
export function Section(props: {
  id: string;
  title: string;
  className?: string;
  actions?: React.ReactNode;
  children: React.ReactNode;
}): JSX.Element {
  const headingId = `jp-RunsDetails-${props.id}-heading`;
  return (
    <section
      className={`jp-RunsDetails-section ${props.className ?? ''}`}
      aria-labelledby={headingId}
    >
      <div className="jp-RunsDetails-sectionHeader">
        <h3 id={headingId} className="jp-RunsDetails-sectionTitle">
          {props.title}
        </h3>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}

/**
 * A focused text input for editing in place: Enter or leaving it commits, Escape cancels
 * without closing the panel around it.
 */
export function InlineInput(props: {
  className: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  onCommit: () => void;
  onCancel: () => void;
}): JSX.Element {
  return (
    <input
      className={`jp-mod-styled ${props.className}`}
      aria-label={props.label}
      value={props.value}
      autoFocus
      onChange={event => props.onChange(event.target.value)}
      onBlur={props.onCommit}
      onKeyDown={event => {
        if (event.key === 'Enter') {
          props.onCommit();
        } else if (event.key === 'Escape') {
          event.stopPropagation();
          props.onCancel();
        }
      }}
    />
  );
}
