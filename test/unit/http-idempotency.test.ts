// shared/http/idempotency.ts alone: the Idempotency-Key contract and the request hash that stored
// records hold. The hashes below were computed by the stack before it was split into middlewares:
// a change of the recipe would make every stored record answer IDEMPOTENCY_KEY_REUSED.
import { describe, expect, it } from 'vitest';
import * as z from '../../shared/zod.ts';
import type { Caller } from '../../shared/auth.ts';
import { idempotency, requestHash } from '../../shared/http/idempotency.ts';
import type { RouteSpec } from '../../shared/http/types.ts';
import { httpEvent, httpState, middyRequest, refusal, spec } from '../support/http-middleware.ts';

const clerk: Caller = { sub: 's-1', role: 'staff', branch: '3301' };
const remit = spec({ body: z.looseObject({}), idempotent: { status: 201 } });
const close = spec({ idempotent: { status: 202 } });
const REMITTANCES = 'POST /v1/units/{unitId}/remittances';

function contextOf(route: RouteSpec<any, any>, o: { key?: string; value?: unknown; caller?: Caller; headers?: Record<string, string>; routeKey?: string; path?: string } = {}) {
  const headers = { ...(o.key === undefined ? {} : { 'idempotency-key': o.key }), ...o.headers };
  const state = httpState({ spec: route, headers, caller: o.caller, value: o.value });
  const event = httpEvent(o.routeKey ?? REMITTANCES);
  if (o.path) event.rawPath = o.path;
  idempotency().before!(middyRequest(event, state));
  return state.idempotency;
}

describe('idempotency middleware: the key', () => {
  it('asks nothing of a route that is not idempotent', () => {
    expect(contextOf(spec({ body: z.looseObject({}) }), { caller: clerk })).toBeUndefined();
  });

  it('requires the Idempotency-Key header: 400 IDEMPOTENCY_KEY_MISSING (an empty one too)', async () => {
    for (const key of [undefined, '']) {
      const err = await refusal(() => contextOf(remit, { key, caller: clerk }));
      expect({ code: err.code, detail: err.message, errors: err.errors }).toEqual({ code: 'IDEMPOTENCY_KEY_MISSING', detail: 'Idempotency-Key header is required / 缺少幂等键', errors: [] });
    }
  });

  it('takes 1–128 of [A-Za-z0-9_.:-]', async () => {
    expect(contextOf(remit, { key: 'A-z_0.9:'.padEnd(128, 'x'), caller: clerk })?.key).toHaveLength(128);
    for (const key of ['x'.repeat(129), 'has space', 'ключ', 'a/b', 'a\u0000']) {
      const err = await refusal(() => contextOf(remit, { key, caller: clerk }));
      expect({ code: err.code, detail: err.message, errors: err.errors }, key).toEqual({ code: 'VALIDATION_FAILED', detail: 'Idempotency-Key must be 1–128 of [A-Za-z0-9_.:-]', errors: [{ path: 'Idempotency-Key', message: 'invalid format' }] });
    }
  });
});

describe('idempotency middleware: the context handed to commit', () => {
  it("holds the caller's scope (sub and a digest of its claims), the key, the request hash and the route's status", () => {
    expect(contextOf(remit, { key: 'k-1', caller: clerk, value: { b: 2, a: [1, { d: 1, c: 2 }] }, path: '/v1/units/U1/remittances' })).toEqual({
      scope: 's-1#e340870516053d2b',
      key: 'k-1',
      hash: 'e6154e2f66d9384cb298829fbfc9cd1f7dd6aa590f69e1074e81cf499e9a6214',
      status: 201,
    });
  });

  it('scopes the same sub with other claims apart', () => {
    expect(contextOf(remit, { key: 'k-1', caller: { ...clerk, branch: '3302' } })?.scope).toBe('s-1#8bd02f36eba74afb');
  });

  it("scopes a partner's keys by its center code (or anonymous)", () => {
    const partner = spec({ auth: 'partner', idempotent: { status: 201 } });
    expect(contextOf(partner, { key: 'k-1', headers: { 'x-hpf-center': '110000' } })?.scope).toBe('partner:110000');
    expect(contextOf(partner, { key: 'k-1' })?.scope).toBe('partner:anonymous');
    expect(contextOf(partner, { key: 'k-1', routeKey: 'POST /v1/partner' })?.hash).toBe('d443009b2d2eba31db3cb0ec4bafbb180a4cf36dfbdad5989aa9446d4455de61');
  });
});

describe('requestHash', () => {
  const event = (routeKey: string, path: string) => Object.assign(httpEvent(routeKey), { rawPath: path });
  const remittances = event(REMITTANCES, '/v1/units/U1/remittances');
  const closing = event('POST /v1/units/{unitId}/close', '/v1/units/U1/close');

  it('hashes method, path and the canonical body: key order does not matter', () => {
    expect(requestHash(remittances, remit, { a: [1, { c: 2, d: 1 }], b: 2 })).toBe('e6154e2f66d9384cb298829fbfc9cd1f7dd6aa590f69e1074e81cf499e9a6214');
    expect(requestHash(remittances, remit, { b: 2, a: [1, { d: 1, c: 2 }] })).toBe('e6154e2f66d9384cb298829fbfc9cd1f7dd6aa590f69e1074e81cf499e9a6214');
  });

  it('tells an absent body (null) from {} on a route with a body', () => {
    expect(requestHash(remittances, remit, undefined)).toBe('d6cbf20f326afe2a88eec91a705b7cb9b8ee5b6e04c9d202233cf30bff50b5f0');
    expect(requestHash(remittances, remit, {})).toBe('bee470e5c6148f66412e68b7e73095bde1e97619a749b24f7a6333f4c96c4a27');
  });

  it('hashes no body and {} alike on a bodiless route', () => {
    expect(requestHash(closing, close, undefined)).toBe('df0d381b4fd9b68023c9d98c039d89f9ec847c457e5d0ed9cd50311e80896a4b');
    expect(requestHash(closing, close, {})).toBe('df0d381b4fd9b68023c9d98c039d89f9ec847c457e5d0ed9cd50311e80896a4b');
  });
});
