import { IRenderMime } from '@jupyterlab/rendermime';

/** Elements that would fetch a URL as soon as the note is shown. */
const FETCHING =
  'img, picture, source, video, audio, track, iframe, object, embed';

/**
 * The sanitizer of run notes: JupyterLab's, then every element that loads a URL replaced
 * by its alt text. A note comes from whoever can write to the store (a shared MLflow
 * server, an imported folder), so an image in it would be a tracking pixel fetched by
 * everyone who opens the run.
 */
export class NoteSanitizer implements IRenderMime.ISanitizer {
  constructor(private readonly _inner: IRenderMime.ISanitizer) {}

  /** Sanitized HTML that fetches nothing when inserted into the page. */
  sanitize(dirty: string, options?: IRenderMime.ISanitizerOptions): string {
    const clean = this._inner.sanitize(dirty, options);
    // DOMParser's documents are inert: nothing in them loads while we edit them.
    const doc = new DOMParser().parseFromString(clean, 'text/html');
    doc.querySelectorAll(FETCHING).forEach(node => {
      node.replaceWith(doc.createTextNode(node.getAttribute('alt') ?? ''));
    });
    return doc.body.innerHTML;
  }

  /** Same autolinking as the sanitizer it wraps. */
  getAutolink(): boolean {
    return this._inner.getAutolink?.() ?? false;
  }

  /** Same named-property rule as the sanitizer it wraps. */
  get allowNamedProperties(): boolean {
    return this._inner.allowNamedProperties ?? false;
  }
}
