import React from 'react';

import { IArtifact, IRun } from '../../api/types';
import { IPanelContext } from '../context';

/** Files stored with the run, each a download link. */
export function Artifacts(props: {
  ctx: IPanelContext;
  run: IRun;
  artifacts: readonly IArtifact[] | null;
}): JSX.Element {
  const { ctx, run, artifacts } = props;
  const { trans, client } = ctx;
  if (artifacts === null) {
    return <p className="jp-RunsDetails-none">{trans.__('Loading…')}</p>;
  }
  if (artifacts.length === 0) {
    return <p className="jp-RunsDetails-none">{trans.__('No artifacts.')}</p>;
  }
  return (
    <ul className="jp-RunsDetails-artifacts">
      {artifacts.map(artifact => (
        <li key={artifact.path}>
          <a
            href={client.artifactUrl(run.id, artifact.path)}
            download={artifact.path.split('/').pop()}
            title={`${artifact.media_type} · sha256 ${artifact.sha256}`}
          >
            {artifact.path}
          </a>
          <span className="jp-RunsDetails-size">
            {formatSize(artifact.size)}
          </span>
        </li>
      ))}
    </ul>
  );
}

function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${unit === 0 ? size : size.toFixed(1)} ${units[unit]}`;
}
