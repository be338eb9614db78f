// The console's cloud sign-in, end to end in Chromium: authorization code + PKCE against an OpenID
// Connect issuer. The issuer is a tiny one written here (node:http: discovery, /authorize that checks
// the request and its S256 challenge, /token that checks the code_verifier, a JWKS); the console is
// served as CloudFront serves it (its files and config.json, /v1/* forwarded to the API on the same
// origin); the local runtime is told to trust the issuer's JWKS (POST /_local/oidc-issuers).
// What must hold: the token the API accepts is the issuer's access token, with the audience the
// console asked for; it lives in memory only (no storage, no cookie, not in any URL, gone on reload).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { baseUrl, call } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { uniqueBranch } from '../e2e/deposits-fixtures.ts';
import { createConsole } from '../../infra/local/console.ts';
import { checkAccessibility, openConsole, poll, screenshot, TEST_MS, type Opened } from './support.ts';

const CLIENT_ID = 'hpf-console';
const AUDIENCE = 'hpf-api';
const b64url = (b: Buffer) => b.toString('base64url');

const listen = (server: Server) => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
const close = (server: Server | undefined) => new Promise<void>((resolve) => (server ? (server.closeAllConnections(), server.close(() => resolve())) : resolve()));
async function bodyOf(req: IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface AuthorizeRecord {
  query: Record<string, string>;
  refused?: string;
}

/** A minimal OpenID Connect issuer for one member: every request recorded, every check an issuer makes on a public client with PKCE. */
async function startIssuer(opts: { consoleOrigin: () => string; member: () => { accountNo: string } }) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; redirectUri: string; clientId: string; audience: string }>();
  const authorizations: AuthorizeRecord[] = [];
  const exchanges: { form: Record<string, string>; status: number }[] = [];
  const issued: string[] = [];
  let url = '';
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'access-control-allow-origin': opts.consoleOrigin() });
    res.end(JSON.stringify(body));
  };
  const sign = (claims: Record<string, unknown>, audience: string) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).setIssuer(url).setAudience(audience).setIssuedAt().setExpirationTime('10m').sign(privateKey);
  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://issuer');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': opts.consoleOrigin(), 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type' });
      return res.end();
    }
    if (req.method === 'GET' && u.pathname === '/.well-known/openid-configuration')
      return json(res, 200, { issuer: url, authorization_endpoint: `${url}/authorize`, token_endpoint: `${url}/token`, jwks_uri: `${url}/jwks.json`, response_types_supported: ['code'], grant_types_supported: ['authorization_code'], code_challenge_methods_supported: ['S256'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'], token_endpoint_auth_methods_supported: ['none'] });
    if (req.method === 'GET' && u.pathname === '/jwks.json') return json(res, 200, { keys: [jwk] });
    if (req.method === 'GET' && u.pathname === '/authorize') {
      const q = Object.fromEntries(u.searchParams);
      const record: AuthorizeRecord = { query: q };
      authorizations.push(record);
      const expectedRedirect = `${opts.consoleOrigin()}/`;
      const refuse = (error: string) => {
        record.refused = error;
        if (q.redirect_uri !== expectedRedirect) return json(res, 400, { error }); // never redirect to an unregistered URI
        res.writeHead(302, { location: `${q.redirect_uri}?${new URLSearchParams({ error: 'invalid_request', error_description: error, ...(q.state ? { state: q.state } : {}) })}` });
        res.end();
      };
      if (q.client_id !== CLIENT_ID) return refuse('unknown client_id');
      if (q.redirect_uri !== expectedRedirect) return refuse('redirect_uri not registered');
      if (q.response_type !== 'code') return refuse('response_type must be code');
      if (!(q.scope ?? '').split(' ').includes('openid')) return refuse('scope must include openid');
      if (q.code_challenge_method !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge ?? '')) return refuse('a S256 code_challenge is required');
      if (!q.state) return refuse('state is required');
      if (q.audience !== AUDIENCE) return refuse(`audience must be ${AUDIENCE}`);
      const code = b64url(randomBytes(24));
      codes.set(code, { challenge: q.code_challenge, redirectUri: q.redirect_uri, clientId: q.client_id, audience: q.audience });
      res.writeHead(302, { location: `${q.redirect_uri}?${new URLSearchParams({ code, state: q.state })}` });
      return res.end();
    }
    if (req.method === 'POST' && u.pathname === '/token') {
      const form = Object.fromEntries(new URLSearchParams(await bodyOf(req)));
      const answer = (status: number, body: unknown) => {
        exchanges.push({ form, status });
        json(res, status, body);
      };
      const grant = codes.get(form.code ?? '');
      codes.delete(form.code ?? ''); // a code is good for one attempt
      if (form.grant_type !== 'authorization_code' || !grant) return answer(400, { error: 'invalid_grant' });
      if (form.client_id !== grant.clientId || form.redirect_uri !== grant.redirectUri) return answer(400, { error: 'invalid_grant', error_description: 'client or redirect_uri mismatch' });
      if (!form.code_verifier || b64url(createHash('sha256').update(form.code_verifier).digest()) !== grant.challenge) return answer(400, { error: 'invalid_grant', error_description: 'code_verifier does not match the challenge' });
      const { accountNo } = opts.member();
      const accessToken = await sign({ sub: `oidc-${accountNo}`, role: 'member', accountNo, scope: 'openid' }, grant.audience);
      const idToken = await sign({ sub: `oidc-${accountNo}`, name: '测试职工' }, grant.clientId); // for the client, not the API
      issued.push(accessToken);
      return answer(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 600, id_token: idToken, scope: 'openid' });
    }
    json(res, 404, { error: 'not_found' });
  });
  url = await listen(server);
  return {
    url,
    server,
    authorizations,
    exchanges,
    issued,
    codes,
    /** A token of this issuer's name signed with another key (what a forger could make). */
    forged: async (claims: Record<string, unknown>) => {
      const other = await generateKeyPair('RS256');
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).setIssuer(url).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('10m').sign(other.privateKey);
    },
    sign,
  };
}

/** The console as CloudFront serves it: its files and config.json here, /v1/* forwarded to the API (same origin, no CORS). */
async function startConsoleOrigin(config: Record<string, unknown>) {
  const site = createConsole({ config });
  const api = new URL(baseUrl());
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://console').pathname;
    if (!path.startsWith('/v1/') && (await site(req, res, path))) return;
    const forward = request({ host: api.hostname, port: api.port, method: req.method, path: req.url, headers: { ...req.headers, host: api.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return { server, url: await listen(server) };
}

const trust = (body: Record<string, unknown>, method = 'POST') => fetch(`${baseUrl()}/_local/oidc-issuers`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

let o: Opened;
let issuer: Awaited<ReturnType<typeof startIssuer>>;
let site: Awaited<ReturnType<typeof startConsoleOrigin>>;
let member = { accountNo: '' };
beforeAll(async () => {
  o = await openConsole();
  let consoleOrigin = '';
  issuer = await startIssuer({ consoleOrigin: () => consoleOrigin, member: () => member });
  site = await startConsoleOrigin({ mode: 'oidc', issuer: issuer.url, clientId: CLIENT_ID, audience: AUDIENCE, scope: 'openid', apiBase: '' });
  consoleOrigin = site.url;
});
afterAll(async () => {
  if (issuer) await trust({ issuer: issuer.url }, 'DELETE');
  await o?.close();
  await close(site?.server);
  await close(issuer?.server);
});

describe('console: OpenID Connect sign-in (authorization code + PKCE)', { timeout: TEST_MS }, () => {
  it('the local runtime trusts an issuer only once told, by its JWKS on this machine, and never a forged token', async () => {
    const acc = await openFundedAccount({ branch: uniqueBranch('BO'), balanceFen: 100_000 });
    const token = await issuer.sign({ sub: 'oidc-check', role: 'member', accountNo: acc.accountNo }, AUDIENCE);
    expect((await call('GET', `/v1/accounts/${acc.accountNo}`, { token })).status).toBe(401); // not trusted yet
    expect((await trust({ issuer: issuer.url, jwksUri: 'https://idp.example.com/jwks.json' })).status).toBe(400); // only an issuer on this machine
    expect((await trust({ issuer: issuer.url })).status).toBe(400); // POST needs the JWKS
    expect((await trust({ issuer: issuer.url, jwksUri: `${issuer.url}/jwks.json` })).status).toBe(204);
    expect((await call('GET', `/v1/accounts/${acc.accountNo}`, { token })).status).toBe(200);
    expect((await call('GET', `/v1/accounts/${acc.accountNo}`, { token: await issuer.forged({ sub: 'oidc-check', role: 'member', accountNo: acc.accountNo }) })).status).toBe(401);
    expect((await call('GET', `/v1/accounts/${acc.accountNo}`, { token: await issuer.sign({ sub: 'oidc-check', role: 'member', accountNo: acc.accountNo }, CLIENT_ID) })).status).toBe(401); // an ID token's audience
  });

  it('signs in through the issuer: the access token, with the audience asked for, only in memory', async () => {
    await trust({ issuer: issuer.url, jwksUri: `${issuer.url}/jwks.json` });
    const acc = await openFundedAccount({ branch: uniqueBranch('BO'), balanceFen: 1_234_500 });
    member = { accountNo: acc.accountNo };
    const { page } = o;
    const seen: Promise<{ url: string; authorization?: string }>[] = [];
    page.on('request', (r) => seen.push(r.allHeaders().then((h) => ({ url: r.url(), authorization: h.authorization }))));

    // the console may fetch from the issuer (discovery, token endpoint) and nothing else but its own origin
    const csp = (await fetch(`${site.url}/`, { headers: { accept: 'text/html' } })).headers.get('content-security-policy')!;
    expect(csp).toContain(`connect-src 'self' ${issuer.url};`);
    expect(csp).not.toContain('unsafe-inline');
    await page.goto(`${site.url}/`);
    const signInButton = page.getByRole('button', { name: '统一身份认证登录 Sign in' });
    await signInButton.waitFor();
    await screenshot(page, 'oidc-sign-in');
    await checkAccessibility(page);
    await signInButton.click();
    await page.getByRole('button', { name: '退出 Sign out' }).waitFor();
    // signed in as the issuer's member, and the API accepted the token: the balance is shown
    await poll(() => page.getByTestId('balance').textContent()).toBe('12345.00');

    // the authorization request: code flow, S256 challenge, state, and the API's audience
    expect(issuer.authorizations).toHaveLength(1);
    const q = issuer.authorizations[0].query;
    expect(issuer.authorizations[0].refused).toBeUndefined();
    expect(q).toMatchObject({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: `${site.url}/`, scope: 'openid', code_challenge_method: 'S256', audience: AUDIENCE });
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // one exchange, its verifier the challenge's (the issuer checked S256(code_verifier) = code_challenge)
    expect(issuer.exchanges.map((e) => e.status)).toEqual([200]);
    const { form } = issuer.exchanges[0];
    expect(b64url(createHash('sha256').update(form.code_verifier).digest())).toBe(q.code_challenge);
    expect(form).toMatchObject({ grant_type: 'authorization_code', client_id: CLIENT_ID, redirect_uri: `${site.url}/` });

    // the access token (not the ID token) is what the console sends to the API
    const [token] = issuer.issued;
    const requests = await Promise.all(seen);
    const apiCalls = requests.filter((r) => new URL(r.url).pathname.startsWith('/v1/'));
    expect(apiCalls.length).toBeGreaterThan(0);
    for (const r of apiCalls) expect(r.authorization, r.url).toBe(`Bearer ${token}`);
    // in memory only: nothing in the address bar, in any URL asked for, in storage or in cookies
    expect(page.url()).toBe(`${site.url}/`);
    for (const r of requests) expect(r.url).not.toContain(token);
    const kept = (await page.evaluate(`({ local: Object.entries(localStorage), session: Object.entries(sessionStorage), cookie: document.cookie })`)) as { local: unknown[]; session: unknown[]; cookie: string };
    expect(kept).toEqual({ local: [], session: [], cookie: '' });
    expect(await page.context().cookies()).toEqual([]);
    await screenshot(page, 'oidc-signed-in');
    await checkAccessibility(page);

    // a reload forgets it: signed out, and the used code is not exchanged again
    await page.reload();
    await signInButton.waitFor();
    expect(issuer.exchanges).toHaveLength(1);
    expect(o.problems).toEqual([]);
  });

  it('refuses a redirect whose state is not the one it sent, and an issuer refusing the wrong verifier', async () => {
    const { page } = o;
    // a code the console did not ask for (a login CSRF): refused before any exchange, the code dropped from the address bar
    const exchanged = issuer.exchanges.length;
    await page.goto(`${site.url}/?code=forged-code&state=forged-state`);
    await page.getByRole('alert').filter({ hasText: '登录状态不匹配' }).waitFor();
    expect(page.url()).toBe(`${site.url}/`);
    expect(issuer.exchanges).toHaveLength(exchanged);
    await page.getByRole('button', { name: '统一身份认证登录 Sign in' }).waitFor();
    await checkAccessibility(page);

    // and the issuer here does check the verifier: a code exchanged with another verifier is refused (and spent)
    const verifier = b64url(randomBytes(32));
    const challenge = b64url(createHash('sha256').update(verifier).digest());
    const authorize = new URL(`${issuer.url}/authorize`);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: `${site.url}/`, scope: 'openid', state: 's', code_challenge: challenge, code_challenge_method: 'S256', audience: AUDIENCE })) authorize.searchParams.set(k, v);
    const redirect = await fetch(authorize, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
    const exchange = (v: string) => fetch(`${issuer.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: v, client_id: CLIENT_ID, redirect_uri: `${site.url}/` }) });
    expect((await exchange(b64url(randomBytes(32)))).status).toBe(400);
    expect((await exchange(verifier)).status).toBe(400);
    // without the audience the issuer sends the browser back with an error, which the console shows
    authorize.searchParams.delete('audience');
    const noAudience = await fetch(authorize, { redirect: 'manual' });
    const back = noAudience.headers.get('location')!;
    expect(new URL(back).searchParams.get('error')).toBe('invalid_request');
    await page.goto(back);
    expect(await page.getByRole('alert').filter({ hasText: '登录被拒绝' }).textContent()).toContain(`audience must be ${AUDIENCE}`);
    expect(page.url()).toBe(`${site.url}/`);
    expect(o.problems).toEqual([]);
  });
});
