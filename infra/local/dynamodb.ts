// AWS's DynamoDB Local (the real engine, a Java program) as a child process, and the topology's
// tables created in it. Installed by fetch-dynamodb-local.mjs (npm postinstall), pinned by hash.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, dirname, resolve, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, CreateTableCommand, ListTablesCommand, UpdateTimeToLiveCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { tables } from '../topology.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DYNAMODB_LOCAL_DIR = join(root, '.local', 'dynamodb');

export interface DynamoLocal {
  endpoint: string;
  stop(): Promise<void>;
}

function assertJava() {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error('DynamoDB Local needs a Java development kit (≥ 11: java, and javac for its loopback launcher). Install one: apt-get install -y openjdk-17-jdk-headless');
  }
  if (!existsSync(join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal.jar'))) {
    throw new Error(`DynamoDB Local is not installed in ${DYNAMODB_LOCAL_DIR}: run npm ci (its postinstall fetches it)`);
  }
}

/**
 * DynamoDB Local listens on every interface and has no option to say otherwise; the launcher in
 * infra/local/java binds it to one address. It is compiled (javac, from the JDK) once into
 * .local/dynamodb/launcher and again whenever its source changes.
 */
function loopbackLauncher(): string {
  const source = join(root, 'infra', 'local', 'java', 'LoopbackDynamoDBLocal.java');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const dir = join(DYNAMODB_LOCAL_DIR, `launcher-${hash}`);
  if (existsSync(join(dir, 'LoopbackDynamoDBLocal.class'))) return dir;
  // compiled aside and renamed into place: two runtimes starting at once never see half a class
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync('javac', ['-d', tmp, source], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`Compiling the DynamoDB Local launcher needs a JDK's javac (apt-get install -y openjdk-17-jdk-headless): ${r.error?.message ?? r.stderr}`);
  }
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another start won the race: its class is the same
  }
  return dir;
}

export async function startDynamoLocal(opts: { port: number; dataDir?: string; host?: string }): Promise<DynamoLocal> {
  assertJava();
  const launcher = loopbackLauncher();
  const host = opts.host ?? '127.0.0.1';
  const args = ['-Djava.library.path=./DynamoDBLocal_lib', '-Xmx1g', '-cp', `DynamoDBLocal.jar${delimiter}${launcher}`, 'LoopbackDynamoDBLocal', host, '-port', String(opts.port), '-disableTelemetry'];
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    args.push('-dbPath', resolve(opts.dataDir));
  } else args.push('-inMemory');
  args.push('-sharedDb'); // one database whatever the region or credentials of the client
  const child: ChildProcess = spawn('java', args, { cwd: DYNAMODB_LOCAL_DIR, env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${opts.port}`;
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}):\n${output}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not start on ${endpoint}:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    endpoint,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Creates the topology's tables (those that do not exist yet). */
export async function createTables(endpoint: string, prefix: string): Promise<Record<string, string>> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const out = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    (out.TableNames ?? []).forEach((n) => existing.add(n));
    start = out.LastEvaluatedTableName;
  } while (start);
  const names: Record<string, string> = {};
  for (const t of tables) {
    const name = `${prefix}-${t.name}`;
    names[t.name] = name;
    if (existing.has(name)) continue;
    const attrs = new Set(['pk', 'sk', ...t.gsis.flatMap((g) => [`${g}pk`, `${g}sk`])]);
    const input: CreateTableCommandInput = {
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [...attrs].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
      GlobalSecondaryIndexes: t.gsis.length
        ? t.gsis.map((g) => ({
            IndexName: g,
            KeySchema: [
              { AttributeName: `${g}pk`, KeyType: 'HASH' },
              { AttributeName: `${g}sk`, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }))
        : undefined,
    };
    await client.send(new CreateTableCommand(input));
    if (t.ttlAttribute) await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: t.ttlAttribute } }));
  }
  client.destroy();
  return names;
}
