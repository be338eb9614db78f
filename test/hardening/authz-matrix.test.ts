// The authorisation matrix: every topology route × twelve callers against real resources, each answer
// compared with the one table of expected outcomes (support.ts, EXPECTED). Refusals are problem
// documents that carry none of the member's or the unit's data. Then defective credentials — forged,
// expired, alg:none, another audience or issuer — on one route of each domain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { routes, routeKey, type RouteDef } from '../../infra/topology.ts';
import { call } from '../support/http.ts';
import { mintToken, DEFAULT_DEV_SECRET, ISSUER, AUDIENCE } from '../../infra/local/jwt.ts';
import { CALLERS, EXPECTED, callRoute, fillPath, leaked, matches, problemViolation, request, REQUESTS, setupWorld, type World } from './support.ts';

let w: World;
let requests = 0;

beforeAll(async () => {
  w = await setupWorld();
}, 120_000);

afterAll(async () => {
  console.log(`authz matrix: ${routes.length} routes × ${CALLERS.length} callers = ${routes.length * CALLERS.length} requests (${requests} sent)`);
  await w?.close();
});

describe('the authorisation table', () => {
  it('covers every topology route and every caller, and no route that does not exist', () => {
    const keys = routes.map(routeKey);
    expect(Object.keys(EXPECTED).sort()).toEqual([...keys].sort());
    expect(Object.keys(REQUESTS).sort()).toEqual([...keys].sort());
    for (const key of keys) expect(Object.keys(EXPECTED[key]).sort(), key).toEqual([...CALLERS].sort());
  });
});

/** The refusals' failures of `res` for a denied call: problem document, nothing of the resource. */
function refusalFailures(res: Awaited<ReturnType<typeof callRoute>>): string[] {
  if (![401, 403, 404].includes(res.status)) return [];
  const failures: string[] = [];
  const violation = problemViolation(res);
  if (violation) failures.push(`not a problem document: ${violation}`);
  const secrets = leaked(w, res);
  if (secrets.length) failures.push(`leaks ${secrets.join(', ')}`);
  return failures;
}

// routes run in topology order: later routes act on the state earlier ones left (approve, then disburse)
describe.sequential('every route × every caller', () => {
  for (const r of routes) {
    it(routeKey(r), async () => {
      const row = EXPECTED[routeKey(r)];
      const failures: string[] = [];
      for (const caller of CALLERS) {
        const res = await callRoute(w, r, caller);
        requests++;
        const want = row[caller];
        const got = `${res.status} ${String(JSON.stringify(res.body ?? null)).slice(0, 240)}`;
        if (!matches(want, res.status)) failures.push(`${caller}: expected ${want}, got ${got}`);
        for (const f of refusalFailures(res)) failures.push(`${caller}: ${f} — ${got}`);
      }
      expect(failures, `${routeKey(r)}\n  ${failures.join('\n  ')}`).toEqual([]);
    });
  }
});

describe('defective credentials', () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = () => Math.floor(Date.now() / 1000);
  /** Claims of a caller the route allows, so that only the credential's defect can refuse it. */
  type Claims = { sub: string; role: string; accountNo?: string; unitId?: string; branch?: string };
  const defects: Record<string, (c: Claims) => Promise<string>> = {
    'signed with another secret': (c) => mintToken(c, { secret: 'not-the-secret-of-this-system-0000' }),
    expired: (c) =>
      new SignJWT(c)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now() - 7200)
        .setExpirationTime(now() - 60)
        .sign(new TextEncoder().encode(process.env.HPF_JWT_SECRET ?? DEFAULT_DEV_SECRET)),
    'alg none': async (c) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...c, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 3600 })}.`,
    'another audience': (c) => mintToken(c, { audience: 'another-api' }),
    'another issuer': (c) => mintToken(c, { issuer: 'another-issuer' }),
    'without expiry': (c) =>
      new SignJWT(c)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .sign(new TextEncoder().encode(process.env.HPF_JWT_SECRET ?? DEFAULT_DEV_SECRET)),
    'tampered claims': async (c) => {
      const [h, , s] = (await mintToken({ ...c, role: 'member', accountNo: '100000000000' })).split('.');
      return `${h}.${b64({ ...c, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 3600 })}.${s}`;
    },
    'an unknown role': (c) => mintToken({ ...c, role: 'superuser' }),
  };

  // one route of each domain, with the claims of a caller the table allows there
  const cases: { route: string; claims: (w: World) => Claims }[] = [
    { route: 'GET /v1/accounts/{accountNo}', claims: (w) => ({ sub: `member-${w.employee.accountNo}`, role: 'member', accountNo: w.employee.accountNo }) },
    { route: 'GET /v1/withdrawals/{withdrawalId}', claims: (w) => ({ sub: 'clerk-defects', role: 'staff', branch: w.branch }) },
    { route: 'GET /v1/loans/{loanId}', claims: () => ({ sub: 'auditor-defects', role: 'auditor' }) },
    { route: 'GET /v1/supervision/findings', claims: () => ({ sub: 'auditor-defects', role: 'auditor' }) },
    { route: 'GET /v1/interprovincial/requests', claims: () => ({ sub: 'city-defects', role: 'staff', branch: '*' }) },
  ];

  for (const { route, claims } of cases) {
    it(`${route}: 401 for every defective token, 200 for a sound one`, async () => {
      const r = routes.find((x) => routeKey(x) === route) as RouteDef;
      const req = REQUESTS[route](w, 'auditor');
      const path = fillPath(r.path, req.params) + (req.query ? `?${req.query}` : '');
      const sound = await call('GET', path, { token: await mintToken(claims(w)) });
      expect(sound.status, JSON.stringify(sound.body)).toBe(200);
      const failures: string[] = [];
      for (const [defect, make] of Object.entries(defects)) {
        const token = await make(claims(w));
        for (const authorization of [`Bearer ${token}`, token, `Basic ${token}`]) {
          const res = await call('GET', path, { headers: { authorization } });
          requests++;
          if (res.status !== 401) failures.push(`${defect} (${authorization.slice(0, 6)}…): ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          const violation = problemViolation(res) ?? (leaked(w, res).length ? 'leaks data' : undefined);
          if (violation) failures.push(`${defect}: ${violation}`);
        }
      }
      expect(failures, failures.join('\n')).toEqual([]);
    });
  }

  it('partner routes: a signature with another partner’s secret, or none, is 401 SIGNATURE_INVALID', async () => {
    const forged = { ...w, partners: [{ code: w.partners[0].code, secret: w.partners[1].secret }, w.partners[1]] as World['partners'] };
    for (const route of ['POST /v1/interprovincial/requests', 'GET /v1/interprovincial/requests/{trackingId}', 'POST /v1/interprovincial/callbacks']) {
      const r = routes.find((x) => routeKey(x) === route) as RouteDef;
      const req = REQUESTS[route](w, 'partner');
      const path = fillPath(r.path, req.params);
      for (const res of [await request(forged, 'partner', r.method, path, { body: req.body }), await request(w, 'none', r.method, path, { body: req.body })]) {
        requests++;
        expect(res.status, `${route}: ${JSON.stringify(res.body)}`).toBe(401);
        expect(res.body.code).toBe('SIGNATURE_INVALID');
        expect(problemViolation(res)).toBeUndefined();
      }
    }
  });
});
