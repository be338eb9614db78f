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

describe('strict text, as strict as the cloud (issue 14)', () => {
  const valid = () => ({ name: '测试单位', creditCode: '91350100M000100Y43', branch: 'SC', payDay: 10, employerRate: '12', employeeRate: '12' });

  it('refuses a JSON object that names a field twice, however the key is escaped', async () => {
    const token = await staffToken('*');
    for (const rawBody of [
      '{"name":"甲","name":"乙","creditCode":"91350100M000100Y43","branch":"SC","payDay":10,"employerRate":"12","employeeRate":"12"}',
      '{"name":"甲","\\u006eame":"乙","creditCode":"91350100M000100Y43","branch":"SC","payDay":10,"employerRate":"12","employeeRate":"12"}',
    ]) {
      const res = await call('POST', '/v1/units', { token, rawBody });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual([{ path: 'name', message: 'duplicate key' }]);
    }
    // the same key in two different objects is no duplicate: the body reaches validation (a clean 4xx, not "duplicate key")
    const nested = await call('POST', '/v1/loan-quotes', { token, rawBody: '{"a":{"x":1},"b":{"x":1}}' });
    expect(nested.status).toBe(400);
    expect(JSON.stringify(nested.body.errors)).not.toContain('duplicate key');
  });

  it('refuses a body declared in a charset other than UTF-8', async () => {
    const token = await staffToken('*');
    for (const type of ['application/json; charset=iso-8859-1', 'application/json; charset=gbk', 'application/json;charset="utf-16"']) {
      const res = await call('POST', '/v1/units', { token, rawBody: JSON.stringify(valid()), headers: { 'content-type': type } });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0].path).toBe('content-type');
    }
  });

  it('refuses C1 controls, direction overrides and lone surrogates in any string of a body', async () => {
    const token = await staffToken('*');
    for (const bad of ['\u0085', '\u009b31m', '\u202e', '\u2066x\u2069', '\u202a']) {
      const res = await call('POST', '/v1/units', { token, body: { ...valid(), name: `单位${bad}` } });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0].path).toBe('name');
    }
    const lone = await call('POST', '/v1/units', { token, rawBody: JSON.stringify(valid()).replace('测试单位', '\\ud800单位') });
    expectProblem(lone, 400, 'VALIDATION_FAILED');
  });

  it('a staff token without a branch claim and a unit token without a unitId act nowhere (403, never the widest scope)', async () => {
    const { token } = await import('../support/http.ts');
    const staffNoBranch = await token({ role: 'staff' });
    const unitNoId = await token({ role: 'unit' });
    for (const [method, path] of [['GET', '/v1/supervision/indicators'], ['GET', '/v1/units/U-none'], ['GET', '/v1/withdrawals']] as const) {
      expectProblem(await call(method, path, { token: staffNoBranch }), 403, 'FORBIDDEN');
    }
    expectProblem(await call('POST', '/v1/units', { token: staffNoBranch, body: valid() }), 403, 'FORBIDDEN');
    expectProblem(await call('GET', '/v1/units/U-none', { token: unitNoId }), 403, 'FORBIDDEN');
  });

  it('dot segments are not resolved: the route is matched on the path as sent, and . or .. is no identifier', async () => {
    const { request } = await import('node:http');
    const raw = (path: string) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const url = new URL(baseUrl());
        const req = request({ host: url.hostname, port: url.port, path, method: 'GET', headers: { authorization: '' } }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end();
      });
    const staff = await staffToken('*');
    // /v1/units/../health would be /v1/health (200, no auth) if the gateway resolved it
    const up = await raw('/v1/units/../health');
    expect(up.status).toBe(404);
    expect(up.body.code).toBe('NOT_FOUND');
    for (const path of ['/v1/units/..', '/v1/units/.', '/v1/units/%2e%2e', '/v1/units/%2E']) {
      const res = await call('GET', path.replace(/^\/v1\/units\/(\.\.?)$/, '/v1/units/$1'), { token: staff });
      if (res.status === 404) continue; // a client that resolved the dots itself asked for another path
      expectProblem(res, 400, 'VALIDATION_FAILED');
    }
    const dotted = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const url = new URL(baseUrl());
      const req = request({ host: url.hostname, port: url.port, path: '/v1/units/..', method: 'GET', headers: { authorization: `Bearer ${staff}` } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(dotted.status).toBe(400);
    expect(dotted.body.errors[0].path).toBe('path.unitId');
  });
});
