// A change that should cost nothing, measured against the tree before it (issue 19: one shape for
// every domain, the kernel's helpers, the HTTP stack as composed middlewares, the hash chain): the
// base revision is checked out beside this one (a detached git worktree under .local/, sharing this
// repository's node_modules) and both are measured in this one run, interleaved, so that the
// machine's load falls on both alike. Target: nothing more than 5 % above the base's (sizes within ±5 %).
//   - bundle size per function (minified, as CDK builds it: bundle.bench.ts's buildLikeCdk, for
//     both trees), the ratio this / base per function;
//   - module init per function: a fresh `node` imports this tree's bundle and, right after, the
//     base's (ROUNDS pairs, order alternating); the median of the paired ratios of the CPU time the
//     import took (user + system: the work itself, which a loaded machine's wait time does not
//     inflate as it does the wall time, printed beside it);
//   - withdrawal latency through the whole stack: withdrawal.bench.ts's p50 ratio (the gateway's
//     POST /v1/withdrawals over the same write's raw DynamoDB calls on the same DynamoDB Local, so
//     the store's own speed cancels) run in each tree, LATENCY_RUNS times each, alternating; the
//     ratio of the medians.
//
// Base: BENCH_BASE (any revision), else the parent of the first commit whose message names issue 19.
// Run: npm run bench -- refactor
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../infra/aws/hpf-function.ts';
import { functions } from '../../infra/topology.ts';
import { buildLikeCdk, importTimed, lambdaEnv, MEASURE_SOURCE } from './bundle.bench.ts';
import { printTable, type BenchRow } from './types.ts';

export type { BenchRow };

const ROUNDS = 15;
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 5);
const TOLERANCE = 0.05;
const OUT_DIR = join(repoRoot, '.local', 'bench-refactor');
const MARK = '@@BENCH_ROWS@@';

const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();

function baseRevision(): string {
  if (process.env.BENCH_BASE) return git('rev-parse', process.env.BENCH_BASE);
  const first = git('log', '--reverse', '--format=%H', '--grep=issue 19').split('\n')[0];
  if (!first) throw new Error('no commit names issue 19: set BENCH_BASE');
  return git('rev-parse', `${first}^`);
}

/** The base revision's tree, checked out once (reused while it is the same revision). */
function baseTree(rev: string): string {
  const dir = join(repoRoot, '.local', `bench-base-${rev.slice(0, 12)}`);
  if (!existsSync(join(dir, 'package.json'))) {
    spawnSync('git', ['worktree', 'prune'], { cwd: repoRoot });
    execFileSync('git', ['worktree', 'add', '--detach', '--force', dir, rev], { cwd: repoRoot, stdio: 'ignore' });
  }
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  // DynamoDB Local's jar and launcher live under .local/ (postinstall): shared, not downloaded again
  mkdirSync(join(dir, '.local'), { recursive: true });
  for (const d of ['dynamodb']) if (existsSync(join(repoRoot, '.local', d)) && !existsSync(join(dir, '.local', d))) symlinkSync(join(repoRoot, '.local', d), join(dir, '.local', d));
  return dir;
}


const importMs = (script: string, file: string, handlers: string[], env: Record<string, string>) => importTimed(script, file, handlers, env, OUT_DIR);

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const within = (r: number) => Math.abs(r - 1) <= TOLERANCE;
const range = (rs: readonly number[]) => `${Math.min(...rs).toFixed(3)}–${Math.max(...rs).toFixed(3)}×`;

/** withdrawal.bench.ts's p50 ratio (stack over raw) in `root`'s tree, run by that tree's own bench runner. */
function withdrawalP50Ratio(root: string): number {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/bench/run.ts'), '--one', 'withdrawal.bench.ts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'silent' }, maxBuffer: 64 * 1024 * 1024 });
  const line = child.stdout.split('\n').find((l) => l.startsWith(MARK));
  if (!line) throw new Error(`the withdrawal bench of ${root} did not run (exit ${child.status})`);
  const rows = JSON.parse(line.slice(MARK.length)) as BenchRow[];
  const row = rows.find((r) => /^withdrawal/.test(r.name) && /p50 ratio/.test(r.name));
  const ratio = row && Number(/([\d.]+)×/.exec(row.value)?.[1]);
  if (!ratio) throw new Error(`no withdrawal p50 ratio in ${JSON.stringify(rows)}`);
  return ratio;
}

export async function runRefactorBench(): Promise<BenchRow[]> {
  const rev = baseRevision();
  const base = baseTree(rev);
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const script = join(OUT_DIR, 'measure.mjs');
  writeFileSync(script, MEASURE_SOURCE);
  const baseFunctions = new Map(((await import(pathToFileURL(join(base, 'infra/topology.ts')).href)).functions as typeof functions).map((f) => [f.name, f]));

  // one bundle per function present in both trees (an entry shared by functions: built once per tree)
  interface Pair { name: string; handlers: string[]; env: Record<string, string>; head: { file: string; size: number }; base: { file: string; size: number }; ratios: number[]; cpuRatios: number[] }
  const pairs = new Map<string, Pair>();
  for (const f of functions) {
    const b = baseFunctions.get(f.name);
    if (!b) continue;
    const key = `${f.entry}|${b.entry}`;
    const known = pairs.get(key);
    if (known) {
      known.handlers.push(f.handler);
      continue;
    }
    const dir = join(OUT_DIR, f.name);
    const head = { file: join(dir, 'head', 'index.mjs'), size: 0 };
    const was = { file: join(dir, 'base', 'index.mjs'), size: 0 };
    head.size = await buildLikeCdk(repoRoot, join(repoRoot, f.entry), head.file);
    was.size = await buildLikeCdk(base, join(base, b.entry), was.file);
    pairs.set(key, { name: f.name, handlers: [f.handler], env: lambdaEnv(f), head, base: was, ratios: [], cpuRatios: [] });
  }
  const all = [...pairs.values()];
  importMs(script, all[0].head.file, all[0].handlers, all[0].env); // the file system cache warm before measuring
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of all) {
      const headFirst = round % 2 === 0;
      const first = importMs(script, headFirst ? p.head.file : p.base.file, p.handlers, p.env);
      const second = importMs(script, headFirst ? p.base.file : p.head.file, p.handlers, p.env);
      const [head, was] = headFirst ? [first, second] : [second, first];
      p.ratios.push(head.ms / was.ms);
      p.cpuRatios.push(head.cpuMs / was.cpuMs);
    }
  }
  const sizeRatios = all.map((p) => p.head.size / p.base.size);
  const initRatios = all.map((p) => median(p.ratios));
  const cpuRatios = all.map((p) => median(p.cpuRatios));
  const highest = (rs: number[]) => all.map((p, i) => ({ name: p.name, r: rs[i] })).sort((a, b) => b.r - a.r)[0];
  const worstCpu = highest(cpuRatios);
  const worstInit = highest(initRatios);

  const latency = { head: [] as number[], base: [] as number[] };
  for (let run = 0; run < LATENCY_RUNS; run++) {
    if (run % 2 === 0) {
      latency.head.push(withdrawalP50Ratio(repoRoot));
      latency.base.push(withdrawalP50Ratio(base));
    } else {
      latency.base.push(withdrawalP50Ratio(base));
      latency.head.push(withdrawalP50Ratio(repoRoot));
    }
  }
  const latencyRatio = median(latency.head) / median(latency.base);
  const against = `against ${rev.slice(0, 7)} (${git('log', '-1', '--format=%ad', '--date=short', rev)})`;
  return [
    { name: `bundle size per function, this tree / base ${against}, ${all.length} bundles`, value: range(sizeRatios), target: `within ±${TOLERANCE * 100}%`, met: sizeRatios.every(within) },
    { name: `module init per function, CPU time, this tree / base (median of ${ROUNDS} paired imports each)`, value: `${range(cpuRatios)} (highest: ${worstCpu.name} ${worstCpu.r.toFixed(3)}×)`, target: `≤ ${1 + TOLERANCE}×`, met: cpuRatios.every((r) => r <= 1 + TOLERANCE) },
    { name: `module init per function, wall time, this tree / base (the same pairs; the machine's load on ${loadavg()[0].toFixed(1)} of ${cpus().length} cores)`, value: `${range(initRatios)} (highest: ${worstInit.name} ${worstInit.r.toFixed(3)}×)`, target: 'information', met: null },
    { name: `withdrawal through the stack, p50 over its raw calls: this tree / base (medians of ${LATENCY_RUNS} runs each: ${median(latency.head).toFixed(2)}× [${latency.head.map((r) => r.toFixed(2)).join(', ')}] / ${median(latency.base).toFixed(2)}× [${latency.base.map((r) => r.toFixed(2)).join(', ')}])`, value: `${latencyRatio.toFixed(3)}×`, target: `≤ ${1 + TOLERANCE}×`, met: latencyRatio <= 1 + TOLERANCE },
  ];
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) printTable('refactor vs base', await runRefactorBench());
