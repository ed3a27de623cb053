import { embeddedMetrics, METRICS_NAMESPACE } from './embedded.metrics.js';

describe('embeddedMetrics', () => {
  it('declares each metric with its unit under the dimension names, and carries the values at the top level', () => {
    const line = embeddedMetrics(
      [
        { name: 'QueueBacklog', unit: 'Count', value: 7 },
        { name: 'QueueFailedJobs', unit: 'Count', value: 0 },
      ],
      { Queue: 'mail' },
      1_700_000_000_000,
    );
    expect(line).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [['Queue']],
            Metrics: [
              { Name: 'QueueBacklog', Unit: 'Count' },
              { Name: 'QueueFailedJobs', Unit: 'Count' },
            ],
          },
        ],
      },
      Queue: 'mail',
      QueueBacklog: 7,
      QueueFailedJobs: 0,
    });
  });

  it('without dimensions, declares one empty dimension set (an aggregate metric)', () => {
    const line = embeddedMetrics([{ name: 'WorkerHeartbeat', unit: 'Count', value: 1 }]) as {
      _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] };
    };
    expect(line._aws.CloudWatchMetrics[0].Dimensions).toEqual([[]]);
    expect(line).toMatchObject({ WorkerHeartbeat: 1 });
  });
});
