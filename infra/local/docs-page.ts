// The API reference at /docs of the local runtime: Swagger UI (swagger-ui-dist, from the npm registry)
// served from node_modules under /docs/assets/ (no CDN: it works offline), reading the document the
// supervision function serves at GET /v1/openapi.json.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const distDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The files of swagger-ui-dist the page loads (nothing else of the package is served). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** The page's own start script (a file, not inline: the page can run under a CSP without 'unsafe-inline'). */
const INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    displayOperationId: false,
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
    filter: true,
    tryItOutEnabled: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'BaseLayout'
  });
});
`;

export function docsPage(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>HPF Cloud API 接口文档</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="/docs/assets/favicon-16x16.png" sizes="16x16">
</head>
<body>
<noscript>The reference needs JavaScript; the document itself: <a href="/v1/openapi.json">/v1/openapi.json</a></noscript>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>
`;
}

/** Answers GET /docs and /docs/assets/*; false for any other path (the caller routes it on). */
export async function serveDocs(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  if (path !== '/docs' && path !== '/docs/' && !path.startsWith('/docs/assets/')) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('method not allowed');
    return true;
  }
  const send = (status: number, type: string, body: string | Buffer, cache: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': cache, 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (path === '/docs' || path === '/docs/') {
    send(200, 'text/html; charset=utf-8', docsPage(), 'no-cache');
    return true;
  }
  const name = path.slice('/docs/assets/'.length);
  if (name === 'init.js') {
    send(200, 'text/javascript; charset=utf-8', INIT, 'no-cache');
    return true;
  }
  const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!type) {
    send(404, 'text/plain; charset=utf-8', 'not found', 'no-cache');
    return true;
  }
  send(200, type, await readFile(join(distDir, name)), 'public, max-age=3600');
  return true;
}
