import { CommandToolbarButtonComponent } from '@jupyterlab/ui-components';
import React, { useEffect, useRef, useState } from 'react';

import {
  buildDiffTable,
  buildSpec,
  ChartBuild,
  ICompareModel,
  isRecord
} from '../../charts';
import {
  diffTableElement,
  emptyMessage,
  kindOptions,
  notesOf
} from '../../mime/compareView';
import { embedChart, isDarkTheme } from '../../mime/vegaLoader';
import { ErrorBox, ProgressBar } from '../components';
import { IPanelContext } from '../context';
import { useSignal } from '../../components/useSignal';
import { PanelCommandIDs } from '../commandIds';
import { CompareModel } from './compareModel';
import { ChartPickers } from './chartPickers';

/** Most runs shown as diff-table columns. */
const DIFF_MAX_RUNS = 8;

/**
 * The comparison of the selected runs: chart pickers, the chart (clicking a mark calls
 * `onSelectRun`), the builders' notes (NaN/Inf, missing values) and a diff table.
 */
export function CompareView(props: {
  ctx: IPanelContext;
  model: CompareModel;
  onSelectRun: (runId: string) => void;
}): JSX.Element {
  const { ctx, model, onSelectRun } = props;
  const { trans } = ctx;
  useSignal(model.changed);
  useSignal(ctx.themeChanged);
  const result = model.validated;
  if (!result) {
    return (
      <p className="jp-RunsPanel-placeholder">
        {trans.__('Select two or more runs and click Compare.')}
      </p>
    );
  }
  if (!result.ok) {
    return (
      <div className="jp-RunsPanel-error" role="alert">
        {trans.__('These runs cannot be compared.')}
      </div>
    );
  }
  const dark = isDarkTheme();
  const build = buildSpec(result.model, {
    ...model.choice,
    dark,
    labels: {
      run: trans.__('Run'),
      version: trans.__('Version'),
      step: trans.__('Step'),
      raw: trans.__('Raw')
    }
  });
  const notes = notesOf(result.model.notes, build.missing, trans);
  return (
    <div className="jp-RunsCompare">
      {model.loading && <ProgressBar label={trans.__('Loading histories')} />}
      {model.error && <ErrorBox ctx={ctx} error={model.error} />}
      <div className="jp-RunsCompare-summary">
        <span>
          {trans._n('Comparing %1 run', 'Comparing %1 runs', model.runs.length)}
        </span>
        <CommandToolbarButtonComponent
          commands={ctx.commands}
          id={PanelCommandIDs.insertComparison}
        />
      </div>
      <ChartPickers
        ctx={ctx}
        model={model}
        kinds={kindOptions(trans)}
        compare={result.model}
      />
      <ChartHost
        ctx={ctx}
        build={build}
        dark={dark}
        ids={result.model.runs.map(run => run.id)}
        onSelectRun={onSelectRun}
      />
      {notes.length > 0 && (
        <ul className="jp-RunsCompare-notes" aria-label={trans.__('Notes')}>
          {notes.map(note => (
            <li key={note} className="jp-RunsCompare-note">
              {note}
            </li>
          ))}
        </ul>
      )}
      <DiffTable ctx={ctx} compare={result.model} />
    </div>
  );
}

/** The vega chart, redrawn when the build changes; finalized on unmount. */
function ChartHost(props: {
  ctx: IPanelContext;
  build: ChartBuild;
  dark: boolean;
  ids: string[];
  onSelectRun: (runId: string) => void;
}): JSX.Element {
  const { ctx, build, dark, ids, onSelectRun } = props;
  const host = useRef<HTMLDivElement>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const spec = build.status === 'ok' ? build.spec : null;
  const specKey = spec ? JSON.stringify(spec) : '';
  useEffect(() => {
    const node = host.current;
    if (!node || !spec) {
      return;
    }
    let cancelled = false;
    let finalize: (() => void) | null = null;
    const known = new Set(ids);
    setFailure(null);
    embedChart(node, spec, {
      dark,
      onClick: datum => {
        const id = isRecord(datum) ? datum.id : undefined;
        if (typeof id === 'string' && known.has(id)) {
          onSelectRun(id);
        }
      }
    }).then(
      chart => {
        if (cancelled) {
          chart.finalize();
        } else {
          finalize = () => chart.finalize();
        }
      },
      reason => {
        if (!cancelled) {
          setFailure(String(reason));
        }
      }
    );
    return () => {
      cancelled = true;
      finalize?.();
      node.replaceChildren();
    };
    // The spec is compared by content: a re-render with equal data keeps the chart.
  }, [specKey, dark]);
  const { trans } = ctx;
  if (build.status === 'empty') {
    return <p className="jp-RunsChart-message">{emptyMessage(build, trans)}</p>;
  }
  return (
    <div className="jp-RunsChart jp-RunsCompare-chart">
      <div className="jp-RunsChart-canvas" ref={host} />
      {failure && (
        <p className="jp-RunsChart-message jp-mod-error">
          {trans.__('The chart could not be drawn: %1', failure)}
        </p>
      )}
    </div>
  );
}

/** The table of params and metrics that differ between the runs (built as text nodes). */
function DiffTable(props: {
  ctx: IPanelContext;
  compare: ICompareModel;
}): JSX.Element {
  const { ctx, compare } = props;
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = host.current;
    if (!node) {
      return;
    }
    const table = buildDiffTable(compare, {
      onlyDiffering: true,
      maxRuns: DIFF_MAX_RUNS
    });
    node.replaceChildren(diffTableElement(table, ctx.trans));
  }, [compare, ctx.trans]);
  return <div className="jp-RunsCompare-diff" ref={host} />;
}
