import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { capturePlugin } from './plugins/capture';
import { clientPlugin } from './plugins/client';
import { panelPlugin } from './plugins/panel';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [
  clientPlugin,
  capturePlugin,
  panelPlugin
];

export default plugins;
