// Hand-built requests for the HTTP middlewares (shared/http/*), so that each one runs alone: an
// API Gateway event, the state the middlewares before it would have left, a logger that records.
import type { Context } from 'aws-lambda';
import { expect } from 'vitest';
import { DomainError } from '../../shared/errors.ts';
import type { HttpContext, HttpEvent, HttpMiddyRequest, HttpResponse, HttpState, RouteSpec } from '../../shared/http/types.ts';
import type { Logger } from '../../shared/log.ts';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  extra?: Record<string, unknown>;
  /** The child keys of the logger that wrote it. */
  keys: Record<string, unknown>;
}

/** A Logger that keeps what is written to it (children write to the same list with their keys). */
export function recordingLogger(lines: LogLine[] = [], keys: Record<string, unknown> = {}): Logger & { lines: LogLine[]; keys: Record<string, unknown> } {
  const at = (level: LogLine['level']) => (msg: string, extra?: Record<string, unknown>) => void lines.push({ level, msg, extra, keys });
  return { lines, keys, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (k) => recordingLogger(lines, { ...keys, ...k }) };
}

export function httpEvent(routeKey: string, o: { claims?: Record<string, unknown>; headers?: Record<string, string | undefined>; body?: string; base64?: boolean; query?: Record<string, string>; params?: Record<string, string | undefined>; requestId?: string } = {}): HttpEvent {
  const [method, path] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: o.headers ?? {},
    queryStringParameters: o.query,
    pathParameters: o.params,
    body: o.body === undefined ? undefined : o.base64 ? Buffer.from(o.body).toString('base64') : o.body,
    isBase64Encoded: !!o.base64,
    requestContext: { requestId: o.requestId ?? 'req-1', http: { method, path }, authorizer: o.claims ? { jwt: { claims: o.claims, scopes: [] } } : undefined },
  } as unknown as HttpEvent;
}

/** The state as the middlewares before the one under test leave it. */
export function httpState(o: Partial<HttpState> = {}): HttpState & { log: ReturnType<typeof recordingLogger> } {
  return { service: 'test-http', headers: {}, log: recordingLogger(), raw: '', value: undefined, body: undefined, query: undefined, ...o } as HttpState & { log: ReturnType<typeof recordingLogger> };
}

export function middyRequest(event: HttpEvent, http?: HttpState, response?: HttpResponse): HttpMiddyRequest {
  const context = (http ? { awsRequestId: 'ctx-1', http } : { awsRequestId: 'ctx-1' }) as unknown as HttpContext;
  return { event, context, response: response ?? null, error: null, internal: {} };
}

export const spec = (o: Partial<RouteSpec<any, any>> = {}): RouteSpec<any, any> => ({ handle: async () => ({ status: 200 }), ...o });

/** Runs a hook and returns the DomainError it threw (failing when it threw none or another). */
export async function refusal(run: () => unknown): Promise<DomainError> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

export const lambdaContext = (awsRequestId = 'ctx-1') => ({ awsRequestId, functionName: 'test-http', getRemainingTimeInMillis: () => 29_000 }) as unknown as Context;
