import type { TranslationBundle } from '@jupyterlab/translation';
import {
  ChartBuild,
  ChartKind,
  CHART_KINDS,
  IDiffTable,
  IIssue,
  IMissingRun,
  IValidationNotes
} from '../charts';

/** Most run labels listed in one "missing" note. */
const MAX_LISTED = 10;

/** Create an element with a class and, optionally, text (always through `textContent`). */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** A labelled `<select>`; options are `[value, text]` pairs, filled as text. */
export function picker(
  label: string,
  className: string,
  options: ReadonlyArray<readonly [string, string]>,
  selected: readonly string[],
  multiple = false
): { wrapper: HTMLLabelElement; select: HTMLSelectElement } {
  const wrapper = element('label', 'jp-RunsChart-picker', label);
  const select = element('select', `jp-mod-styled ${className}`);
  select.multiple = multiple;
  if (multiple) {
    select.size = Math.min(Math.max(options.length, 2), 6);
  }
  for (const [value, text] of options) {
    const option = element('option', '', text);
    option.value = value;
    option.selected = selected.includes(value);
    select.appendChild(option);
  }
  wrapper.appendChild(select);
  return { wrapper, select };
}

/** Translated names of the chart kinds, in picker order. */
export function kindOptions(
  trans: TranslationBundle
): Array<readonly [ChartKind, string]> {
  const names: Record<ChartKind, string> = {
    bar: trans.__('Bar'),
    scatter: trans.__('Scatter'),
    parallel: trans.__('Parallel coordinates'),
    line: trans.__('History')
  };
  return CHART_KINDS.map(kind => [kind, names[kind]] as const);
}

/** The notes under a chart: excluded values and runs left out, as text. */
export function notesOf(
  notes: IValidationNotes,
  missing: ReadonlyArray<IMissingRun>,
  trans: TranslationBundle
): string[] {
  const lines: string[] = [];
  if (notes.nonFinite > 0) {
    lines.push(
      trans._n(
        '%1 value excluded (NaN/Inf)',
        '%1 values excluded (NaN/Inf)',
        notes.nonFinite
      )
    );
  }
  if (notes.invalid > 0) {
    lines.push(
      trans._n(
        '%1 value ignored (not a number)',
        '%1 values ignored (not a number)',
        notes.invalid
      )
    );
  }
  if (notes.shortened > 0) {
    lines.push(
      trans._n(
        '%1 long name shortened',
        '%1 long names shortened',
        notes.shortened
      )
    );
  }
  const byKey = new Map<string, string[]>();
  for (const run of missing) {
    byKey.set(run.key, [...(byKey.get(run.key) ?? []), run.label]);
  }
  for (const [key, labels] of byKey) {
    const listed = labels.slice(0, MAX_LISTED).join(', ');
    const rest = labels.length - MAX_LISTED;
    lines.push(
      rest > 0
        ? trans.__('Missing %1: %2 and %3 more', key, listed, rest)
        : trans.__('Missing %1: %2', key, listed)
    );
  }
  return lines;
}

/** The message shown instead of a chart. */
export function emptyMessage(
  build: Extract<ChartBuild, { status: 'empty' }>,
  trans: TranslationBundle
): string {
  return build.reason === 'no-runs'
    ? trans.__('No runs to compare.')
    : trans.__('No run has the values this chart needs.');
}

/** The list of problems of a payload that cannot be shown. */
export function errorList(
  errors: ReadonlyArray<IIssue>,
  trans: TranslationBundle
): HTMLElement {
  const box = element(
    'div',
    'jp-RunsChart-message jp-mod-error',
    trans.__('This comparison cannot be shown:')
  );
  const list = element('ul', 'jp-RunsChart-errors');
  for (const issue of errors) {
    // Issue messages are the fixed English msgids written in src/charts/validate.ts.
    // eslint-disable-next-line jupyter/no-dynamic-translation
    list.appendChild(element('li', '', trans.__(issue.message, ...issue.args)));
  }
  box.appendChild(list);
  return box;
}

/** The diff table: keys as rows, runs as columns, differing rows marked. */
export function diffTableElement(
  table: IDiffTable,
  trans: TranslationBundle
): HTMLElement {
  const box = element('div', 'jp-RunsChart-diff');
  if (table.rows.length === 0) {
    box.appendChild(
      element(
        'p',
        'jp-RunsChart-note',
        trans.__('All params and metrics are the same in these runs.')
      )
    );
    return box;
  }
  const node = element('table', 'jp-RunsChart-diffTable');
  const head = node.createTHead().insertRow();
  head.appendChild(element('th', '', ''));
  for (const column of table.columns) {
    const th = element('th', '', column.label);
    th.scope = 'col';
    head.appendChild(th);
  }
  const body = node.createTBody();
  for (const row of table.rows) {
    const tr = body.insertRow();
    tr.className = `jp-RunsChart-diffRow jp-mod-${row.section}`;
    if (row.differs) {
      tr.classList.add('jp-mod-differs');
    }
    const th = element('th', '', row.key);
    th.scope = 'row';
    tr.appendChild(th);
    for (const cell of row.cells) {
      const td = element(
        'td',
        cell.missing ? 'jp-mod-missing' : '',
        cell.missing ? '—' : cell.text
      );
      tr.appendChild(td);
    }
  }
  box.appendChild(node);
  const hidden: string[] = [];
  if (table.sameRows > 0) {
    hidden.push(
      trans._n(
        '%1 identical row hidden',
        '%1 identical rows hidden',
        table.sameRows
      )
    );
  }
  if (table.hiddenRuns > 0) {
    hidden.push(
      trans._n(
        '%1 more run not shown',
        '%1 more runs not shown',
        table.hiddenRuns
      )
    );
  }
  if (hidden.length > 0) {
    box.appendChild(element('p', 'jp-RunsChart-note', hidden.join(' · ')));
  }
  return box;
}
