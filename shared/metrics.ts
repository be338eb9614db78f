// Domain metrics (namespace HPF) by Powertools for AWS Lambda's Metrics, as CloudWatch Embedded
// Metric Format records on stdout: Lambda turns them into metrics without an API call; locally they
// are log lines. Silent when LOG_LEVEL=silent (tests).
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

let metrics: Metrics | undefined; // created on first use: nothing at module init (cold start)

export function emitMetric(name: string, value: number, dimensions: Record<string, string> = {}) {
  if ((process.env.LOG_LEVEL ?? '').toLowerCase() === 'silent') return;
  metrics ??= new Metrics({ namespace: 'HPF', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hpf' });
  const single = metrics.singleMetric();
  for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
  single.addMetric(name, MetricUnit.Count, value); // a single metric is published at once
}
