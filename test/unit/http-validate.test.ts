// shared/http/validate.ts alone: the route's zod schemas over the parsed body and the query string.
import { describe, expect, it } from 'vitest';
import * as z from '../../shared/zod.ts';
import { validate, zodErrors } from '../../shared/http/validate.ts';
import type { RouteSpec } from '../../shared/http/types.ts';
import { httpEvent, httpState, middyRequest, refusal, spec } from '../support/http-middleware.ts';

const body = z.strictObject({ amount: z.string().check(z.regex(/^\d+$/)), note: z.optional(z.string().check(z.maxLength(5))), kind: z._default(z.enum(['A', 'B']), 'A') });
const query = z.strictObject({ limit: z.optional(z.string().check(z.regex(/^\d+$/))) });

function validated(route: RouteSpec<any, any>, value: unknown, q?: Record<string, string>) {
  const state = httpState({ spec: route, value });
  validate().before!(middyRequest(httpEvent('POST /v1/x', { query: q }), state));
  return { body: state.body, query: state.query };
}
const refused = async (route: RouteSpec<any, any>, value: unknown, q?: Record<string, string>) => {
  const err = await refusal(() => validated(route, value, q));
  return { code: err.code, detail: err.message, errors: err.errors };
};

describe('validate middleware: body', () => {
  it("hands on the schema's output (defaults applied)", () => {
    expect(validated(spec({ body }), { amount: '100' }).body).toEqual({ amount: '100', kind: 'A' });
  });

  it('validates an absent body as {}', async () => {
    expect(validated(spec({ body: z.strictObject({ note: z.optional(z.string()) }) }), undefined).body).toEqual({});
    expect(await refused(spec({ body }), undefined)).toEqual({ code: 'VALIDATION_FAILED', detail: 'The request body is invalid / 请求参数有误', errors: [{ path: 'body.amount', message: 'Invalid input: expected string, received undefined' }] });
  });

  it('names every invalid field under body.', async () => {
    expect(await refused(spec({ body }), { amount: 'x', note: 'too long', extra: 1 })).toEqual({
      code: 'VALIDATION_FAILED',
      detail: 'The request body is invalid / 请求参数有误',
      errors: [
        { path: 'body.amount', message: 'Invalid string: must match pattern /^\\d+$/' },
        { path: 'body.note', message: 'Too big: expected string to have <=5 characters' },
        { path: 'body', message: 'Unrecognized key: "extra"' },
      ],
    });
  });

  it('takes no body or {} on a route without a body schema', async () => {
    expect(validated(spec(), undefined).body).toBeUndefined();
    expect(validated(spec(), {}).body).toBeUndefined();
    const noBody = { code: 'VALIDATION_FAILED', detail: 'This route takes no body / 该接口不接受请求体', errors: [{ path: 'body', message: 'expected no body or {}' }] };
    for (const value of [{ a: 1 }, [], null, 0, '']) expect(await refused(spec(), value), JSON.stringify(value)).toEqual(noBody);
  });

  it("leaves a partner route's body to its handler", () => {
    expect(validated(spec({ auth: 'partner' }), { a: 1 }).body).toBeUndefined();
  });
});

describe('validate middleware: query', () => {
  it('hands on the query string as it came without a schema ({} without one)', () => {
    expect(validated(spec(), undefined, { a: '1' }).query).toEqual({ a: '1' });
    expect(validated(spec(), undefined).query).toEqual({});
  });

  it("hands on the schema's output, and names every invalid parameter under query.", async () => {
    expect(validated(spec({ query }), undefined, { limit: '20' }).query).toEqual({ limit: '20' });
    expect(validated(spec({ query }), undefined).query).toEqual({});
    expect(await refused(spec({ query }), undefined, { limit: 'all', x: '1' })).toEqual({
      code: 'VALIDATION_FAILED',
      detail: 'Invalid query parameters / 查询参数有误',
      errors: [
        { path: 'query.limit', message: 'Invalid string: must match pattern /^\\d+$/' },
        { path: 'query', message: 'Unrecognized key: "x"' },
      ],
    });
  });

  it('checks the body before the query', async () => {
    expect((await refused(spec({ body, query }), { amount: 'x' }, { limit: 'all' })).detail).toBe('The request body is invalid / 请求参数有误');
  });
});

describe('zodErrors', () => {
  it('joins the issue path under the prefix, or without one', () => {
    const r = z.strictObject({ a: z.array(z.string()) }).safeParse({ a: ['x', 1] });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(zodErrors(r.error, 'body')).toEqual([{ path: 'body.a.1', message: 'Invalid input: expected string, received number' }]);
    expect(zodErrors(r.error)).toEqual([{ path: 'a.1', message: 'Invalid input: expected string, received number' }]);
  });
});
