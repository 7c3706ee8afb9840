/** Command ids of the Runs panel (`jupyterlab-runs:verb-noun`). */
export namespace PanelCommandIDs {
  /** Show the Runs panel. */
  export const openPanel = 'jupyterlab-runs:open-panel';
  /** Reload the runs shown. */
  export const refresh = 'jupyterlab-runs:refresh';
  /** Show the panel with one run selected and its details open (`args.runId`). */
  export const openRun = 'jupyterlab-runs:open-run';
  /** Compare the selected runs in the panel. */
  export const compareSelected = 'jupyterlab-runs:compare-selected';
  /** Insert the comparison shown as a cell output of the current notebook. */
  export const insertComparison = 'jupyterlab-runs:insert-comparison';
  /** Soft-delete runs (`args.runId`, else the selected runs). */
  export const deleteRun = 'jupyterlab-runs:delete-run';
  /** Restore soft-deleted runs (`args.runId`, else the selected runs). */
  export const restoreRun = 'jupyterlab-runs:restore-run';
  /** Switch the list between active and deleted runs. */
  export const toggleDeleted = 'jupyterlab-runs:toggle-deleted-runs';
  /** Select the cell that produced a run (`args.runId`, optional `args.cellId`). */
  export const goToCell = 'jupyterlab-runs:go-to-cell';
  /** Insert a run's code as a new cell below the active one (`args.runId`). */
  export const restoreCode = 'jupyterlab-runs:restore-code';
  /** The main-area runs table (registered by the table plugin, when installed). */
  export const openTable = 'jupyterlab-runs:open-table';
}
