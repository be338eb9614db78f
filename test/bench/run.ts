// `npm run bench`: every benchmark under test/bench, one table. Ratios are measured within one run
// (these machines are shared and noisy: absolute times drift, ratios much less). Each benchmark
// file runs in its own process (a runtime per process: the AWS clients bind their endpoints at load).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { printTable, type BenchRow } from './types.ts';

process.env.LOG_LEVEL ??= 'silent';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const here = dirname(fileURLToPath(import.meta.url));
const MARK = '@@BENCH_ROWS@@';

if (process.argv[2] === '--one') {
  const mod = await import(pathToFileURL(join(here, process.argv[3])).href);
  const run = Object.entries(mod).find(([k, v]) => /^run\w*Bench$/.test(k) && typeof v === 'function')?.[1] as (() => Promise<BenchRow[]>) | undefined;
  const rows = run ? await run() : [];
  console.log(MARK + JSON.stringify(rows));
  process.exit(0);
}

const only = process.argv[2];
const all: BenchRow[] = [];
// run only when named: the city at full size (about 46 minutes here) and the refactor's comparison with an older tree
const ON_REQUEST = new Set(['city.bench.ts', 'refactor.bench.ts']);
for (const file of readdirSync(here).filter((f) => f.endsWith('.bench.ts') && (only ? f.includes(only) : !ON_REQUEST.has(f))).sort()) {
  console.error(`running ${file} …`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: process.env, maxBuffer: 64 * 1024 * 1024 });
  const line = child.stdout.split('\n').find((l) => l.startsWith(MARK));
  if (!line) {
    all.push({ name: `${file}: failed to run (exit ${child.status})`, value: '—', target: '—', met: false });
    continue;
  }
  const rows = JSON.parse(line.slice(MARK.length)) as BenchRow[];
  all.push(...rows.map((r) => ({ ...r, name: `${file.replace('.bench.ts', '')}: ${r.name}` })));
}
printTable(`HPF Cloud benchmarks (${new Date().toISOString()}, node ${process.version}, ${(await import('node:os')).cpus().length} cores)`, all);
const missed = all.filter((r) => r.met === false);
console.log(missed.length ? `\n${missed.length} target(s) not met` : '\nall targets met');
