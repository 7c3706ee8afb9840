import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

const extensions: IRenderMime.IExtension[] = [];

export default extensions;
