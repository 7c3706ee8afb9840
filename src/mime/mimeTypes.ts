/** MIME types and renderer rank of the extension's notebook outputs (DESIGN §6). */

/** MIME type of a compact run card (emitted by the magics). */
export const RUN_MIME = 'application/vnd.jupyterlab-runs.run+json';

/** MIME type of an inline comparison: data only, our renderer builds the chart. */
export const COMPARE_MIME = 'application/vnd.jupyterlab-runs.compare+json';

/** MIME type of the static vega-lite fallback for other front ends. */
export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

/** The schema of the static fallback spec (vega-lite 5, read by core's vega5 renderer). */
export const VEGALITE_V5_SCHEMA =
  'https://vega.github.io/schema/vega-lite/v5.json';

/** Rank of our renderer factories: preferred over core's vega renderer (57). */
export const RENDERER_RANK = 40;
