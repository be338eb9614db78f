// Builds the console with the project's esbuild: web/src/main.ts → app.js + app.css (uPlot's CSS
// included), plus index.html. `npm run build:web` writes web/dist/; the local runtime's console server
// builds the same in memory on its first request (infra/local/console.ts), so a fresh clone needs no step.
import { build } from 'esbuild';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export interface WebAsset {
  body: Buffer;
  contentType: string;
}

export async function buildWeb(): Promise<Map<string, WebAsset>> {
  const out = await build({
    entryPoints: { app: join(here, 'src', 'main.ts') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    outdir: join(here, 'dist'),
    legalComments: 'none',
    logLevel: 'silent',
  });
  const assets = new Map<string, WebAsset>();
  for (const f of out.outputFiles) {
    const name = '/' + f.path.slice(join(here, 'dist').length + 1);
    assets.set(name, { body: Buffer.from(f.contents), contentType: name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8' });
  }
  assets.set('/index.html', { body: readFileSync(join(here, 'index.html')), contentType: 'text/html; charset=utf-8' });
  return assets;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const assets = await buildWeb();
  const dist = join(here, 'dist');
  mkdirSync(dist, { recursive: true });
  for (const [name, a] of assets) writeFileSync(join(dist, name), a.body);
  console.log(`web/dist: ${[...assets].map(([n, a]) => `${n} ${a.body.length} B`).join(', ')}`);
}
