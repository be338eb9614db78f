// The embedded local runtime: DynamoDB Local, the SQS server with pollers, the HTTP gateway and the
// scheduler, all from infra/topology.ts, running the same handlers as the cloud. One per process
// (handlers find their resources through process.env, as in Lambda). Each function runs with only
// its topology grants (./grant-guard.ts): a table, queue or bucket it is not granted, or a write on
// a read grant, is refused as the cloud's IAM would refuse it.
import { pathToFileURL } from 'node:url';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buckets, functions, queues, schedules, tableEnvVar, queueEnvVar, type FunctionDef, type FunctionName, type ScheduleDef } from '../topology.ts';
import { bucketEnvVar } from '../../shared/config.ts';
import { startDynamoLocal, createTables, type DynamoLocal } from './dynamodb.ts';
import { startQueues, startPoller, REGION, type LocalQueues, type Poller } from './sqs.ts';
import { startGateway, type Gateway } from './gateway.ts';
import { startScheduler } from './scheduler.ts';
import { startBankSimulator, type BankSimulator } from './bank-simulator.ts';
import { mintToken } from './jwt.ts';
import { freePort } from './ports.ts';
import { serveDocs } from './docs-page.ts';
import { createConsole } from './console.ts';
import { isCalendarDate } from '../../shared/validators.ts';
import { guardClient, runAs, type RunningGrant } from './grant-guard.ts';

class UnknownSchedule extends Error {}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((ok, fail) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      data += c;
      if (data.length > 4096) req.destroy(new Error('body too large'));
    });
    req.on('end', () => ok(data));
    req.on('error', fail);
  });

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RuntimeOptions {
  port?: number;
  dynamodbPort?: number;
  sqsPort?: number;
  dataDir?: string;
  centerCode?: string;
  prefix?: string;
  /** Overrides every queue's visibility timeout (tests use 1 s to see redeliveries quickly). */
  visibilityTimeoutSeconds?: number;
  scheduler?: boolean;
  /** The bank simulator (default on): started on a free port and registered as a bank serving every branch. */
  bank?: boolean;
  pollerConcurrency?: number;
  log?: (msg: string) => void;
  /** Use this running DynamoDB Local (its endpoint) instead of starting one; the tables get `prefix`. */
  dynamodbEndpoint?: string;
  /** Tests: other grants than the topology's for these functions (to show that a missing grant fails here). */
  grantOverrides?: Partial<Record<FunctionName, Partial<Pick<FunctionDef, 'tables' | 'sendsTo' | 'inspects' | 'buckets'>>>>;
}

export interface LocalRuntime {
  url: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  /** The bank simulator, registered as a bank (undefined with `bank: false`). */
  bank?: BankSimulator;
  queues: LocalQueues;
  env: Record<string, string>;
  /** Invokes a function's exported handler directly (as Lambda would). */
  invoke(fn: FunctionName, event: unknown, context?: unknown): Promise<any>;
  /** Runs a schedule now, for business date `date` (default: today's). */
  fireSchedule(name: string, date?: string): Promise<unknown>;
  /** Waits until every queue is empty and no poller is busy. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalRuntime(opts: RuntimeOptions = {}): Promise<LocalRuntime> {
  const log = opts.log ?? (() => {});
  const prefix = opts.prefix ?? 'hpf';
  const started: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch(() => {});
    started.length = 0;
  };
  try {
    const ddb: Pick<DynamoLocal, 'endpoint'> = opts.dynamodbEndpoint
      ? { endpoint: opts.dynamodbEndpoint }
      : await startDynamoLocal({ port: opts.dynamodbPort ?? (await freePort()), dataDir: opts.dataDir }).then((d) => {
          started.push(() => d.stop());
          return d;
        });
    const tableNames = await createTables(ddb.endpoint, prefix);
    const q = await startQueues({ port: opts.sqsPort ?? (await freePort()), prefix, visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds });
    started.push(() => q.stop());

    const env: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ENDPOINT_URL_SQS: q.endpoint,
      // the same server emulates S3 (path-style): the documents bucket
      AWS_ENDPOINT_URL_S3: q.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      HPF_CENTER_CODE: opts.centerCode ?? process.env.HPF_CENTER_CODE ?? '330100',
    };
    for (const [logical, physical] of Object.entries(tableNames)) env[tableEnvVar(logical)] = physical;
    for (const [logical, url] of Object.entries(q.urls)) env[queueEnvVar(logical)] = url;
    const bucketNames: Record<string, string> = {};
    for (const b of buckets) {
      const physical = `${prefix}-${b.name}`;
      q.server.createBucket(physical);
      env[bucketEnvVar(b.name)] = physical;
      bucketNames[b.name] = physical;
    }
    Object.assign(process.env, env);

    // the shared clients (created now: they read the environment) check the running function's grant
    const shared = (file: string) => import(pathToFileURL(join(root, 'shared', file)).href);
    const [{ ddb: ddbClient }, { sqs: sqsClient }, { s3: s3Client }] = await Promise.all([shared('ddb.ts'), shared('sqs.ts'), shared('s3.ts')]);
    guardClient('dynamodb', ddbClient);
    guardClient('sqs', sqsClient);
    guardClient('s3', s3Client());
    const names = { tables: tableNames, queues: q.urls, buckets: bucketNames };
    const grants = new Map<FunctionName, RunningGrant>(
      // a refusal is always told (to `log`, else stderr): a handler may have turned it into a 500 or a warning
      functions.map((f) => [f.name, { def: { ...f, ...opts.grantOverrides?.[f.name] }, names, onRefusal: (m: string) => (opts.log ?? console.error)(m) }]),
    );

    // import the handlers only now: their clients read the environment at module scope
    const handlers = new Map<FunctionName, (event: unknown, context: unknown) => Promise<any>>();
    for (const f of functions) {
      const mod = await import(pathToFileURL(join(root, f.entry)).href);
      const h = mod[f.handler];
      if (typeof h !== 'function') throw new Error(`${f.entry} does not export ${f.handler}`);
      handlers.set(f.name, h);
    }
    const invoke = async (fn: FunctionName, event: unknown, context?: unknown) => {
      const h = handlers.get(fn);
      if (!h) throw new Error(`unknown function ${fn}`);
      return runAs(grants.get(fn)!, () => h(event, context ?? { awsRequestId: `local-${Date.now()}`, functionName: fn, getRemainingTimeInMillis: () => 60_000 }));
    };

    const pollers: Poller[] = queues.map((def) =>
      startPoller(def, q.urls[def.name], q.endpoint, (event) => invoke(def.consumer, event), {
        concurrency: Math.min(opts.pollerConcurrency ?? 2, def.maxConcurrency ?? Number.POSITIVE_INFINITY), // the queue's cap, as its event source's on AWS
        onError: (e) => log(`poller ${def.name}: ${(e as Error).message}`),
      }),
    );
    started.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });

    // as EventBridge Scheduler does: the topology's input and the scheduled time (or a chosen day)
    const fireSchedule = async (name: string, date?: string) => {
      const s = schedules.find((x) => x.name === name);
      if (!s) throw new UnknownSchedule(`unknown schedule ${name}; known: ${schedules.map((x) => x.name).join(', ')}`);
      return invoke(s.target, date ? { ...s.input, date } : { ...s.input, scheduledTime: new Date().toISOString() });
    };
    const drain = async () => {
      for (let round = 0; round < 3; round++) for (const p of pollers) await p.idle();
    };
    if (opts.scheduler !== false) {
      const sched = startScheduler(
        (s: ScheduleDef) => fireSchedule(s.name),
        (s, e) => log(`schedule ${s.name} failed: ${(e as Error).message}`),
      );
      started.push(async () => sched.stop());
    }

    let bank: BankSimulator | undefined;
    const consoleSite = createConsole(); // the console (web/) at `/` and POST /_local/token
    const control = async (req: IncomingMessage, res: ServerResponse, path: string) => {
      if (await consoleSite(req, res, path)) return true;
      // the bank simulator's control routes (a unit paid: POST /_local/bank/arrivals, …) live on its own server
      if (path.startsWith('/_local/bank/') && bank) {
        const raw = await readBody(req);
        const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : '';
        const out = await fetch(`${bank.url}${path}${query}`, { method: req.method, headers: { 'content-type': 'application/json' }, body: raw.trim() && req.method !== 'GET' ? raw : undefined });
        res.writeHead(out.status, { 'content-type': out.headers.get('content-type') ?? 'application/json' });
        res.end(await out.text());
        return true;
      }
      if (await serveDocs(req, res, path)) return true; // the API reference (Swagger UI) at /docs
      const m = /^\/_local\/schedules\/([\w-]+)$/.exec(path);
      if (!m || req.method !== 'POST') return false;
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      // body: nothing, {} or { "date": "YYYY-MM-DD" }; ?wait=true answers once the run and every queue it fed drained
      const raw = await readBody(req);
      let date: string | undefined;
      try {
        const body = raw.trim() ? JSON.parse(raw) : {};
        if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).some((k) => k !== 'date')) throw new Error('body must be {} or { "date": "YYYY-MM-DD" }');
        if (body.date !== undefined) {
          if (!isCalendarDate(body.date)) throw new Error('date must be YYYY-MM-DD');
          date = body.date;
        }
      } catch (e) {
        answer(400, { error: e instanceof SyntaxError ? 'malformed JSON' : (e as Error).message });
        return true;
      }
      const wait = new URL(req.url ?? '/', 'http://local').searchParams.get('wait') === 'true';
      try {
        const result = await fireSchedule(m[1], date);
        if (wait) await drain();
        answer(200, { schedule: m[1], date: date ?? null, drained: wait, result: result ?? null });
      } catch (e) {
        answer(e instanceof UnknownSchedule ? 404 : 500, { error: (e as Error).message });
      }
      return true;
    };
    const gateway: Gateway = await startGateway({
      port: opts.port ?? 3000,
      invoke: (fn, event, context) => invoke(fn as FunctionName, event, context),
      control,
    });
    started.push(() => gateway.stop());

    if (opts.bank !== false) {
      const sim = await startBankSimulator({ port: await freePort(), centerUrl: gateway.url, centerCode: env.HPF_CENTER_CODE });
      started.push(() => sim.stop());
      // registered through the public API, as an administrator would
      const admin = await mintToken({ sub: 'local-runtime', role: 'admin' });
      const registered = await fetch(`${gateway.url}/v1/banks/${sim.bankCode}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: '本地模拟银行', apiBaseUrl: sim.url, sharedSecret: sim.sharedSecret, accounts: sim.accounts }),
      });
      if (registered.status >= 300) throw new Error(`registering the bank simulator failed: ${registered.status} ${await registered.text()}`);
      bank = sim;
    }

    return {
      url: gateway.url,
      dynamodbEndpoint: ddb.endpoint,
      sqsEndpoint: q.endpoint,
      bank,
      queues: q,
      env,
      invoke,
      fireSchedule,
      drain,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
