import { LabIcon } from '@jupyterlab/ui-components';

/** A flask with a version tick: the Runs panel and the Log run button. */
const RUNS_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M9 2h6v2h-1v5.2l5.6 9.7A2 2 0 0 1 17.9 22H6.1a2 2 0 0 1-1.7-3.1L10 9.2V4H9V2zm3 9.3-3.9 6.7h7.8L12 11.3z"/>
  </g>
</svg>`;

/** Icon of the Runs panel and commands. */
export const runsIcon = new LabIcon({
  name: 'jupyterlab-runs:runs',
  svgstr: RUNS_SVG
});

/** Two arrows in a loop around a dot: auto-track (log every execution). */
const AUTO_TRACK_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 4a8 8 0 0 1 7.4 5H22l-3.5 4L15 9h2.2A6 6 0 0 0 6.3 9.9L4.5 9A8 8 0 0 1 12 4zm0 16a8 8 0 0 1-7.4-5H2l3.5-4L9 15H6.8a6 6 0 0 0 10.9.9l1.8.9A8 8 0 0 1 12 20z"/>
    <circle cx="12" cy="12" r="2.2"/>
  </g>
</svg>`;

/** Icon of the auto-track switch. */
export const autoTrackIcon = new LabIcon({
  name: 'jupyterlab-runs:auto-track',
  svgstr: AUTO_TRACK_SVG
});
