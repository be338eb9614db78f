// The console (web/) served by the local runtime at `/`: built in memory with the project's esbuild on
// the first request and cached; index.html for any other non-API path asked for as a page (Accept:
// text/html), so the API's own 404s stay problem documents. A strict Content-Security-Policy: nothing
// inline, everything from this origin. Also the development sign-in's token route, POST /_local/token
// (local runtime only, as every /_local route): { role, accountNo?, unitId?, branch? } → { token }; and
// POST /_local/oidc-issuers { issuer, jwksUri } (DELETE { issuer }): the gateway also trusts the tokens
// of an OpenID Connect issuer on this machine (a test's), so the console's real sign-in can be driven.
// `createConsole({ config })` serves another config.json (an OIDC issuer: its origin joins connect-src).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { mintToken, trustIssuer } from './jwt.ts';
import { buildWeb, type WebAsset } from '../../web/build.ts';

/** The console's CSP; with an OIDC issuer, the console may also fetch its discovery document and token endpoint. */
export const consoleCsp = (issuer?: string) =>
  `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'${issuer ? ` ${new URL(issuer).origin}` : ''}; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`;
export const CONSOLE_CSP = consoleCsp();

const securityHeaders = (csp: string) => ({
  'content-security-policy': csp,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
});

const ROLES = ['member', 'unit', 'staff', 'auditor', 'admin'];
const CLAIM = /^[\w*-]{1,64}$/;

interface Served extends WebAsset {
  gzip: Buffer;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 10_000) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

export function createConsole(opts: { config?: Record<string, unknown> } = {}) {
  const SECURITY_HEADERS = securityHeaders(consoleCsp(typeof opts.config?.issuer === 'string' ? opts.config.issuer : undefined));
  let assets: Promise<Map<string, Served>> | undefined;
  const load = () =>
    (assets ??= buildWeb().then((m) => {
      const out = new Map<string, Served>();
      for (const [k, a] of m) out.set(k, { ...a, gzip: gzipSync(a.body, { level: 9 }) });
      const config = Buffer.from(JSON.stringify(opts.config ?? { mode: 'local', apiBase: '' }));
      out.set('/config.json', { body: config, gzip: gzipSync(config), contentType: 'application/json' });
      return out;
    })).catch((e) => {
      assets = undefined;
      throw e;
    });

  const send = (req: IncomingMessage, res: ServerResponse, a: Served, cache: string) => {
    const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gz ? a.gzip : a.body;
    res.writeHead(200, {
      'content-type': a.contentType,
      'content-length': body.length,
      'cache-control': cache,
      vary: 'accept-encoding',
      ...(gz ? { 'content-encoding': 'gzip' } : {}),
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  /** Answers the request and returns true when it is the console's; false lets the gateway go on. */
  return async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (path === '/_local/token') {
      if (req.method !== 'POST') return false;
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(body));
      };
      let b: any;
      try {
        b = await readJson(req);
      } catch {
        answer(400, { error: 'body must be JSON { role, accountNo?, unitId?, branch? }' });
        return true;
      }
      if (!b || typeof b !== 'object' || Array.isArray(b) || !ROLES.includes(b.role)) {
        answer(400, { error: `role must be one of ${ROLES.join(', ')}` });
        return true;
      }
      for (const k of ['accountNo', 'unitId', 'branch'])
        if (b[k] !== undefined && (typeof b[k] !== 'string' || !CLAIM.test(b[k]))) {
          answer(400, { error: `${k} must be a short identifier` });
          return true;
        }
      const branch = b.branch ?? (b.role === 'staff' ? '*' : undefined);
      const token = await mintToken({ sub: `${b.role}-${b.accountNo ?? b.unitId ?? branch ?? 'console'}`, role: b.role, accountNo: b.accountNo, unitId: b.unitId, branch }, { ttlSeconds: 8 * 3600 });
      answer(200, { token });
      return true;
    }
    if (path === '/_local/oidc-issuers') {
      if (req.method !== 'POST' && req.method !== 'DELETE') return false;
      const answer = (status: number, body?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      let b: any;
      try {
        b = await readJson(req);
      } catch {
        b = undefined;
      }
      const url = (v: unknown) => typeof v === 'string' && v.length <= 300 && URL.canParse(v);
      if (!b || typeof b !== 'object' || !url(b.issuer) || (req.method === 'POST' && !url(b.jwksUri))) {
        answer(400, { error: 'body must be JSON { issuer, jwksUri } (DELETE: { issuer }), both URLs' });
        return true;
      }
      try {
        trustIssuer(b.issuer, req.method === 'POST' ? b.jwksUri : undefined);
      } catch (e) {
        answer(400, { error: (e as Error).message });
        return true;
      }
      answer(204);
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path.startsWith('/v1/') || path.startsWith('/_local/') || path === '/docs' || path.startsWith('/docs/')) return false;
    const files = await load();
    const file = files.get(path);
    if (file && path !== '/index.html') {
      send(req, res, file, path === '/config.json' ? 'no-cache' : 'no-cache');
      return true;
    }
    // a page of the single-page app: only when a browser asks for a page
    if (!String(req.headers.accept ?? '').includes('text/html')) return false;
    if (path.includes('..') || path.length > 200) return false;
    send(req, res, files.get('/index.html')!, 'no-cache');
    return true;
  };
}
