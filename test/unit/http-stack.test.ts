// shared/http.ts: the middlewares composed, in the order every request meets them (404, then
// 401/403, then path parameters and body, then validation, then the Idempotency-Key), and what the
// route's handler is given. Hand-built events, no runtime.
import { describe, expect, it } from 'vitest';
import * as z from '../../shared/zod.ts';
import { httpHandler, route, type Request } from '../../shared/http.ts';
import { httpEvent, lambdaContext } from '../support/http-middleware.ts';

const seen: Request<unknown, unknown>[] = [];
const handler = httpHandler('stack-http', {
  'POST /v1/units/{unitId}/notes': route({
    roles: ['staff'],
    body: z.strictObject({ note: z.string() }),
    query: z.strictObject({ dryRun: z.optional(z.enum(['true'])) }),
    idempotent: { status: 201 },
    handle: async (req) => {
      seen.push(req as Request<unknown, unknown>);
      return { status: 201, body: { note: req.body.note } };
    },
  }),
  'GET /v1/open': route({ auth: 'none', handle: async () => ({ status: 204 }) }),
});

const clerk = { sub: 's-1', role: 'staff', branch: '3301' };
const notes = (o: Parameters<typeof httpEvent>[1]) => httpEvent('POST /v1/units/{unitId}/notes', { ...o, headers: { 'content-type': 'application/json', ...o?.headers } });
const codeOf = async (event: ReturnType<typeof httpEvent>) => {
  const res = await handler(event, lambdaContext());
  return res.statusCode === 201 ? 'OK' : (JSON.parse(res.body!) as { code: string; detail: string }).detail;
};

describe('the HTTP stack composed', () => {
  const everythingWrong = { params: { unitId: '..' }, body: '{"x":', query: { dryRun: 'no' } };

  it('checks in order: route, caller, role, path parameters, body JSON, body schema, query, Idempotency-Key', async () => {
    expect(await codeOf({ ...notes(everythingWrong), routeKey: 'POST /v1/nowhere', rawPath: '/v1/nowhere' })).toBe('No route POST /v1/nowhere / 路由不存在');
    expect(await codeOf(notes(everythingWrong))).toBe('A valid bearer token is required / 需要有效的令牌');
    expect(await codeOf(notes({ ...everythingWrong, claims: { sub: 'm-1', role: 'member' } }))).toBe('Not allowed for this role / 当前角色无权办理');
    expect(await codeOf(notes({ ...everythingWrong, claims: clerk }))).toBe('Invalid path parameter unitId / 路径参数无效');
    expect(await codeOf(notes({ ...everythingWrong, claims: clerk, params: { unitId: 'U1' } }))).toBe('Malformed JSON body / JSON 格式错误');
    expect(await codeOf(notes({ ...everythingWrong, claims: clerk, params: { unitId: 'U1' }, body: '{"x":1}' }))).toBe('The request body is invalid / 请求参数有误');
    expect(await codeOf(notes({ ...everythingWrong, claims: clerk, params: { unitId: 'U1' }, body: '{"note":"hi"}' }))).toBe('Invalid query parameters / 查询参数有误');
    expect(await codeOf(notes({ claims: clerk, params: { unitId: 'U1' }, body: '{"note":"hi"}' }))).toBe('Idempotency-Key header is required / 缺少幂等键');
    expect(await codeOf(notes({ claims: clerk, params: { unitId: 'U1' }, body: '{"note":"hi"}', headers: { 'Idempotency-Key': 'k-1' } }))).toBe('OK');
  });

  it('gives the handler what the middlewares found, and leaves the event and context it was invoked with as they were', async () => {
    seen.length = 0;
    const event = notes({ claims: clerk, params: { unitId: 'U1' }, body: '{"note":"hi"}', query: { dryRun: 'true' }, headers: { 'Idempotency-Key': 'k-1', 'X-Trace': 't' } });
    const context = lambdaContext();
    const before = structuredClone({ event, context: { ...context, getRemainingTimeInMillis: undefined } });
    const res = await handler(event, context);
    expect(res).toEqual({ statusCode: 201, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"note":"hi"}' });
    expect({ event, context: { ...context, getRemainingTimeInMillis: undefined } }).toEqual(before);
    expect(seen).toHaveLength(1);
    const { log, idempotency, ...req } = seen[0];
    expect(typeof log.info).toBe('function');
    expect(idempotency).toMatchObject({ scope: expect.stringMatching(/^s-1#[0-9a-f]{16}$/), key: 'k-1', hash: expect.stringMatching(/^[0-9a-f]{64}$/), status: 201 });
    expect(req).toEqual({
      body: { note: 'hi' },
      query: { dryRun: 'true' },
      params: { unitId: 'U1' },
      caller: { sub: 's-1', role: 'staff', accountNo: undefined, unitId: undefined, branch: '3301' },
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1', 'x-trace': 't' },
      rawBody: '{"note":"hi"}',
      event,
    });
  });

  it('keeps concurrent requests on one context apart', async () => {
    seen.length = 0;
    const context = lambdaContext();
    const ask = (n: number) => handler(notes({ claims: { ...clerk, sub: `s-${n}` }, params: { unitId: `U${n}` }, body: `{"note":"n${n}"}`, headers: { 'Idempotency-Key': `k-${n}` } }), context);
    const answers = await Promise.all([1, 2, 3, 4].map(ask));
    expect(answers.map((a) => a.body)).toEqual(['{"note":"n1"}', '{"note":"n2"}', '{"note":"n3"}', '{"note":"n4"}']);
    for (const req of seen) expect(req.caller.sub.slice(2)).toBe(req.params.unitId.slice(1));
  });

  it('exposes its route keys and specs (held against the topology and the OpenAPI document)', async () => {
    expect(handler.routeKeys).toEqual(['POST /v1/units/{unitId}/notes', 'GET /v1/open']);
    expect(Object.keys(handler.routeSpecs)).toEqual(handler.routeKeys);
    expect(await handler(httpEvent('GET /v1/open'), lambdaContext())).toEqual({ statusCode: 204, headers: {} });
  });
});
