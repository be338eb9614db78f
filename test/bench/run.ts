// `npm run bench`: every benchmark under test/bench, one table. Ratios are measured within one run
// (these machines are shared and noisy: absolute times drift, ratios much less).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { printTable, type BenchRow } from './types.ts';

process.env.LOG_LEVEL ??= 'silent';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const all: BenchRow[] = [];
for (const file of readdirSync(here).filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only))).sort()) {
  const mod = await import(pathToFileURL(join(here, file)).href);
  const run = Object.entries(mod).find(([k, v]) => /^run\w*Bench$/.test(k) && typeof v === 'function')?.[1] as (() => Promise<BenchRow[]>) | undefined;
  if (!run) continue;
  console.error(`running ${file} …`);
  const rows = await run();
  all.push(...rows.map((r) => ({ ...r, name: `${file.replace('.bench.ts', '')}: ${r.name}` })));
}
printTable(`HPF Cloud benchmarks (${new Date().toISOString()}, ${process.version})`, all);
const missed = all.filter((r) => r.met === false);
console.log(missed.length ? `\n${missed.length} target(s) not met` : '\nall targets met');
process.exit(0);
