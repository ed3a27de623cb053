/** The CloudWatch units Modak's metrics use. */
export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds';

export interface MetricDatum {
  name: string;
  unit: MetricUnit;
  value: number;
}

/** Every metric Modak reports through its logs lives in this CloudWatch namespace (infra's alarms read it). */
export const METRICS_NAMESPACE = 'Modak';

/**
 * One log line in CloudWatch's embedded metric format: written as JSON to stdout, it reaches CloudWatch Logs through
 * the task's log driver and CloudWatch turns it into metric data points, with no agent and no API call.
 * All `data` share the one set of `dimensions`; the values sit at the top level beside them, as the format requires.
 */
export function embeddedMetrics(
  data: readonly MetricDatum[],
  dimensions: Readonly<Record<string, string>> = {},
  timestamp = Date.now(),
): Record<string, unknown> {
  const names = Object.keys(dimensions);
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [names],
          Metrics: data.map(({ name, unit }) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...dimensions,
    ...Object.fromEntries(data.map(({ name, value }) => [name, value])),
  };
}
