// Domain metrics as CloudWatch Embedded Metric Format records on stdout (Lambda turns them into
// metrics without an API call; locally they are plain log lines). Namespace HPF.
export function emitMetric(name: string, value: number, dimensions: Record<string, string> = {}, unit = 'Count') {
  if (process.env.LOG_LEVEL === 'silent') return;
  const record = {
    _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: 'HPF', Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: unit }] }] },
    ...dimensions,
    [name]: value,
  };
  process.stdout.write(JSON.stringify(record) + '\n');
}
