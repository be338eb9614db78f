// AWS X-Ray tracing by Powertools for AWS Lambda's Tracer. Every function runs with active tracing
// (infra/aws/hpf-function.ts): the handler is a subsegment with ColdStart and Service annotations,
// each DynamoDB and SQS call a subsegment of its own (the clients in shared/ddb.ts and
// shared/sqs.ts), outgoing HTTP(S) calls to partner provinces too, and the correlation ids
// (route, idempotency key, tracking id, message id) are annotations, searchable in the X-Ray console.
//
// Outside Lambda (`npm start`, the tests) the Tracer disables itself: there is no X-Ray daemon to
// send to, and POWERTOOLS_DEV=true (infra/local/main.ts) turns it off as well. Responses are not
// recorded as trace metadata: they hold members' personal data.
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';

export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hpf' });

/** The middy middleware opening the handler's subsegment (http, queue and schedule stacks). */
export const traceHandler = () => captureLambdaHandler(tracer, { captureResponse: false });

/** Records correlation ids on the current segment; undefined values are skipped. */
export function annotate(keys: Record<string, string | number | undefined>): void {
  if (!tracer.isTracingEnabled()) return;
  for (const [k, v] of Object.entries(keys)) if (v !== undefined && v !== '') tracer.putAnnotation(k, v);
}
