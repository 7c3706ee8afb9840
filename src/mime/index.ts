import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';

export * from './tokens';
export * from './types';
export { buildCompareBundle, staticSpec, textTable, toPayload } from './bundle';
export { CompareRenderer } from './compareRenderer';
export type { ICompareRendererOptions } from './compareRenderer';
export { RunRenderer } from './runRenderer';
export type { IRunRendererOptions } from './runRenderer';
export { parseRunCard, formatDuration } from './runCard';
export type { IRunCard } from './runCard';
export { createRendererFactories } from './factories';
export { embedChart, isDarkTheme, themePalette } from './vegaLoader';
export type { IEmbeddedChart, IEmbedOptions } from './vegaLoader';

/**
 * No MIME extensions: the factories are registered by a regular plugin
 * (`IRenderMimeRegistry.addFactory`) so they can use app commands and the REST client.
 * This empty default stays while `package.json` still names this module as
 * `jupyterlab.mimeExtension`; remove both together.
 */
const extensions: IRenderMime.IExtension[] = [];

export default extensions;
