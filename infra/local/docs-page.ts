// A readable page of the OpenAPI document, served by the local runtime at /docs (no CDN: offline).
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function docsPage(doc: { info: { title: string; description: string }; paths: Record<string, Record<string, any>> }): string {
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  const byTag = new Map<string, typeof ops>();
  for (const o of ops) byTag.set(o.op.tags?.[0] ?? 'other', [...(byTag.get(o.op.tags?.[0] ?? 'other') ?? []), o]);
  const section = ([tag, list]: [string, typeof ops]) => `
    <h2>${esc(tag)}</h2>
    ${list
      .map(
        ({ path, method, op }) => `<details><summary><code class="m ${method}">${method.toUpperCase()}</code> <code>${esc(path)}</code> — ${esc(op.summary ?? '')}
        ${op.security?.length ? `<span class="auth">${esc(Object.keys(op.security[0]).join(', '))}</span>` : '<span class="auth">public</span>'}</summary>
        ${op.parameters ? `<h4>Parameters</h4><pre>${esc(JSON.stringify(op.parameters, null, 2))}</pre>` : ''}
        ${op.requestBody ? `<h4>Body</h4><pre>${esc(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2))}</pre>` : ''}
        </details>`,
      )
      .join('\n')}`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
details{border:1px solid #ddd;border-radius:6px;margin:.4em 0;padding:.4em .8em}summary{cursor:pointer}
pre{background:#f6f8fa;padding:.6em;overflow:auto;font-size:13px}.m{display:inline-block;width:4.5em;font-weight:bold}
.get{color:#0a7}.post{color:#06c}.put,.patch{color:#a60}.delete{color:#c22}.auth{float:right;color:#888;font-size:12px}</style></head>
<body><h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description)}</p><p><a href="/v1/openapi.json">openapi.json</a></p>
${[...byTag.entries()].map(section).join('\n')}</body></html>`;
}
