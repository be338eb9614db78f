// The local gateway's authoriser step and the HTTP stack's answers to hostile input: always a 4xx
// problem document, never a stack trace, never a change.
import { describe, it, expect } from 'vitest';
import { SignJWT } from 'jose';
import { call, staffToken, baseUrl } from '../support/http.ts';
import { mintToken, DEFAULT_DEV_SECRET } from '../../infra/local/jwt.ts';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

function expectProblem(res: { status: number; body: any; headers: Headers }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String), errors: expect.any(Array) });
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+|node_modules|Error:/);
}

describe('authoriser', () => {
  const path = '/v1/units/U-none';
  it('refuses a missing, forged, expired, alg:none or foreign-audience token with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 's', role: 'staff', branch: '*', iss: 'hpf-local', aud: 'hpf-api', iat: now, exp: now + 600 };
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('not-the-secret'));
    const expired = await new SignJWT({ ...claims, iat: now - 7200, exp: now - 3600 }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(DEFAULT_DEV_SECRET));
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const otherAudience = await mintToken({ sub: 's', role: 'staff', branch: '*' }, { audience: 'someone-else' });
    const otherIssuer = await mintToken({ sub: 's', role: 'staff', branch: '*' }, { issuer: 'evil' });
    for (const auth of [undefined, 'Bearer', 'Bearer garbage', `Bearer ${forged}`, `Bearer ${expired}`, `Bearer ${none}`, `Bearer ${otherAudience}`, `Bearer ${otherIssuer}`, `Basic ${forged}`]) {
      const res = await call('GET', path, { headers: auth ? { authorization: auth } : {} });
      expectProblem(res, 401, 'UNAUTHENTICATED');
    }
  });

  it('a valid token with an unknown role is refused', async () => {
    const t = await mintToken({ sub: 's', role: 'superuser' });
    expectProblem(await call('GET', path, { token: t }), 401, 'UNAUTHENTICATED');
  });

  it('unknown routes and methods answer 404 problem documents', async () => {
    expectProblem(await call('GET', '/v1/nothing-here'), 404, 'NOT_FOUND');
    expectProblem(await call('DELETE', '/v1/health'), 404, 'NOT_FOUND');
    expectProblem(await call('GET', '/'), 404, 'NOT_FOUND');
  });
});

describe('hostile bodies', () => {
  it('bad JSON, null, arrays, scalars, unknown fields, wrong content type and huge bodies answer 400 problems', async () => {
    const token = await staffToken('*');
    const valid = { name: '测试单位', creditCode: '91350100M000100Y43', branch: 'SC', payDay: 10, employerRate: '12', employeeRate: '12' };
    const cases: { rawBody: string; headers?: Record<string, string> }[] = [
      { rawBody: '{"name":' },
      { rawBody: 'null' },
      { rawBody: '[]' },
      { rawBody: '[1,2,3]' },
      { rawBody: '"a string"' },
      { rawBody: '42' },
      { rawBody: JSON.stringify({ ...valid, extra: 1 }) },
      { rawBody: JSON.stringify({ ...valid, __proto__: { admin: true } }).replace('{', '{"__proto__":{"admin":true},') },
      { rawBody: JSON.stringify({ ...valid, constructor: { prototype: { x: 1 } } }) },
      { rawBody: JSON.stringify(valid), headers: { 'content-type': 'text/plain' } },
      { rawBody: JSON.stringify({ ...valid, name: 'x'.repeat(300 * 1024) }) },
      { rawBody: JSON.stringify({ ...valid, name: '\u0000\u0007\u001b[31m' }) },
    ];
    for (const c of cases) {
      const res = await call('POST', '/v1/units', { token, rawBody: c.rawBody, headers: c.headers });
      expectProblem(res, 400, 'VALIDATION_FAILED');
    }
  });

  it('a body far beyond the API limit is refused without reaching a function', async () => {
    const res = await fetch(`${baseUrl()}/v1/units`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(11 * 1024 * 1024) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
