import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { element } from './compareView';
import { formatDuration } from '../format';
import { IRunCard, parseRunCard } from './runCard';
import { RUN_MIME } from './mimeTypes';
import { IRunsRendererOptions } from './types';

/** CSS class of the run card. */
const CARD_CLASS = 'jp-RunsCard';

/** Metrics shown in the card's title line. */
const TITLE_METRICS = 4;

/** Params shown in the card's summary. */
const SUMMARY_PARAMS = 8;

/** Options of the run card renderer. */
export type IRunRendererOptions = Pick<
  IRunsRendererOptions,
  'openRun' | 'translator'
>;

/**
 * Renders `application/vnd.jupyterlab-runs.run+json` as a compact card:
 * "v7 · FINISHED · accuracy 0.964", name, experiment and duration, a params summary and
 * an "Open in Runs panel" button. Text only.
 */
export class RunRenderer extends Widget implements IRenderMime.IRenderer {
  /** Create a renderer; `openRun` shows the button when given. */
  constructor(options: IRunRendererOptions = {}) {
    super();
    this.addClass(CARD_CLASS);
    this._openRun = options.openRun;
    this._trans = (options.translator ?? nullTranslator).load(
      'jupyterlab_runs'
    );
  }

  /** Show the run card of a model. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const card = parseRunCard(model.data[RUN_MIME]);
    if (card === null) {
      this.node.replaceChildren(
        element(
          'p',
          `${CARD_CLASS}-message jp-mod-error`,
          this._trans.__(
            'This run card cannot be shown: its data is not valid.'
          )
        )
      );
      return;
    }
    this.node.replaceChildren(...this._cardContent(card));
  }

  private _cardContent(card: IRunCard): HTMLElement[] {
    const trans = this._trans;
    const title = element('div', `${CARD_CLASS}-title`);
    // No version until the MLflow server has the run (it waits in the outbox).
    const version =
      card.version === null
        ? trans.__('v? · waiting to sync')
        : `v${card.version}`;
    title.appendChild(element('span', `${CARD_CLASS}-version`, version));
    if (card.status !== null) {
      title.append(' · ');
      const status = element('span', `${CARD_CLASS}-status`, card.status);
      status.classList.add(`jp-mod-${card.status.toLowerCase()}`);
      title.appendChild(status);
    }
    for (const [key, value] of card.metrics.slice(0, TITLE_METRICS)) {
      title.append(' · ');
      title.appendChild(
        element('span', `${CARD_CLASS}-metric`, `${key} ${value}`)
      );
    }
    const meta = [
      card.name !== '' && card.name !== `v${card.version ?? '?'}`
        ? card.name
        : '',
      card.experimentName,
      card.durationMs !== null ? formatDuration(card.durationMs) : ''
    ].filter(part => part !== '');
    const nodes: HTMLElement[] = [title];
    if (meta.length > 0) {
      nodes.push(element('div', `${CARD_CLASS}-meta`, meta.join(' · ')));
    }
    if (card.params.length > 0) {
      const shown = card.params
        .slice(0, SUMMARY_PARAMS)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      const rest = card.params.length - SUMMARY_PARAMS;
      nodes.push(
        element(
          'div',
          `${CARD_CLASS}-params`,
          rest > 0 ? trans.__('%1, +%2 more', shown, rest) : shown
        )
      );
    }
    const openRun = this._openRun;
    if (openRun) {
      const button = element(
        'button',
        `jp-mod-styled ${CARD_CLASS}-open`,
        trans.__('Open in Runs panel')
      );
      button.type = 'button';
      button.addEventListener('click', () => openRun(card.id));
      nodes.push(button);
    }
    return nodes;
  }

  private _openRun: ((runId: string) => void) | undefined;
  private _trans: TranslationBundle;
}
