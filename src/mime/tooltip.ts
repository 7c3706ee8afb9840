import type { TooltipHandler } from 'vega';

/** CSS class of the tooltip element. */
const TOOLTIP_CLASS = 'jp-RunsChart-tooltip';

/** Offset of the tooltip from the pointer, in pixels. */
const OFFSET = 12;

/** A tooltip for vega views that writes text only (no HTML, no images). */
export class TextTooltip {
  /** The handler to pass to vega-embed's `tooltip` option. */
  readonly handler: TooltipHandler = (_handler, event, _item, value) => {
    this.show(event, value);
  };

  /** Show `value` (an object of title → value, or a single value) near the pointer. */
  show(event: MouseEvent, value: unknown): void {
    if (value === undefined || value === null || value === '') {
      this._node?.remove();
      return;
    }
    const node = this._ensureNode();
    node.replaceChildren(...rowsOf(value));
    node.style.left = `${event.clientX + OFFSET}px`;
    node.style.top = `${event.clientY + OFFSET}px`;
  }

  /** Remove the tooltip element. */
  dispose(): void {
    this._node?.remove();
    this._node = null;
  }

  private _ensureNode(): HTMLElement {
    if (this._node === null) {
      this._node = document.createElement('div');
      this._node.className = TOOLTIP_CLASS;
      this._node.setAttribute('role', 'tooltip');
    }
    if (!this._node.isConnected) {
      document.body.appendChild(this._node);
    }
    return this._node;
  }

  private _node: HTMLElement | null = null;
}

/** One text row per entry: `key` and `value` spans filled through `textContent`. */
function rowsOf(value: unknown): HTMLElement[] {
  const entries =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.entries(value)
      : [['', value] as const];
  return entries.map(([key, item]) => {
    const row = document.createElement('div');
    if (key !== '') {
      const name = document.createElement('span');
      name.className = `${TOOLTIP_CLASS}-key`;
      name.textContent = key;
      row.appendChild(name);
    }
    const text = document.createElement('span');
    text.className = `${TOOLTIP_CLASS}-value`;
    text.textContent = typeof item === 'string' ? item : JSON.stringify(item);
    row.appendChild(text);
    return row;
  });
}
