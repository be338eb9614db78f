// The last word on every request: a route's answer (a Reply, or the Outcome of a commit) becomes the
// HTTP result, and every error an RFC 9457 problem document: a DomainError its own, anything else a
// logged INTERNAL whose stack trace or internal name never leaves the function. The error answer
// is an early response that closes the trace subsegment the way a normal answer does (Powertools'
// cleanupMiddlewares): the tracer never records the error, nor the response.
import { cleanupMiddlewares } from '@aws-lambda-powertools/commons';
import { DomainError, problem, type Problem } from '../errors.ts';
import { emitMetric } from '../metrics.ts';
import type { Outcome } from '../tx.ts';
import type { HttpMiddleware, HttpResponse, HttpResult, HttpState, Reply } from './types.ts';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode: status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

export function problemResponse(p: Problem, headers: Record<string, string> = {}): HttpResult {
  return { statusCode: p.status, headers: { 'content-type': 'application/problem+json; charset=utf-8', ...headers }, body: JSON.stringify(p) };
}

/** Whether the request asks for `type` (an Accept header naming it, e.g. application/pdf) rather than JSON. */
export function accepts(headers: Record<string, string>, type: string): boolean {
  return (headers.accept ?? '')
    .split(',')
    .map((part) => part.split(';')[0].trim().toLowerCase())
    .includes(type.toLowerCase());
}

const isOutcome = (r: Reply | Outcome<unknown>): r is Outcome<unknown> => 'replayed' in r;

type Emit = typeof emitMetric;

/** A route's answer as the HTTP result: a replay says so (header, log, metric); 204 has no body; bytes go base64. */
export function renderReply(state: HttpState, result: Reply | Outcome<unknown>, emit: Emit = emitMetric): HttpResult {
  if (isOutcome(result)) {
    if (result.replayed) {
      state.log.info('idempotent replay');
      emit('IdempotentReplays', 1, { service: state.service });
    }
    return json(result.status, result.body, result.replayed ? { 'idempotency-replayed': 'true' } : {});
  }
  if (result.status === 204) return { statusCode: 204, headers: result.headers ?? {} };
  if (result.binary) {
    return { statusCode: result.status, headers: { 'content-type': result.binary.contentType, 'content-length': String(result.binary.bytes.byteLength), ...result.headers }, body: Buffer.from(result.binary.bytes).toString('base64'), isBase64Encoded: true };
  }
  return json(result.status, result.body ?? {}, result.headers);
}

/** An error as its problem document: a refusal logged at info (a write conflict counted), anything else logged as an error and answered INTERNAL. */
export function renderError(state: HttpState, err: unknown, emit: Emit = emitMetric): HttpResult {
  if (err instanceof DomainError) {
    state.log.info('refused', { code: err.code, detail: err.message });
    if (err.code === 'CONFLICT') emit('WriteConflicts', 1, { service: state.service });
    return problemResponse(problem(err.code, err.message, err.errors));
  }
  state.log.error('unexpected error', { error: err });
  return problemResponse(problem('INTERNAL', 'An internal error occurred; it has been logged / 系统内部错误', []));
}

export function render(emit: Emit = emitMetric): HttpMiddleware {
  return {
    after: (request) => {
      request.response = renderReply(request.context.http, request.response as Reply | Outcome<unknown>, emit);
    },
    onError: async (request): Promise<HttpResponse | undefined> => {
      const state = request.context.http as HttpState | undefined;
      if (!state) return undefined; // the request never got its state (the context middleware failed): nothing to render with
      const result = renderError(state, request.error, emit);
      await cleanupMiddlewares(request);
      return result;
    },
  };
}
