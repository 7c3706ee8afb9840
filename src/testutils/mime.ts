import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

/** A minimal mime model for renderer tests; records `setData` calls. */
export class TestMimeModel implements IRenderMime.IMimeModel {
  /** Wrap `data` (one MIME type → value). */
  constructor(data: Record<string, unknown>) {
    this.data = data as ReadonlyPartialJSONObject;
  }

  /** Always trusted; our renderers ignore trust anyway. */
  readonly trusted = true;
  /** The bundle. */
  data: ReadonlyPartialJSONObject;
  /** No metadata. */
  readonly metadata: ReadonlyPartialJSONObject = {};
  /** How many times `setData` was called. */
  setDataCalls = 0;

  /** Replace the data, as an output model would. */
  setData(options: IRenderMime.IMimeModel.ISetDataOptions): void {
    this.setDataCalls++;
    this.data = options.data ?? this.data;
  }
}
