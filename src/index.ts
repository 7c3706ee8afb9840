import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { capturePlugin } from './plugins/capture';
import {
  clientPlugin,
  liveUpdatesPlugin,
  syncMonitorPlugin
} from './plugins/client';
import { panelPlugin } from './plugins/panel';
import { renderersPlugin } from './plugins/renderers';
import { tablePlugin } from './plugins/table';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [
  clientPlugin,
  liveUpdatesPlugin,
  syncMonitorPlugin,
  capturePlugin,
  panelPlugin,
  renderersPlugin,
  tablePlugin
];

export default plugins;
