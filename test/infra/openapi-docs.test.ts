// The local runtime serves the API reference at /docs with Swagger UI from swagger-ui-dist: the page
// loads its assets from /docs/assets/ (nothing from a CDN) and reads GET /v1/openapi.json.
import { describe, it, expect } from 'vitest';
import { baseUrl } from '../support/http.ts';

describe('/docs', () => {
  it('answers an HTML page whose scripts and styles are all local assets that answer 200', async () => {
    const res = await fetch(`${baseUrl()}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<div id="swagger-ui">');
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs).toEqual(expect.arrayContaining(['/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css', '/docs/assets/init.js']));
    // offline: no asset from another origin
    expect(refs.filter((u) => /^(https?:)?\/\//.test(u))).toEqual([]);
    for (const ref of refs.filter((u) => u.startsWith('/docs/assets/'))) {
      const asset = await fetch(`${baseUrl()}${ref}`);
      expect(asset.status, ref).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(0);
    }
    const bundle = await fetch(`${baseUrl()}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(await bundle.text()).toContain('SwaggerUIBundle');
    // the page's start script reads the served document
    expect(await (await fetch(`${baseUrl()}/docs/assets/init.js`)).text()).toContain("url: '/v1/openapi.json'");
  });

  it('serves nothing else of the package and refuses writes', async () => {
    expect((await fetch(`${baseUrl()}/docs/assets/package.json`)).status).toBe(404);
    expect((await fetch(`${baseUrl()}/docs/assets/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${baseUrl()}/docs`, { method: 'POST' })).status).toBe(405);
  });
});
