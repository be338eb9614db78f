// The HTTP stack of every domain's entry point: middy middlewares, each small and tested on its own
// (shared/http/*, test/unit/http-*.test.ts), composed here in the order every request meets them:
// tracing, the request's context (correlation ids on the log and the trace), the router (404), then
// authenticate (401/403), parse (path parameters, body size, JSON), validate (zod), idempotency
// (Idempotency-Key), the route's handler, and render (the answer, and every error as an RFC 9457
// problem document). A stack trace or internal name never leaves the stack.
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { createLogger } from './log.ts';
import { traceHandler } from './trace.ts';
import { authenticate } from './http/authenticate.ts';
import { httpContext } from './http/context.ts';
import { idempotency } from './http/idempotency.ts';
import { parse } from './http/parse.ts';
import { render } from './http/render.ts';
import { router } from './http/router.ts';
import { specOf, type HttpContext, type HttpEvent, type HttpResponse, type HttpResult, type RouteSpec } from './http/types.ts';
import { validate } from './http/validate.ts';

export { route, type HttpEvent, type HttpResult, type Reply, type Request, type RouteSpec } from './http/types.ts';
export { MAX_BODY_BYTES, MAX_JSON_DEPTH, parseJsonText } from './http/parse.ts';
export { zodErrors } from './http/validate.ts';
export { accepts, json, problemResponse } from './http/render.ts';
/** Canonical JSON (sorted keys) for request hashing. */
export { canonicalJson } from './canonical.ts';

/** The route's handler, given what the middlewares found. */
const invoke = async (event: HttpEvent, context: HttpContext): Promise<HttpResponse> => {
  const { http } = context;
  const spec = specOf(http);
  return spec.handle({
    body: http.body,
    query: http.query,
    params: (event.pathParameters ?? {}) as Record<string, string>,
    caller: http.caller!,
    idempotency: http.idempotency,
    headers: http.headers,
    rawBody: http.raw,
    event,
    log: http.log,
  });
};

/**
 * The entry point of one domain's HTTP function. `routes` maps API Gateway route keys
 * (`POST /v1/units`) to specs; the topology lists the same keys (a test checks both agree).
 */
export function httpHandler(service: string, routes: Record<string, RouteSpec<any, any>>) {
  // middy runs the `before` hooks in this order and `after`/`onError` in the reverse one: render,
  // used right after the context, turns the handler's answer (or any error thrown before or after
  // it) into the HTTP result before the tracer closes its subsegment
  const stack = middy<HttpEvent, HttpResponse, Error, HttpContext>()
    .use(traceHandler())
    .use(httpContext(service, createLogger(service)))
    .use(render())
    .use(router(routes))
    .use(authenticate())
    .use(parse())
    .use(validate())
    .use(idempotency())
    .handler(invoke);
  // render turned every answer into an HTTP result; the route keys are exposed so that a test can
  // hold them against the topology
  const handler = stack as unknown as MiddyfiedHandler<HttpEvent, HttpResult, Error, Context>;
  return Object.assign(handler, { routeKeys: Object.keys(routes), routeSpecs: routes });
}
