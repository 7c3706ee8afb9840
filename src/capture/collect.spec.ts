import * as nbformat from '@jupyterlab/nbformat';

import { INewMetric } from '../api/types';
import {
  explicitValues,
  LOG_MIME,
  mergeMetrics,
  mergeParams,
  variableMetrics
} from './collect';

describe('explicitValues', () => {
  it('reads our log output and skips malformed entries', () => {
    const outputs: nbformat.IOutput[] = [
      {
        output_type: 'display_data',
        metadata: {},
        data: {
          [LOG_MIME]: {
            version: 1,
            params: [
              { key: 'lr', value: '0.1', type: 'float' },
              { key: 'bad', value: 3 },
              { key: 'kind', value: 'rf', type: 'nonsense' }
            ],
            metrics: [
              { key: 'loss', value: 0.5, step: 1, timestamp: 10 },
              { key: 'loss', value: 'NaN', step: 2 },
              { key: 'oops', value: 'high' }
            ],
            tags: { team: 'ml', bad: 1 }
          },
          'text/plain': 'logged'
        }
      }
    ];
    const values = explicitValues(outputs);
    expect(values.params).toEqual([
      { key: 'lr', value: '0.1', type: 'float', source: 'explicit' },
      { key: 'kind', value: 'rf', type: 'str', source: 'explicit' }
    ]);
    expect(values.metrics).toHaveLength(2);
    expect(values.metrics[0]).toEqual({
      key: 'loss',
      value: 0.5,
      step: 1,
      timestamp: 10,
      source: 'explicit'
    });
    expect(values.metrics[1].value).toBeNaN();
    expect(values.tags).toEqual({ team: 'ml' });
  });

  it('keeps the source the kernel names (values MLflow logged)', () => {
    const outputs: nbformat.IOutput[] = [
      {
        output_type: 'display_data',
        metadata: {},
        data: {
          [LOG_MIME]: {
            version: 1,
            params: [
              {
                key: 'n_estimators',
                value: '100',
                type: 'str',
                source: 'mlflow'
              }
            ],
            metrics: [
              { key: 'accuracy', value: 0.9, step: 0, source: 'mlflow' }
            ],
            tags: {}
          }
        }
      }
    ];
    const values = explicitValues(outputs);
    expect(values.params[0].source).toBe('mlflow');
    expect(values.metrics[0].source).toBe('mlflow');
  });
});

describe('mergeMetrics', () => {
  it('prefers explicit over variable, per key (printed values lose to both on the server)', () => {
    const variable = variableMetrics(
      new Map([
        ['accuracy', 0.9641],
        ['f1', 0.8]
      ]),
      5
    );
    const explicit: INewMetric[] = [
      { key: 'f1', value: 0.81, step: 0, source: 'explicit' }
    ];
    const merged = mergeMetrics(variable, explicit);
    expect(merged.map(m => [m.key, m.value, m.source])).toEqual([
      ['accuracy', 0.9641, 'variable'],
      ['f1', 0.81, 'explicit']
    ]);
  });
});

describe('mergeParams', () => {
  it('lets explicit params replace scanned ones', () => {
    const merged = mergeParams(
      [
        { key: 'lr', value: '0.1', type: 'float', source: 'assign' },
        { key: 'depth', value: '3', type: 'int', source: 'assign' }
      ],
      [{ key: 'lr', value: '0.2', type: 'float', source: 'explicit' }]
    );
    expect(merged.map(p => [p.key, p.value, p.source])).toEqual([
      ['depth', '3', 'assign'],
      ['lr', '0.2', 'explicit']
    ]);
  });
});
