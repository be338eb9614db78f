// The first HTTP middleware: the request's state, with its correlation ids (request id, route key,
// Idempotency-Key) on a child logger and as trace annotations, before anything can refuse it.
import type { Logger } from '../log.ts';
import { annotate } from '../trace.ts';
import type { HttpMiddleware, HttpState } from './types.ts';

export function httpContext(service: string, baseLog: Logger): HttpMiddleware {
  return {
    before: (request) => {
      const { event, context } = request;
      const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'local';
      const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
      const log = baseLog.child({ requestId, routeKey: event.routeKey, idempotencyKey: headers['idempotency-key'] });
      annotate({ routeKey: event.routeKey, idempotencyKey: headers['idempotency-key'] });
      const http: HttpState = { service, headers, log, raw: '', value: undefined, body: undefined, query: undefined };
      // a context of this request's own: the invoker's object is read through it, never written
      request.context = Object.create(context, { http: { value: http, enumerable: false } });
    },
  };
}
