// The local runtime serves the console at / (strict CSP, gzip, index.html for the app's pages) and
// mints development tokens at POST /_local/token; the API's own 404s stay problem documents.
import { describe, expect, it } from 'vitest';
import { baseUrl, call } from '../support/http.ts';

describe('console serving (local runtime)', () => {
  it('serves the app with a strict CSP, index.html for pages, and 404 problems for everything else', async () => {
    for (const path of ['/', '/queue/anything']) {
      const page = await fetch(`${baseUrl()}${path}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      const html = await page.text();
      expect(html).toContain('<html lang="zh-CN">');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    }
    const js = await fetch(`${baseUrl()}/app.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await js.text()).length).toBeGreaterThan(10_000); // fetch decodes the gzip body
    const raw = await fetch(`${baseUrl()}/app.css`);
    expect(raw.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const cfg = await (await fetch(`${baseUrl()}/config.json`)).json();
    expect(cfg).toEqual({ mode: 'local', apiBase: '' });
    // not a page: the gateway's problem document, as before
    const api = await call('GET', '/');
    expect(api.status).toBe(404);
    expect(api.body.code).toBe('NOT_FOUND');
    expect((await call('GET', '/nothing.js')).status).toBe(404);
  });

  it('POST /_local/token mints a token the API accepts, for a known role only', async () => {
    const minted = await fetch(`${baseUrl()}/_local/token`, { method: 'POST', body: JSON.stringify({ role: 'auditor' }) });
    expect(minted.status).toBe(200);
    const { token } = (await minted.json()) as { token: string };
    expect((await call('GET', '/v1/supervision/findings?limit=1', { token })).status).toBe(200);
    for (const body of ['{"role":"root"}', '[]', '{"role":"member","accountNo":"<script>"}', 'nope']) {
      const r = await fetch(`${baseUrl()}/_local/token`, { method: 'POST', body });
      expect(r.status, body).toBe(400);
    }
    expect((await fetch(`${baseUrl()}/_local/token`)).status).toBe(404);
  });
});
