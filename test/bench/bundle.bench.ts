// Bundle size and module init time per function of the topology, bundled exactly as the CDK
// construct does it (infra/aws/hpf-function.ts: NodejsFunction with minify, linked source map without
// the sources, ESM, platform node, target node22, main fields module/main, the createRequire banner,
// the package aliases (BUNDLE_ALIASES), and @aws-sdk/* external — CDK's default for Node 22, the SDK
// coming from the Lambda runtime).
//
// Init time: a fresh `node` process imports the bundle and measures `await import(file)` with
// performance.now() (the module-scope work a cold start pays before the first event), ROUNDS times
// per bundle, interleaved across bundles. The reference is a bare handler (middy + DynamoDB document
// client + SQS client at module scope) bundled the same way, measured in a fresh process right
// before each function's: the ratio of each such pair is taken, and the target is on the median of
// those paired ratios (adjacent processes see the same machine load, so the drift of a shared
// machine cancels out). The process's CPU time during the import (user + system, all threads) gives
// a second, paired ratio beside it. The child gets the function's Lambda
// environment (NODE_OPTIONS=--enable-source-maps, table and queue variables with dummy values, the
// variables by which Powertools knows it runs in Lambda).
// Bundles are written under .local/bench-bundles/ so that the external @aws-sdk/* packages
// resolve from the repository's node_modules, as they do from the runtime's on Lambda.
// Beside each bundle, what CDK's afterBundling puts there (afterBundlingCommands, run the same way):
// the topology's `files` and its `chunks` (modules imported at run time, e.g. the certificate PDF
// renderer); a chunk's size is reported on its own line, and the init time stays that of index.mjs.
//
// Run: npx tsx test/bench/bundle.bench.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterBundlingCommands, BUNDLE_ALIASES, BUNDLE_EXTERNALS, BUNDLE_MAIN_FIELDS, BUNDLE_TARGET, ESM_REQUIRE_BANNER, repoRoot } from '../../infra/aws/hpf-function.ts';
import { functions, queueEnvVar, queues, tableEnvVar, tables, type FunctionDef } from '../../infra/topology.ts';
import { printTable, type BenchRow } from './types.ts';

export type { BenchRow };

const ROUNDS = 21;
const TARGET_KB = 500;
const TARGET_INIT_RATIO = 1.3;
const OUT_DIR = join(repoRoot, '.local', 'bench-bundles');
const BASELINE = 'baseline';

const BASELINE_SOURCE = `// The bare handler: what every function pays at least.
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});
export const handler = middy().handler(async () => ({ ddb: typeof ddb.send, sqs: typeof sqs.send }));
`;

// For information: the bare handler plus the observability every function carries (Powertools
// Logger, Metrics and Tracer, the clients traced), to show which share of a function's init is
// the tooling and which is the function's own code.
const OBSERVED = 'observed';
const OBSERVED_SOURCE = `// The bare handler with Powertools Logger, Metrics and Tracer.
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
const logger = new Logger();
const tracer = new Tracer();
const metrics = () => new Metrics({ namespace: 'HPF' });
const ddb = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));
const sqs = tracer.captureAWSv3Client(new SQSClient({}));
export const handler = middy()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .handler(async () => ({ ddb: typeof ddb.send, sqs: typeof sqs.send, logger: typeof logger.info, metrics: typeof metrics }));
`;

// runs in the fresh process: argv = [node, script, bundle file URL, exported handler names (comma-separated)]
export const MEASURE_SOURCE = `const t0 = performance.now();
const c0 = process.cpuUsage();
const mod = await import(process.argv[2]);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
for (const h of process.argv[3].split(',')) if (typeof mod[h] !== 'function') throw new Error('the bundle does not export ' + h);
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000 }));
`;

interface Bundle {
  /** Source entry relative to the repo root (functions sharing an entry share the bundle). */
  entry: string;
  /** Exported handlers of the functions using it (checked after the import). */
  handlers: string[];
  file: string;
  sizeBytes: number;
  env: Record<string, string>;
  /** Per fresh process: wall time of the import, and the process's CPU time (user + system) during it. */
  init: { ms: number; cpuMs: number }[];
  /** The bare handler's, measured right before each of `init`. */
  bare: { ms: number; cpuMs: number }[];
}

/** The function's Lambda environment (hpf-function.ts), with dummy resource names. */
export function lambdaEnv(def?: Pick<FunctionDef, 'name' | 'handler'>): Record<string, string> {
  const env: Record<string, string> = {
    NODE_OPTIONS: '--enable-source-maps',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: 'cn-north-1',
    HPF_CENTER_CODE: '330100',
    POWERTOOLS_SERVICE_NAME: def?.name ?? BASELINE,
    LOG_LEVEL: 'silent',
    // what Lambda sets in an execution environment with active tracing: Powertools sees Lambda, so
    // the Tracer is enabled at init as in the cloud (it patches http, https and fetch)
    AWS_LAMBDA_FUNCTION_NAME: def?.name ?? BASELINE,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    _HANDLER: `index.${def?.handler ?? 'handler'}`,
  };
  for (const t of tables) env[tableEnvVar(t.name)] = `bench-${t.name}`;
  for (const q of queues) env[queueEnvVar(q.name)] = `https://sqs.cn-north-1.amazonaws.com.cn/000000000000/bench-${q.name}`;
  return env;
}

/** esbuild as CDK runs it for a function (hpf-function.ts), from `absWorkingDir`; the bundle's size. */
export async function buildLikeCdk(absWorkingDir: string, entryPath: string, outfile: string): Promise<number> {
  await build({
    absWorkingDir,
    entryPoints: [entryPath],
    bundle: true,
    outfile,
    target: BUNDLE_TARGET,
    platform: 'node',
    format: 'esm',
    minify: true,
    sourcemap: true, // CDK's `--sourcemap` (sourceMap: true, default mode): a linked .map file
    sourcesContent: false, // CDK's `--sources-content=false`
    external: [...BUNDLE_EXTERNALS],
    banner: { js: ESM_REQUIRE_BANNER },
    mainFields: [...BUNDLE_MAIN_FIELDS],
    alias: { ...BUNDLE_ALIASES },
    logLevel: 'error',
  });
  return statSync(outfile).size;
}

async function bundle(entryPath: string, name: string): Promise<{ file: string; sizeBytes: number }> {
  const outfile = join(OUT_DIR, name, 'index.mjs');
  return { file: outfile, sizeBytes: await buildLikeCdk(repoRoot, entryPath, outfile) };
}

/** A fresh `node` (`measureScript`: MEASURE_SOURCE) imports `file` in the environment `env`, from `cwd`: the import's wall and CPU time. */
export function importTimed(measureScript: string, file: string, handlers: readonly string[], env: Record<string, string>, cwd: string): { ms: number; cpuMs: number } {
  const child = spawnSync(process.execPath, [measureScript, pathToFileURL(file).href, handlers.join(',')], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  if (child.status !== 0) throw new Error(`importing ${file} failed (exit ${child.status}):\n${child.stderr}`);
  return JSON.parse(child.stdout) as { ms: number; cpuMs: number };
}

const importOnce = (measureScript: string, b: Bundle) => importTimed(measureScript, b.file, b.handlers, b.env, OUT_DIR);

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kb = (bytes: number) => bytes / 1024;

export async function runBundleBench(): Promise<BenchRow[]> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const measureScript = join(OUT_DIR, 'measure.mjs');
  writeFileSync(measureScript, MEASURE_SOURCE);
  const baselineEntry = join(OUT_DIR, 'baseline-src', 'handler.mjs');
  mkdirSync(join(OUT_DIR, 'baseline-src'), { recursive: true });
  writeFileSync(baselineEntry, BASELINE_SOURCE);

  // one bundle per entry file: CDK bundles the same entry identically for every function using it
  const byEntry = new Map<string, Bundle>();
  /** Per chunk file name: its entry, the functions it ships beside, its size beside each. */
  const chunkSizes = new Map<string, { entry: string; functions: string[]; sizes: number[] }>();
  for (const def of functions) {
    const known = byEntry.get(def.entry);
    if (known) {
      known.handlers.push(def.handler);
      continue;
    }
    const built = await bundle(join(repoRoot, def.entry), def.entry.replace(/^functions\//, '').replace(/\.ts$/, '').replace(/\//g, '-'));
    // the files and chunks beside index.mjs, by the commands CDK runs after bundling (bash, from the repository root)
    for (const cmd of afterBundlingCommands(def, repoRoot.replace(/\/$/, ''), dirname(built.file))) execFileSync('bash', ['-c', cmd], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    for (const c of def.chunks ?? []) {
      const chunk = chunkSizes.get(c.out) ?? { entry: c.entry, functions: [], sizes: [] };
      chunk.functions.push(def.name);
      chunk.sizes.push(statSync(join(dirname(built.file), c.out)).size);
      chunkSizes.set(c.out, chunk);
    }
    byEntry.set(def.entry, { entry: def.entry, handlers: [def.handler], ...built, env: lambdaEnv(def), init: [], bare: [] });
  }
  const base: Bundle = { entry: BASELINE, handlers: ['handler'], ...(await bundle(baselineEntry, BASELINE)), env: lambdaEnv(), init: [], bare: [] };
  const observedEntry = join(OUT_DIR, 'baseline-src', 'observed.mjs');
  writeFileSync(observedEntry, OBSERVED_SOURCE);
  const observed: Bundle = { entry: OBSERVED, handlers: ['handler'], ...(await bundle(observedEntry, OBSERVED)), env: lambdaEnv(), init: [], bare: [] };
  const all = [base, observed, ...byEntry.values()];

  importOnce(measureScript, base); // warm the file system cache once before measuring
  for (let round = 0; round < ROUNDS; round++) {
    for (const b of [observed, ...byEntry.values()]) {
      b.bare.push(importOnce(measureScript, base));
      b.init.push(importOnce(measureScript, b));
    }
  }

  /** Medians of the wall and CPU times, and of the paired ratios to the bare handler. */
  const stats = (b: Bundle) => ({
    ms: median(b.init.map((x) => x.ms)),
    cpuMs: median(b.init.map((x) => x.cpuMs)),
    ratio: median(b.init.map((x, i) => x.ms / b.bare[i].ms)),
    cpuRatio: median(b.init.map((x, i) => x.cpuMs / b.bare[i].cpuMs)),
  });
  const allBare = [...byEntry.values(), observed].flatMap((b) => b.bare);
  const bare = { ms: median(allBare.map((x) => x.ms)), cpuMs: median(allBare.map((x) => x.cpuMs)) };
  const obs = stats(observed);
  const rows: BenchRow[] = [
    {
      name: `bare handler (middy + DynamoDB doc client + SQS client): size / init p50 (wall, CPU) of ${allBare.length} processes`,
      value: `${kb(base.sizeBytes).toFixed(1)} KB / ${bare.ms.toFixed(1)} ms, CPU ${bare.cpuMs.toFixed(1)} ms`,
      target: 'reference',
      met: null,
    },
    {
      name: 'bare handler + Powertools Logger, Metrics, Tracer (traced clients): size / init p50 / paired ratio to bare',
      value: `${kb(observed.sizeBytes).toFixed(1)} KB / ${obs.ms.toFixed(1)} ms / ${obs.ratio.toFixed(2)}× (CPU ${obs.cpuRatio.toFixed(2)}×)`,
      target: 'information',
      met: null,
    },
  ];
  for (const def of functions) {
    const b = byEntry.get(def.entry)!;
    const init = stats(b);
    rows.push(
      { name: `${def.name} (${def.entry}#${def.handler}): minified bundle`, value: `${kb(b.sizeBytes).toFixed(1)} KB`, target: `≤ ${TARGET_KB} KB`, met: kb(b.sizeBytes) <= TARGET_KB },
      {
        name: `${def.name}: init p50 / paired ratio to bare (for information: CPU-time ratio; ratio to bare + Powertools)`,
        value: `${init.ms.toFixed(1)} ms / ${init.ratio.toFixed(2)}× (CPU ${init.cpuRatio.toFixed(2)}×; ${(init.ms / obs.ms).toFixed(2)}×)`,
        target: `≤ ${TARGET_INIT_RATIO}×`,
        met: init.ratio <= TARGET_INIT_RATIO,
      },
    );
  }
  for (const [out, c] of chunkSizes) {
    const sizes = [...new Set(c.sizes.map((b) => `${kb(b).toFixed(1)} KB`))].join(' / ');
    rows.push({ name: `chunk ${out} (${c.entry}; beside ${c.functions.join(', ')}; imported on first use, not at init): minified`, value: sizes, target: 'information', met: null });
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printTable('Bundle benchmark', await runBundleBench());
  process.exit(0);
}
