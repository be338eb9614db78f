// Least privilege that is measured (issue 19): each function's grants in infra/topology.ts (and
// SEALING_GRANTS) are exactly what the code esbuild bundles for it uses (infra/grants.ts), and the
// local runtime runs each function with only its grants (infra/local/grant-guard.ts), so that a
// missing grant fails here first.
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredGrants, grantProblems, measureGrants, onlyHandler, type Measured } from '../../infra/grants.ts';
import { functions, type FunctionDef, type FunctionName } from '../../infra/topology.ts';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime.ts';
import { runAs, GrantRefused } from '../../infra/local/grant-guard.ts';
import { freePort } from '../../infra/local/ports.ts';

describe('grants measured from the bundles', () => {
  let measured: Map<FunctionName, Measured>;
  beforeAll(async () => {
    measured = await measureGrants();
  }, 180_000);

  it.each(functions.map((f) => [f.name, f] as const))('%s: its grants are exactly what its code uses (no unused, no missing, no readwrite where read suffices)', (name, def) => {
    expect(grantProblems(name, declaredGrants(def), measured.get(name)!)).toEqual([]);
  });

  it('reads through another domain are reads: loans-http writes the withdrawals (a prepayment from the account is a withdrawal record) and only reads the deposits', () => {
    const loans = measured.get('loans-http')!;
    expect(loans.grants.tables.withdrawals).toBe('readwrite');
    expect(loans.uses).toContainEqual({ kind: 'table', resource: 'withdrawals', access: 'readwrite', module: 'functions/withdrawals/store.ts' });
    expect(loans.grants.tables.deposits).toBe('read');
    // the certificate PDF is a chunk of its own: measured with the function, it touches nothing
    expect(measured.get('certificates-http')!.grants).toEqual({ tables: { certificates: 'read' }, sendsTo: [], inspects: [], buckets: {}, sealing: { seal: [], open: [] } });
  });

  it('fails on a topology grant that is unused, missing, readwrite where read suffices or read where the code writes', () => {
    // loans-http as measured, against its topology entry with faults planted in it
    const loans = functions.find((f) => f.name === 'loans-http')!;
    const { withdrawals: _withdrawals, ...others } = loans.tables; // a table it writes, left out
    const planted: FunctionDef = {
      ...loans,
      // deposits: it only reads them; settlement: it writes the payment orders; supervision: untouched
      tables: { ...others, deposits: 'readwrite', settlement: 'read', supervision: 'read' },
      sendsTo: [], // it sends payment orders
      inspects: ['loan-batch'], // it inspects no queue
    };
    expect(grantProblems('loans-http', declaredGrants(planted), measured.get('loans-http')!)).toEqual([
      'loans-http: table deposits is granted readwrite where read suffices: its code only reads it (functions/deposits/store.ts)',
      expect.stringMatching(/^loans-http: missing grant: table settlement is granted read, but its code writes it \(functions\/settlement\/store\.ts.*\)$/),
      'loans-http: unused grant: table supervision (read): nothing in its code touches it',
      expect.stringMatching(/^loans-http: missing grant: table withdrawals \(readwrite\): its code writes it \(functions\/withdrawals\/store\.ts.*\)$/),
      expect.stringMatching(/^loans-http: missing grant: queue \(send\) settlement-payments: its code uses it \(functions\/settlement\/.+\)$/),
      'loans-http: unused grant: queue (inspect) loan-batch: nothing in its code uses it',
    ]);
    // the sealing key: a purpose granted to seal with where the code opens with it (and not to open)
    const outbound = functions.find((f) => f.name === 'interprovincial-outbound-worker')!;
    const declared = declaredGrants(outbound);
    expect(grantProblems(outbound.name, { ...declared, sealing: { seal: ['partner-secret'], open: [] } }, measured.get(outbound.name)!)).toEqual([
      'interprovincial-outbound-worker: unused grant: sealing key (seal, purpose) partner-secret: nothing in its code uses it',
      expect.stringMatching(/^interprovincial-outbound-worker: missing grant: sealing key \(open, purpose\) partner-secret: its code uses it \(functions\/interprovincial\/.+\)$/),
    ]);
  });

  it('one entry file, several functions: each is measured by its own handler', () => {
    // settlement/schedule.ts exports the sweeper and the reconciler: only the reconciler opens bank secrets
    expect(measured.get('settlement-schedule')!.grants.sealing).toEqual({ seal: [], open: [] });
    expect(measured.get('settlement-reconciler')!.grants.sealing).toEqual({ seal: [], open: ['bank-secret'] });
    expect(measured.get('interprovincial-outbound-worker')!.grants.sealing).toEqual({ seal: [], open: ['partner-secret'] });
    expect(measured.get('interprovincial-inbound-worker')!.grants.sealing).toEqual({ seal: [], open: [] });
    expect(measured.get('supervision-http')!.grants.inspects).toEqual(['audit-segments', 'interest-settlement', 'interprovincial-inbound', 'interprovincial-outbound', 'loan-batch', 'remittance-posting']);
    expect(measured.get('documents-http')!.grants.buckets).toEqual({ documents: 'readwrite' });
  });
});

describe('the measure itself (fixtures in test/infra/grants-fixtures)', () => {
  const probe = (handler: string, entry = 'test/infra/grants-fixtures/probe.ts'): FunctionDef => ({
    name: `probe-${handler}` as FunctionName,
    domain: 'loans',
    kind: 'queue',
    entry,
    handler,
    timeoutSeconds: 1,
    memoryMb: 128,
    tables: {},
    sendsTo: [],
  });

  it('reads, writes (an item, a command, a wrapper given the table), a condition check, a constant queue, a secret context and a bucket, per handler', async () => {
    const m = await measureGrants([probe('reader'), probe('writer'), probe('other')]);
    const none = { sendsTo: [], inspects: [], buckets: {}, sealing: { seal: [], open: [] } };
    // a ConditionCheck only reads; commit's idempotency record needs an Idempotency-Key (none here)
    expect(m.get('probe-reader' as FunctionName)!.grants).toEqual({ ...none, tables: { loans: 'read' } });
    expect(m.get('probe-writer' as FunctionName)!.grants).toEqual({ ...none, tables: { loans: 'readwrite' }, sendsTo: ['loan-batch'] });
    expect(m.get('probe-other' as FunctionName)!.grants).toEqual({ ...none, tables: { deposits: 'readwrite', withdrawals: 'readwrite' }, buckets: { documents: 'read' }, sealing: { seal: [], open: ['partner-secret'] } });
  }, 60_000);

  it('names the function and the resource of every difference', () => {
    const m = { grants: { tables: { loans: 'read', deposits: 'read' }, sendsTo: ['loan-batch'], inspects: [], buckets: {}, sealing: { seal: [], open: [] } }, uses: [{ kind: 'table', resource: 'loans', access: 'read', module: 'functions/loans/store.ts' }] } as Measured;
    const problems = grantProblems('loans-http', { tables: { loans: 'readwrite', withdrawals: 'readwrite' }, sendsTo: [], inspects: [], buckets: {}, sealing: { seal: [], open: ['bank-secret'] } }, m);
    expect(problems).toEqual([
      'loans-http: missing grant: table deposits (read): its code reads it',
      'loans-http: table loans is granted readwrite where read suffices: its code only reads it (functions/loans/store.ts)',
      'loans-http: unused grant: table withdrawals (readwrite): nothing in its code touches it',
      'loans-http: missing grant: queue (send) loan-batch: its code uses it',
      'loans-http: unused grant: sealing key (open, purpose) bank-secret: nothing in its code uses it',
    ]);
  });

  it('refuses code it cannot measure: a queue named by a parameter', async () => {
    await expect(measureGrants([probe('handler', 'test/infra/grants-fixtures/unmeasurable.ts')])).rejects.toThrow(/cannot measure test\/infra\/grants-fixtures\/unmeasurable\.ts .*`queue` is a parameter/);
  }, 60_000);

  it('keeps only the named handler of an entry file', () => {
    const out = onlyHandler("export const a = f(1);\nexport const b = g(2);\nexport function c() {}\n", 'b', 'x.ts');
    expect(out).toBe('const a = /* @__PURE__ */ f(1);\nexport const b = g(2);\nfunction c() {}\n');
    expect(() => onlyHandler('export const a = 1;', 'b', 'x.ts')).toThrow(/does not export b/);
  });
});

describe('the local runtime gives each function only its grants', () => {
  let rt: LocalRuntime;
  // the shared clients, loaded once the runtime set the environment (they read it when created)
  let ddb: (typeof import('../../shared/ddb.ts'))['ddb'];
  let sqs: (typeof import('../../shared/sqs.ts'))['sqs'];
  const refusals: string[] = [];
  const prefix = `hpfgrants${randomUUID().slice(0, 6)}`;
  beforeAll(async () => {
    // a runtime of its own (on the test run's DynamoDB Local, its own tables) in which two functions lack a grant the topology gives them
    rt = await startLocalRuntime({
      port: await freePort(),
      prefix,
      dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      bank: false,
      scheduler: false,
      grantOverrides: { 'certificates-http': { tables: {} }, 'settlement-schedule': { tables: {} } },
      log: (m) => refusals.push(m),
    });
    ({ ddb } = await import('../../shared/ddb.ts'));
    ({ sqs } = await import('../../shared/sqs.ts'));
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
    const client = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
    for (const [k, v] of Object.entries(rt?.env ?? {})) if (k.startsWith('TABLE_')) await client.send(new DeleteTableCommand({ TableName: v })).catch(() => {});
  });

  it('a function without its table fails, naming it: the sweeper (a schedule) rejects, an HTTP function answers 500', async () => {
    await expect(rt.invoke('settlement-schedule', { task: 'sweep-payments', scheduledTime: new Date().toISOString() })).rejects.toThrow(/local grants: settlement-schedule is not granted table settlement: \w+ refused/);

    const res = await fetch(`${rt.url}/v1/certificates/ABCD-EFGH-JKMN-PQRS-TVWX`);
    expect(res.status).toBe(500);
    expect(refusals).toContainEqual(expect.stringMatching(/^local grants: certificates-http is not granted table certificates: GetItem refused/));
  });

  it('with the topology grants the same runtime works: health reads the ledger and inspects the queues', async () => {
    const res = await fetch(`${rt.url}/v1/health`);
    expect(await res.json()).toMatchObject({ status: 'ok', checks: { store: 'ok', queues: 'ok' } });
  });

  it('the shared clients refuse what the running grant does not cover: another table, a write on a read grant, a queue not sent to', async () => {
    const certificatesHttp = functions.find((f) => f.name === 'certificates-http')!;
    const grant = { def: certificatesHttp, names: { tables: Object.fromEntries(Object.entries(rt.env).filter(([k]) => k.startsWith('TABLE_')).map(([k, v]) => [k.slice(6).toLowerCase(), v])), queues: rt.queues.urls, buckets: {} } };
    const table = (t: string) => rt.env[`TABLE_${t.toUpperCase()}`];
    await runAs(grant, async () => {
      // granted: read the certificates table
      expect((await ddb.send(new GetCommand({ TableName: table('certificates'), Key: { pk: 'CERT#none', sk: 'CERT' } }))).Item).toBeUndefined();
      await expect(ddb.send(new PutCommand({ TableName: table('certificates'), Item: { pk: 'CERT#none', sk: 'CERT' } }))).rejects.toThrow(/certificates-http is granted table certificates read only: PutItem \(a write\) refused/);
      await expect(ddb.send(new QueryCommand({ TableName: table('withdrawals'), KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'x' } }))).rejects.toThrow(GrantRefused);
      await expect(sqs.send(new SendMessageCommand({ QueueUrl: rt.queues.urls['loan-batch'], MessageBody: '{}' }))).rejects.toThrow(/certificates-http is not granted SendMessage on queue loan-batch/);
    });
    // outside a function (the runtime, fixtures) nothing is restricted
    expect((await ddb.send(new GetCommand({ TableName: table('withdrawals'), Key: { pk: 'x', sk: 'y' } }))).Item).toBeUndefined();
  });
});
