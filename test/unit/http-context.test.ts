// shared/http/context.ts alone: the request's state and its correlation ids, on a context of its own.
import { describe, expect, it } from 'vitest';
import { httpContext } from '../../shared/http/context.ts';
import type { HttpMiddyRequest } from '../../shared/http/types.ts';
import { httpEvent, recordingLogger } from '../support/http-middleware.ts';

const run = (event: ReturnType<typeof httpEvent>, context: unknown = { awsRequestId: 'ctx-1' }) => {
  const base = recordingLogger();
  const request = { event, context, response: null, error: null, internal: {} } as unknown as HttpMiddyRequest;
  httpContext('deposits-http', base).before!(request);
  return { request, state: request.context.http, base };
};

describe('http context middleware', () => {
  it('lower-cases the header names (an absent value is the empty string) and starts an empty state', () => {
    const { state } = run(httpEvent('POST /v1/units', { headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k-1', 'X-Empty': undefined } }));
    expect(state).toEqual({ service: 'deposits-http', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1', 'x-empty': '' }, log: state.log, raw: '', value: undefined, body: undefined, query: undefined });
  });

  it('logs with the request id, the route key and the Idempotency-Key', () => {
    const { state } = run(httpEvent('POST /v1/units', { headers: { 'Idempotency-Key': 'k-1' }, requestId: 'apigw-1' }));
    state.log.info('hello');
    expect((state.log as ReturnType<typeof recordingLogger>).lines).toEqual([{ level: 'info', msg: 'hello', extra: undefined, keys: { requestId: 'apigw-1', routeKey: 'POST /v1/units', idempotencyKey: 'k-1' } }]);
  });

  it("takes the request id from API Gateway, else from the Lambda context, else 'local'", () => {
    const noGatewayId = { ...httpEvent('GET /v1/health'), requestContext: undefined } as unknown as ReturnType<typeof httpEvent>;
    expect((run(noGatewayId).state.log as ReturnType<typeof recordingLogger>).keys.requestId).toBe('ctx-1');
    expect((run(noGatewayId, {}).state.log as ReturnType<typeof recordingLogger>).keys.requestId).toBe('local');
    expect((run({ routeKey: 'GET /v1/health' } as never).state.headers)).toEqual({});
  });

  it("writes nothing on the invoker's context: each request reads it through a context of its own", () => {
    const shared = { awsRequestId: 'ctx-1', functionName: 'deposits-http' };
    const a = run(httpEvent('GET /v1/a', { headers: { 'Idempotency-Key': 'a' } }), shared);
    const b = run(httpEvent('GET /v1/b', { headers: { 'Idempotency-Key': 'b' } }), shared);
    expect(shared).toEqual({ awsRequestId: 'ctx-1', functionName: 'deposits-http' });
    expect(Object.keys(a.request.context)).toEqual([]); // the state is not an enumerable key (a logged context does not carry it)
    expect(a.request.context.functionName).toBe('deposits-http');
    expect(a.state.headers['idempotency-key']).toBe('a');
    expect(b.state.headers['idempotency-key']).toBe('b');
  });
});
