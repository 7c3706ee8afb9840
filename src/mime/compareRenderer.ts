import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';
import {
  buildDiffTable,
  buildSpec,
  ChartKind,
  IChartChoice,
  ICompareModel,
  isRecord,
  validateCompare
} from '../charts';
import { buildCompareBundle, toPayload } from './bundle';
import {
  diffTableElement,
  element,
  emptyMessage,
  errorList,
  kindOptions,
  notesOf,
  picker
} from './compareView';
import { HistoryZoom } from './historyZoom';
import { COMPARE_MIME } from './mimeTypes';
import { IRunsRendererOptions } from './types';
import { embedChart, IEmbeddedChart, isDarkTheme } from './vegaLoader';

/** CSS class of the compare renderer. */
const CHART_CLASS = 'jp-RunsChart';

/** Most runs shown as diff-table columns. */
const DIFF_MAX_RUNS = 12;

/** Options of the compare renderer. */
export type ICompareRendererOptions = Omit<IRunsRendererOptions, 'openRun'>;

/**
 * Renders `application/vnd.jupyterlab-runs.compare+json`: validates the data, builds the
 * chart spec itself, and shows the chart, its notes, a diff table and pickers that
 * re-render locally. All data reaches the DOM as text.
 */
export class CompareRenderer extends Widget implements IRenderMime.IRenderer {
  /** Create a renderer; `options` carries what the plugin wiring injects. */
  constructor(options: ICompareRendererOptions = {}) {
    super();
    this.addClass(CHART_CLASS);
    this._options = options;
    this._trans = (options.translator ?? nullTranslator).load(
      'jupyterlab_runs'
    );
    options.themeChanged?.connect(this._onThemeChanged, this);
    if (options.zoom) {
      this._zoom = new HistoryZoom({
        fetch: options.zoom,
        payload: () =>
          this._model === null ? null : toPayload(this._model, this._choice),
        changed: () => void this._renderChart(),
        trans: this._trans
      });
    }
  }

  /** Validate and show a compare payload. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this._renderCount++;
    this._mimeModel = model;
    this._zoom?.reset();
    const result = validateCompare(model.data[COMPARE_MIME]);
    this._finalizeChart();
    if (!result.ok) {
      this._model = null;
      this.node.replaceChildren(errorList(result.errors, this._trans));
      return;
    }
    this._model = result.model;
    this._choice = {
      ...result.model.chart,
      params: [...result.model.chart.params]
    };
    this._buildLayout();
    await this._renderChart();
  }

  /** Release the chart and the theme connection. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._options.themeChanged?.disconnect(this._onThemeChanged, this);
    this._zoom?.reset();
    this._finalizeChart();
    super.dispose();
  }

  /** Lay out toolbar, chart host, notes and diff table for the current model. */
  private _buildLayout(): void {
    const model = this._model as ICompareModel;
    const trans = this._trans;
    const toolbar = element('div', `${CHART_CLASS}-toolbar`);
    const kind = picker(
      trans.__('Chart'),
      `${CHART_CLASS}-kind`,
      kindOptions(trans),
      [this._choice.kind]
    );
    kind.select.addEventListener('change', () => {
      this._choice.kind = kind.select.value as ChartKind;
      this._zoom?.reset();
      this._syncParamPicker();
      void this._renderChart();
    });
    const metric = picker(
      trans.__('Metric'),
      `${CHART_CLASS}-metric`,
      model.metricKeys.map(k => [k, k] as const),
      [this._choice.metric]
    );
    metric.select.addEventListener('change', () => {
      this._choice.metric = metric.select.value;
      this._zoom?.reset();
      void this._renderChart();
    });
    this._paramHost = element('span', `${CHART_CLASS}-params`);
    toolbar.append(kind.wrapper, metric.wrapper, this._paramHost);
    if (this._zoom) {
      toolbar.appendChild(this._zoom.node);
    }
    if (this._options.refresh) {
      const button = element(
        'button',
        `jp-mod-styled ${CHART_CLASS}-refresh`,
        trans.__('Refresh from store')
      );
      button.type = 'button';
      button.addEventListener('click', () => void this._refresh(button));
      toolbar.appendChild(button);
    }
    this._chartHost = element('div', `${CHART_CLASS}-view`);
    this._notesHost = element('ul', `${CHART_CLASS}-notes`);
    this._status = element('p', `${CHART_CLASS}-status`);
    this._status.setAttribute('role', 'status');
    this.node.replaceChildren(
      toolbar,
      this._chartHost,
      this._notesHost,
      this._status
    );
    if (model.runs.length > 1) {
      const diff = buildDiffTable(model, {
        onlyDiffering: true,
        maxRuns: DIFF_MAX_RUNS
      });
      this.node.appendChild(diffTableElement(diff, trans));
    }
    this._syncParamPicker();
  }

  /** Show the param picker the chart kind needs: one for scatter, several for parallel. */
  private _syncParamPicker(): void {
    const model = this._model;
    if (model === null) {
      return;
    }
    const { kind } = this._choice;
    this._paramHost.replaceChildren();
    if (
      (kind !== 'scatter' && kind !== 'parallel') ||
      model.paramKeys.length === 0
    ) {
      return;
    }
    const multiple = kind === 'parallel';
    const param = picker(
      multiple ? this._trans.__('Params') : this._trans.__('Param'),
      `${CHART_CLASS}-param`,
      model.paramKeys.map(k => [k, k] as const),
      multiple ? this._choice.params : this._choice.params.slice(0, 1),
      multiple
    );
    param.select.addEventListener('change', () => {
      const chosen = [...param.select.selectedOptions].map(o => o.value);
      this._choice.params = multiple
        ? chosen
        : [...chosen, ...this._choice.params.filter(p => !chosen.includes(p))];
      void this._renderChart();
    });
    this._paramHost.appendChild(param.wrapper);
  }

  /** Build the spec for the current choice and draw it (or the empty-state message). */
  private async _renderChart(): Promise<void> {
    const model = this._model;
    if (model === null) {
      return;
    }
    const token = ++this._chartToken;
    const dark = isDarkTheme();
    const trans = this._trans;
    const history = this._choice.kind === 'line' ? this._zoom : null;
    if (this._zoom) {
      this._zoom.node.hidden = history === null;
    }
    const build = buildSpec(history?.model ?? model, {
      ...this._choice,
      stepRange: history?.steps ?? undefined,
      dark,
      labels: {
        run: trans.__('Run'),
        version: trans.__('Version'),
        step: trans.__('Step'),
        raw: trans.__('Raw')
      }
    });
    this._notesHost.replaceChildren(
      ...notesOf(model.notes, build.missing, trans).map(text =>
        element('li', `${CHART_CLASS}-note`, text)
      )
    );
    this._finalizeChart();
    const host = element('div', `${CHART_CLASS}-canvas`);
    this._chartHost.replaceChildren(host);
    if (build.status === 'empty') {
      host.appendChild(
        element('p', `${CHART_CLASS}-message`, emptyMessage(build, trans))
      );
      return;
    }
    const ids = new Set(model.runs.map(r => r.id));
    const { onSelectRun } = this._options;
    try {
      const chart = await embedChart(host, build.spec, {
        dark,
        onClick: onSelectRun
          ? datum => {
              const id = isRecord(datum) ? datum.id : undefined;
              if (typeof id === 'string' && ids.has(id)) {
                onSelectRun(id);
              }
            }
          : undefined
      });
      if (token !== this._chartToken || this.isDisposed) {
        chart.finalize();
        return;
      }
      this._chart = chart;
      history?.follow(chart.view);
    } catch (reason) {
      if (token === this._chartToken) {
        host.replaceChildren(
          element(
            'p',
            `${CHART_CLASS}-message jp-mod-error`,
            trans.__('The chart could not be drawn: %1', String(reason))
          )
        );
      }
    }
  }

  /** Ask the injected `refresh` for fresh data and show it (and store it in the output). */
  private async _refresh(button: HTMLButtonElement): Promise<void> {
    const { refresh } = this._options;
    const model = this._model;
    const mimeModel = this._mimeModel;
    if (!refresh || model === null || mimeModel === null) {
      return;
    }
    button.disabled = true;
    this._status.textContent = this._trans.__('Refreshing…');
    try {
      const fresh = await refresh(toPayload(model, this._choice));
      const bundle = buildCompareBundle(fresh);
      const before = this._renderCount;
      // The bundle is plain JSON; its interfaces just lack index signatures.
      const data = {
        ...mimeModel.data,
        ...bundle
      } as unknown as ReadonlyPartialJSONObject;
      mimeModel.setData({ data });
      if (this._renderCount === before) {
        await this.renderModel(mimeModel);
      }
    } catch (reason) {
      this._status.textContent = this._trans.__(
        'Refresh failed: %1',
        reason instanceof Error ? reason.message : String(reason)
      );
    } finally {
      button.disabled = false;
    }
  }

  private _onThemeChanged(): void {
    void this._renderChart();
  }

  private _finalizeChart(): void {
    this._chart?.finalize();
    this._chart = null;
  }

  private _options: ICompareRendererOptions;
  private _trans: TranslationBundle;
  private _mimeModel: IRenderMime.IMimeModel | null = null;
  private _model: ICompareModel | null = null;
  private _choice: Required<IChartChoice> = {
    kind: 'bar',
    metric: '',
    params: [],
    smoothing: 0
  };
  private _chart: IEmbeddedChart | null = null;
  private _zoom: HistoryZoom | null = null;
  private _chartToken = 0;
  private _renderCount = 0;
  private _chartHost = element('div', `${CHART_CLASS}-view`);
  private _notesHost = element('ul', `${CHART_CLASS}-notes`);
  private _paramHost = element('span', `${CHART_CLASS}-params`);
  private _status = element('p', `${CHART_CLASS}-status`);
}
