// shared/http/render.ts alone: a route's answer as the HTTP result, every error as a problem
// document (with its log line and metric), and the early response that closes the trace.
import { TRACER_KEY } from '@aws-lambda-powertools/commons';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/errors.ts';
import { accepts, json, problemResponse, render } from '../../shared/http/render.ts';
import type { HttpResponse } from '../../shared/http/types.ts';
import { httpEvent, httpState, middyRequest } from '../support/http-middleware.ts';

function metrics() {
  const emitted: [string, number, Record<string, string> | undefined][] = [];
  return { emitted, emit: (name: string, value: number, dimensions?: Record<string, string>) => void emitted.push([name, value, dimensions]) };
}

async function rendered(response: HttpResponse) {
  const state = httpState({ service: 'loans-http' });
  const m = metrics();
  const request = middyRequest(httpEvent('GET /v1/x'), state, response);
  expect(await render(m.emit).after!(request)).toBeUndefined();
  return { result: request.response, lines: state.log.lines, emitted: m.emitted };
}

async function failed(error: unknown) {
  const state = httpState({ service: 'loans-http' });
  const m = metrics();
  const request = middyRequest(httpEvent('GET /v1/x'), state);
  let closed = 0;
  request.internal = { [TRACER_KEY]: () => void closed++ }; // what the tracer's middleware leaves to close its subsegment
  request.error = error as Error;
  const returned = await render(m.emit).onError!(request);
  return { returned, closed, lines: state.log.lines, emitted: m.emitted };
}

const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

describe('render middleware: answers', () => {
  it('sends a reply as JSON with its headers ({} for no body)', async () => {
    expect((await rendered({ status: 201, body: { id: 'U1', amount: '1.00' }, headers: { location: '/v1/units/U1' } })).result).toEqual({ statusCode: 201, headers: { 'content-type': JSON_TYPE, location: '/v1/units/U1' }, body: '{"id":"U1","amount":"1.00"}' });
    expect((await rendered({ status: 200 })).result).toEqual({ statusCode: 200, headers: { 'content-type': JSON_TYPE }, body: '{}' });
    expect((await rendered({ status: 200, body: null })).result).toEqual({ statusCode: 200, headers: { 'content-type': JSON_TYPE }, body: '{}' });
    expect((await rendered({ status: 200, body: [] })).result).toEqual({ statusCode: 200, headers: { 'content-type': JSON_TYPE }, body: '[]' });
  });

  it('sends 204 without a body or content type', async () => {
    expect((await rendered({ status: 204, body: { ignored: true }, headers: { etag: '"1"' } })).result).toEqual({ statusCode: 204, headers: { etag: '"1"' } });
    expect((await rendered({ status: 204 })).result).toEqual({ statusCode: 204, headers: {} });
  });

  it('sends bytes base64 with their type and length (the reply\'s headers last)', async () => {
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0xff]);
    expect((await rendered({ status: 200, binary: { bytes, contentType: 'application/pdf' }, headers: { 'content-disposition': 'inline; filename="c.pdf"' } })).result).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/pdf', 'content-length': '5', 'content-disposition': 'inline; filename="c.pdf"' },
      body: 'JVBERv8=',
      isBase64Encoded: true,
    });
  });

  it("sends a commit's first outcome as JSON, a replay with idempotency-replayed, a log line and a metric", async () => {
    const first = await rendered({ status: 201, body: { id: 'L1' }, replayed: false });
    expect(first).toEqual({ result: { statusCode: 201, headers: { 'content-type': JSON_TYPE }, body: '{"id":"L1"}' }, lines: [], emitted: [] });
    const replay = await rendered({ status: 201, body: { id: 'L1' }, replayed: true });
    expect(replay.result).toEqual({ statusCode: 201, headers: { 'content-type': JSON_TYPE, 'idempotency-replayed': 'true' }, body: '{"id":"L1"}' });
    expect(replay.lines).toEqual([{ level: 'info', msg: 'idempotent replay', extra: undefined, keys: {} }]);
    expect(replay.emitted).toEqual([['IdempotentReplays', 1, { service: 'loans-http' }]]);
  });

  it('throws on an answer that is none (the error path renders it INTERNAL)', async () => {
    await expect(rendered(undefined as never)).rejects.toThrow(TypeError);
  });
});

describe('render middleware: errors', () => {
  it('answers a DomainError with its problem document, logged as a refusal', async () => {
    const out = await failed(new DomainError('INVALID_STATE', 'The loan is closed / 贷款已结清', [{ path: 'loanId', message: 'closed' }]));
    expect(out.returned).toEqual({
      statusCode: 409,
      headers: { 'content-type': PROBLEM_TYPE },
      body: JSON.stringify({ type: 'https://hpf.example.gov.cn/problems/invalid-state', title: 'Invalid state', status: 409, code: 'INVALID_STATE', detail: 'The loan is closed / 贷款已结清', errors: [{ path: 'loanId', message: 'closed' }] }),
    });
    expect(out.lines).toEqual([{ level: 'info', msg: 'refused', extra: { code: 'INVALID_STATE', detail: 'The loan is closed / 贷款已结清' }, keys: {} }]);
    expect(out.emitted).toEqual([]);
  });

  it('counts a write conflict', async () => {
    const out = await failed(new DomainError('CONFLICT', 'Try again / 请重试'));
    expect(JSON.parse((out.returned as { body: string }).body)).toMatchObject({ status: 409, code: 'CONFLICT', errors: [] });
    expect(out.emitted).toEqual([['WriteConflicts', 1, { service: 'loans-http' }]]);
  });

  it('answers anything else INTERNAL, naming nothing of it, and logs it as an error', async () => {
    for (const error of [new Error('table hpf-loans: ValidationException at store.ts:42'), new TypeError('x is undefined'), 'a thrown string']) {
      const out = await failed(error);
      expect(out.returned).toEqual({ statusCode: 500, headers: { 'content-type': PROBLEM_TYPE }, body: JSON.stringify({ type: 'https://hpf.example.gov.cn/problems/internal', title: 'Internal error', status: 500, code: 'INTERNAL', detail: 'An internal error occurred; it has been logged / 系统内部错误', errors: [] }) });
      expect(out.lines).toEqual([{ level: 'error', msg: 'unexpected error', extra: { error }, keys: {} }]);
      expect(out.emitted).toEqual([]);
    }
  });

  it('responds early, closing the trace subsegment the way an answer does (no error recorded on it)', async () => {
    const out = await failed(new DomainError('NOT_FOUND', 'No route / 路由不存在'));
    expect(out.returned).toMatchObject({ statusCode: 404 });
    expect(out.closed).toBe(1);
  });

  it('leaves an error before the request had its state to the middlewares beneath (nothing to render with)', async () => {
    const request = middyRequest(httpEvent('GET /v1/x'));
    request.error = new Error('the context middleware failed');
    expect(await render(metrics().emit).onError!(request)).toBeUndefined();
    expect(request.response).toBeNull();
  });
});

describe('render helpers', () => {
  it('json and problemResponse merge extra headers after the content type', () => {
    expect(json(200, { a: 1 }, { 'cache-control': 'no-store' })).toEqual({ statusCode: 200, headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store' }, body: '{"a":1}' });
    const p = { type: 't', title: 'Too many requests', status: 429, code: 'RATE_LIMITED' as const, detail: 'd', errors: [] };
    expect(problemResponse(p, { 'retry-after': '1' })).toEqual({ statusCode: 429, headers: { 'content-type': PROBLEM_TYPE, 'retry-after': '1' }, body: JSON.stringify(p) });
  });

  it('accepts reads the Accept header by media type, ignoring parameters and case', () => {
    expect(accepts({ accept: 'application/json;q=0.9, Application/PDF;q=1' }, 'application/pdf')).toBe(true);
    expect(accepts({ accept: 'application/pdfx' }, 'application/pdf')).toBe(false);
    expect(accepts({}, 'application/pdf')).toBe(false);
  });
});
