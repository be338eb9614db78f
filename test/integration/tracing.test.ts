// Tracing as it runs in Lambda: with the variables Lambda sets when tracing is active, a handler
// invocation sends its segments to the X-Ray daemon address: a `## handler` subsegment annotated with
// the correlation ids, ColdStart and Service, and one subsegment per DynamoDB and SQS call beneath
// it. The daemon here is a UDP socket of the test (the X-Ray daemon's wire format: a JSON header
// line, then the segment document). Outside Lambda the tracer is off and sends nothing.
import { createSocket, type Socket } from 'node:dgram';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent } from '../../shared/http.ts';

interface SegmentDoc {
  name: string;
  id: string;
  trace_id?: string;
  parent_id?: string;
  namespace?: string;
  annotations?: Record<string, unknown>;
  aws?: { operation?: string; table_name?: string; queue_url?: string };
  subsegments?: SegmentDoc[];
}

const TRACE_ROOT = '1-6749a1b2-0123456789abcdef01234567';
let daemon: Socket;
const received: SegmentDoc[] = [];

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (msg) => {
    const [header, body] = msg.toString('utf8').split('\n');
    expect(JSON.parse(header)).toEqual({ format: 'json', version: 1 });
    received.push(JSON.parse(body) as SegmentDoc);
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  // what Lambda sets in a function with active tracing (the trace header is per invocation)
  Object.assign(process.env, {
    AWS_LAMBDA_FUNCTION_NAME: 'supervision-http',
    LAMBDA_TASK_ROOT: '/var/task',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    _HANDLER: 'index.handler',
    _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
    POWERTOOLS_SERVICE_NAME: 'supervision-http',
  });
  delete process.env.POWERTOOLS_DEV;
});

afterAll(() => {
  daemon.close();
  for (const k of ['AWS_LAMBDA_FUNCTION_NAME', 'LAMBDA_TASK_ROOT', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_XRAY_DAEMON_ADDRESS', '_HANDLER', '_X_AMZN_TRACE_ID']) delete process.env[k];
});

const flatten = (docs: SegmentDoc[]): SegmentDoc[] => docs.flatMap((d) => [d, ...flatten(d.subsegments ?? [])]);

describe('tracing in Lambda', () => {
  it('sends the handler subsegment with correlation annotations and one subsegment per AWS call', async () => {
    // imported after the environment is set: the tracer reads it when the module loads, as in Lambda
    const { handler } = await import('../../functions/supervision/http.ts');
    const event = {
      routeKey: 'GET /v1/health',
      rawPath: '/v1/health',
      headers: {},
      requestContext: { requestId: 'trace-test-1', http: { method: 'GET', path: '/v1/health' } },
    } as unknown as HttpEvent;
    const res = await handler(event, { awsRequestId: 'trace-test-1' } as Context);
    expect(res.statusCode).toBe(200);

    const deadline = Date.now() + 5_000;
    while (!flatten(received).some((d) => d.name === '## index.handler') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const all = flatten(received);
    const handlerSegment = all.find((d) => d.name === '## index.handler');
    expect(handlerSegment, JSON.stringify(received)).toBeDefined();
    expect(handlerSegment!.trace_id).toBe(TRACE_ROOT);
    expect(handlerSegment!.annotations).toMatchObject({ ColdStart: true, Service: 'supervision-http', routeKey: 'GET /v1/health' });

    const aws = all.filter((d) => d.namespace === 'aws');
    expect(aws.find((d) => d.name === 'DynamoDB')?.aws).toMatchObject({ operation: 'GetItem' });
    expect(aws.filter((d) => d.name === 'SQS').length).toBeGreaterThan(0);
    // every AWS call hangs under the handler's subsegment of the same trace
    for (const d of aws) expect(d.trace_id ?? handlerSegment!.trace_id).toBe(TRACE_ROOT);
  });
});
