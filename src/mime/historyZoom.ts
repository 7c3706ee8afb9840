import type { TranslationBundle } from '@jupyterlab/translation';
import type { View } from 'vega';
import {
  HISTORY_ZOOM_PARAM,
  ICompareBundlePayload,
  ICompareModel,
  validateCompare
} from '../charts';
import { element } from './compareView';
import { ZoomCompare } from './types';

/** Milliseconds the wheel or a drag must rest before the shown steps are fetched. */
const SETTLE_MS = 300;

/** Options of `HistoryZoom`. */
export interface IHistoryZoomOptions {
  /** Reads the points of a step range from the store. */
  fetch: ZoomCompare;
  /** The comparison as saved in the output (its runs and metric), or null. */
  payload: () => ICompareBundlePayload | null;
  /** Called when zoomed points arrived or the zoom was reset: draw the chart again. */
  changed: () => void;
  /** The renderer's translations. */
  trans: TranslationBundle;
}

/**
 * Full resolution of a history chart, a zoom or a click away. The output keeps its
 * downsampled points (the saved notebook stays small); zooming the chart (wheel, drag) or
 * asking for a step range with the keyboard-usable form reads that range from the store,
 * thinned to the chart's pixels keeping extremes, so a narrow range shows every point.
 */
export class HistoryZoom {
  /** Create the controls; `node` is the form to place in the chart's toolbar. */
  constructor(options: IHistoryZoomOptions) {
    this._options = options;
    const { trans } = options;
    this.node = element('form', 'jp-RunsChart-zoom');
    this.node.setAttribute('aria-label', trans.__('Steps shown'));
    // Keys typed here are the form's (Enter submits it), not the notebook's shortcuts.
    this.node.dataset.lmSuppressShortcuts = 'true';
    this._from = this._stepInput(trans.__('From step'));
    this._to = this._stepInput(trans.__('To step'));
    const apply = element(
      'button',
      'jp-mod-styled jp-RunsChart-zoomApply',
      trans.__('Full resolution')
    );
    apply.type = 'submit';
    apply.title = trans.__(
      'Read these steps from the store at full resolution'
    );
    this._reset = element(
      'button',
      'jp-mod-styled jp-RunsChart-zoomReset',
      trans.__('Reset zoom')
    );
    this._reset.type = 'button';
    this._reset.disabled = true;
    this._reset.addEventListener('click', () => this.reset(true));
    this._status = element('span', 'jp-RunsChart-zoomStatus');
    this._status.setAttribute('role', 'status');
    this.node.append(apply, this._reset, this._status);
    this.node.addEventListener('submit', event => {
      event.preventDefault();
      void this._submit();
    });
    // Enter in a step applies it: the notebook around an output takes Enter for itself, so
    // the browser's implicit form submission never happens there.
    this.node.addEventListener('keydown', event => {
      if (event.key === 'Enter' && event.target instanceof HTMLInputElement) {
        event.preventDefault();
        event.stopPropagation();
        void this._submit();
      }
    });
  }

  /** The form: from/to step inputs, "Full resolution", "Reset zoom" and a status line. */
  readonly node: HTMLFormElement;

  /** The model to draw while zoomed (the saved one otherwise: null). */
  get model(): ICompareModel | null {
    return this._zoomed?.model ?? null;
  }

  /** The steps shown while zoomed, or null. */
  get steps(): readonly [number, number] | null {
    return this._zoomed?.steps ?? null;
  }

  /** Forget the zoom (new data, another metric or chart); `redraw` draws the saved points. */
  reset(redraw = false): void {
    this._token++;
    window.clearTimeout(this._timer);
    const was = this._zoomed !== null;
    this._zoomed = null;
    this._reset.disabled = true;
    this._status.textContent = '';
    if (redraw && was) {
      this._options.changed();
    }
  }

  /** Follow a drawn history chart: show its steps in the form and fetch the ones it zooms to. */
  follow(view: View): void {
    const domain = view.scale('x')?.domain() as number[] | undefined;
    if (domain && domain.length === 2) {
      this._from.value = String(Math.floor(domain[0]));
      this._to.value = String(Math.ceil(domain[1]));
    }
    view.addSignalListener(HISTORY_ZOOM_PARAM, (_name, value) => {
      const steps = (value as { step?: number[] } | null)?.step;
      window.clearTimeout(this._timer);
      if (!steps || steps.length !== 2) {
        this.reset(true); // a double click un-zooms
        return;
      }
      const range = [Math.floor(steps[0]), Math.ceil(steps[1])] as const;
      this._from.value = String(range[0]);
      this._to.value = String(range[1]);
      this._timer = window.setTimeout(() => void this.show(range), SETTLE_MS);
    });
  }

  /** Read `steps` (first to last) from the store and draw them. */
  async show(steps: readonly [number, number]): Promise<void> {
    const payload = this._options.payload();
    if (payload === null) {
      return;
    }
    const { trans } = this._options;
    const token = ++this._token;
    this._status.textContent = trans.__('Reading steps %1–%2…', ...steps);
    try {
      const result = validateCompare(await this._options.fetch(payload, steps));
      if (token !== this._token) {
        return;
      }
      if (!result.ok) {
        throw new Error(result.errors.map(e => e.message).join('; '));
      }
      this._zoomed = { steps, model: result.model };
      this._reset.disabled = false;
      this._status.textContent = trans.__(
        'Steps %1–%2 from the store',
        ...steps
      );
      this._options.changed();
    } catch (reason) {
      if (token === this._token) {
        this._status.textContent = trans.__(
          'Zoom failed: %1',
          reason instanceof Error ? reason.message : String(reason)
        );
      }
    }
  }

  /** The form was submitted: check the two steps, then show them. */
  private async _submit(): Promise<void> {
    const first = Number(this._from.value);
    const last = Number(this._to.value);
    if (
      this._from.value.trim() === '' ||
      this._to.value.trim() === '' ||
      !Number.isSafeInteger(first) ||
      !Number.isSafeInteger(last) ||
      first > last
    ) {
      this._status.textContent = this._options.trans.__(
        'Enter two whole steps, the first not after the last.'
      );
      return;
    }
    await this.show([first, last]);
  }

  /** A labelled whole-number input, added to the form. */
  private _stepInput(label: string): HTMLInputElement {
    const wrapper = element('label', 'jp-RunsChart-picker', label);
    const input = element('input', 'jp-mod-styled jp-RunsChart-step');
    input.type = 'number';
    input.step = '1';
    wrapper.appendChild(input);
    this.node.appendChild(wrapper);
    return input;
  }

  private _options: IHistoryZoomOptions;
  private _from: HTMLInputElement;
  private _to: HTMLInputElement;
  private _reset: HTMLButtonElement;
  private _status: HTMLSpanElement;
  private _zoomed: {
    steps: readonly [number, number];
    model: ICompareModel;
  } | null = null;
  private _token = 0;
  private _timer = 0;
}
