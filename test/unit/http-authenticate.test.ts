// shared/http/authenticate.ts alone: who calls, by the route's `auth`, its roles and the claims a role needs.
import { describe, expect, it } from 'vitest';
import { mintToken } from '../../infra/local/jwt.ts';
import { authenticate, isSigned } from '../../shared/http/authenticate.ts';
import type { RouteSpec } from '../../shared/http/types.ts';
import { httpEvent, httpState, middyRequest, refusal, spec } from '../support/http-middleware.ts';

async function callerOf(route: RouteSpec<any, any>, o: Parameters<typeof httpEvent>[1] = {}) {
  const headers = Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
  const state = httpState({ spec: route, headers });
  await authenticate().before!(middyRequest(httpEvent('POST /v1/x', o), state));
  return state.caller;
}
const refused = async (route: RouteSpec<any, any>, o: Parameters<typeof httpEvent>[1] = {}) => {
  const err = await refusal(() => callerOf(route, o));
  return { code: err.code, detail: err.message, errors: err.errors };
};

const UNAUTHENTICATED = { code: 'UNAUTHENTICATED', detail: 'A valid bearer token is required / 需要有效的令牌', errors: [] };
const WRONG_ROLE = { code: 'FORBIDDEN', detail: 'Not allowed for this role / 当前角色无权办理', errors: [] };
const lacks = (claim: string) => ({ code: 'FORBIDDEN', detail: `The token lacks the ${claim} claim its role needs / 令牌缺少该角色所需的 ${claim} 声明`, errors: [] });

describe('authenticate middleware: jwt routes (the default)', () => {
  const staffOnly = spec({ roles: ['staff', 'admin'] });

  it("takes the caller from the authoriser's claims", async () => {
    expect(await callerOf(staffOnly, { claims: { sub: 's-1', role: 'staff', branch: '3301', extra: 'ignored' } })).toEqual({ sub: 's-1', role: 'staff', accountNo: undefined, unitId: undefined, branch: '3301' });
    expect(await callerOf(spec(), { claims: { sub: 'm-1', role: 'member' } })).toEqual({ sub: 'm-1', role: 'member', accountNo: undefined, unitId: undefined, branch: undefined });
  });

  it('refuses a request without claims, without sub, or of an unknown role: 401', async () => {
    expect(await refused(staffOnly)).toEqual(UNAUTHENTICATED);
    expect(await refused(staffOnly, { claims: { role: 'staff', branch: '*' } })).toEqual(UNAUTHENTICATED);
    expect(await refused(staffOnly, { claims: { sub: 'x', role: 'root' } })).toEqual(UNAUTHENTICATED);
  });

  it('refuses a role the route does not name: 403 (before the claims the role would need)', async () => {
    expect(await refused(staffOnly, { claims: { sub: 'm-1', role: 'member', accountNo: '1' } })).toEqual(WRONG_ROLE);
    expect(await refused(spec({ roles: ['admin'] }), { claims: { sub: 's-1', role: 'staff' } })).toEqual(WRONG_ROLE);
  });

  it('refuses a staff token without branch and a unit token without unitId on every route (deny by default)', async () => {
    expect(await refused(staffOnly, { claims: { sub: 's-1', role: 'staff' } })).toEqual(lacks('branch'));
    expect(await refused(spec(), { claims: { sub: 'u-1', role: 'unit', unitId: '' } })).toEqual(lacks('unitId'));
    expect(await callerOf(spec(), { claims: { sub: 'u-1', role: 'unit', unitId: 'U1' } })).toMatchObject({ role: 'unit', unitId: 'U1' });
  });

  it('ignores an Authorization header: the authoriser decided', async () => {
    const token = await mintToken({ sub: 'a-1', role: 'admin' });
    expect(await refused(staffOnly, { headers: { authorization: `Bearer ${token}` } })).toEqual(UNAUTHENTICATED);
  });
});

describe('authenticate middleware: jwt-or-partner routes', () => {
  const either = spec({ auth: 'jwt-or-partner', roles: ['admin', 'staff'] });

  it('verifies a bearer token itself and admits its caller', async () => {
    const token = await mintToken({ sub: 'a-1', role: 'admin' });
    expect(await callerOf(either, { headers: { Authorization: `Bearer ${token}` } })).toEqual({ sub: 'a-1', role: 'admin', accountNo: undefined, unitId: undefined, branch: undefined });
  });

  it('leaves the caller unset without an Authorization header (the handler verifies the signature), whatever the authoriser passed', async () => {
    expect(await callerOf(either)).toBeUndefined();
    expect(await callerOf(either, { claims: { sub: 'a-1', role: 'admin' } })).toBeUndefined();
  });

  it('refuses a forged, expired, foreign-audience or non-bearer token: 401', async () => {
    const forged = await mintToken({ sub: 'a-1', role: 'admin' }, { secret: 'not-the-secret' });
    const expired = await mintToken({ sub: 'a-1', role: 'admin' }, { ttlSeconds: -60 });
    const foreign = await mintToken({ sub: 'a-1', role: 'admin' }, { audience: 'other-api' });
    for (const authorization of [`Bearer ${forged}`, `Bearer ${expired}`, `Bearer ${foreign}`, 'Basic YTpi', 'Bearer', 'garbage']) {
      expect(await refused(either, { headers: { authorization } }), authorization).toEqual(UNAUTHENTICATED);
    }
  });

  it("applies the route's roles and the claims a role needs", async () => {
    expect(await refused(either, { headers: { authorization: `Bearer ${await mintToken({ sub: 'm-1', role: 'member', accountNo: '1' })}` } })).toEqual(WRONG_ROLE);
    expect(await refused(either, { headers: { authorization: `Bearer ${await mintToken({ sub: 's-1', role: 'staff' })}` } })).toEqual(lacks('branch'));
  });
});

describe('authenticate middleware: partner and none routes', () => {
  it('asks nothing and sets no caller, whatever the request carries', async () => {
    const token = await mintToken({ sub: 'a-1', role: 'admin' });
    for (const auth of ['partner', 'none'] as const) {
      expect(await callerOf(spec({ auth, roles: ['admin'] }))).toBeUndefined();
      expect(await callerOf(spec({ auth, roles: ['admin'] }), { claims: { sub: 'm-1', role: 'member' }, headers: { authorization: `Bearer ${token}` } })).toBeUndefined();
    }
  });
});

describe('isSigned: whose body a signature covers', () => {
  const caller = { sub: 'a-1', role: 'admin' as const };
  it('partner routes always, jwt-or-partner routes without a caller, no other', () => {
    expect(isSigned(spec({ auth: 'partner' }), undefined)).toBe(true);
    expect(isSigned(spec({ auth: 'jwt-or-partner' }), undefined)).toBe(true);
    expect(isSigned(spec({ auth: 'jwt-or-partner' }), caller)).toBe(false);
    expect(isSigned(spec({ auth: 'jwt' }), caller)).toBe(false);
    expect(isSigned(spec(), undefined)).toBe(false);
    expect(isSigned(spec({ auth: 'none' }), undefined)).toBe(false);
  });
});
