/**
 * What jupyterlab-runs keeps in notebook and cell metadata, under the key
 * `jupyterlab_runs`: the notebook's experiment (so renames and moves keep it), the
 * auto-track switches, and each cell's last run (for its badge and "go to cell").
 */

import { ICellModel } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';

import { IRun, PendingRun } from '../api/types';

/** The metadata key of notebooks and cells. */
export const METADATA_KEY = 'jupyterlab_runs';

/** A cell's link to its latest run. */
export interface ILastRun {
  /** Run id. */
  id: string;
  /** Run version; null while the run waits in the outbox for the MLflow server. */
  version: number | null;
  /** Experiment id. */
  experiment_id: string;
  /** Status of the run. */
  status: string;
  /** First metric, if any: [key, value]. */
  metric: [string, number] | null;
}

type Meta = Record<string, unknown>;

function read(owner: { getMetadata(key: string): unknown }): Meta {
  const value = owner.getMetadata(METADATA_KEY);
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Meta)
    : {};
}

/** Notebook-level metadata. */
export namespace NotebookMeta {
  /** The experiment name set in the notebook, if any. */
  export function experiment(panel: NotebookPanel): string | null {
    const model = panel.model;
    const name = model ? read(model).experiment : undefined;
    return typeof name === 'string' && name.trim() ? name.trim() : null;
  }

  /** Record the experiment on first log, so moving the notebook keeps it. */
  export function pinExperiment(panel: NotebookPanel, name: string): void {
    const model = panel.model;
    if (model && experiment(panel) === null) {
      model.setMetadata(METADATA_KEY, { ...read(model), experiment: name });
    }
  }

  /** Whether cells tagged `track` are auto-tracked in this notebook. */
  export function trackTagged(panel: NotebookPanel): boolean | null {
    const model = panel.model;
    const value = model ? read(model).track_tagged : undefined;
    return typeof value === 'boolean' ? value : null;
  }

  /** Switch auto-tracking of tagged cells for this notebook. */
  export function setTrackTagged(panel: NotebookPanel, on: boolean): void {
    const model = panel.model;
    if (model) {
      model.setMetadata(METADATA_KEY, { ...read(model), track_tagged: on });
    }
  }
}

/** Cell-level metadata. */
export namespace CellMeta {
  /** Whether every execution of the cell logs a run. */
  export function autoTrack(cell: ICellModel): boolean {
    return read(cell).track === true;
  }

  /** Switch auto-tracking of one cell. */
  export function setAutoTrack(cell: ICellModel, on: boolean): void {
    const meta = { ...read(cell) };
    if (on) {
      meta.track = true;
    } else {
      delete meta.track;
    }
    if (Object.keys(meta).length) {
      cell.setMetadata(METADATA_KEY, meta);
    } else {
      cell.deleteMetadata(METADATA_KEY);
    }
  }

  /** Whether the cell carries the `track` tag. */
  export function taggedTrack(cell: ICellModel): boolean {
    const tags = cell.getMetadata('tags');
    return Array.isArray(tags) && tags.includes('track');
  }

  /** The cell's latest run, if any. */
  export function lastRun(cell: ICellModel): ILastRun | null {
    const value = read(cell).last_run as ILastRun | undefined;
    return value &&
      typeof value.id === 'string' &&
      (typeof value.version === 'number' || value.version === null)
      ? value
      : null;
  }

  /** Link the cell to a run it just produced (or to the run its pending one became). */
  export function setLastRun(
    cell: ICellModel,
    run: IRun | PendingRun<IRun>
  ): void {
    const first = Object.entries(run.metrics)[0];
    const last: ILastRun = {
      id: run.id,
      version: run.version,
      experiment_id: run.experiment_id,
      status: run.status,
      metric: first ? [first[0], first[1].value] : null
    };
    cell.setMetadata(METADATA_KEY, { ...read(cell), last_run: last });
  }
}
