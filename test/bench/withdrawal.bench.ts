// Withdrawal latency through the whole stack (HTTP gateway → JWT → middy stack → zod → use case →
// commit) vs the raw DynamoDB calls the use case makes, on the same DynamoDB Local in the same run,
// interleaved so that both see the same machine noise. Raw = GetItem of the idempotency key (commit's
// replay check) + GetItem of the account + one TransactWriteItems of the same shape (account put,
// entry put, control-total and period-flow updates, withdrawal record put, idempotency record put).
// Also the statement read (deposits' GET /v1/accounts/{accountNo}/entries) vs its raw reads, when
// that route is served.
//
// Run: npx tsx test/bench/withdrawal.bench.ts
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import { freePort } from '../../infra/local/ports.ts';
import { mintToken } from '../../infra/local/jwt.ts';
import { printTable, type BenchRow } from './types.ts';

export type { BenchRow };

const SAMPLES = 200;
const WARMUP = 20;
const TARGET_RATIO = 1.5;
const PAYEE = '6222021234567890123';

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Runs `a` and `b` alternately (after a warm-up) and returns the sorted latencies of each, ms. */
async function interleaved(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number[], number[]]> {
  for (let i = 0; i < WARMUP; i++) {
    await a();
    await b();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    ta.push(await timed(a));
    tb.push(await timed(b));
  }
  return [ta.sort((x, y) => x - y), tb.sort((x, y) => x - y)];
}

function rows(what: string, stack: number[], raw: number[], rawWhat: string): BenchRow[] {
  const ratio = quantile(stack, 0.5) / quantile(raw, 0.5);
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  return [
    { name: `${what} through the gateway, p50 / p99`, value: `${ms(quantile(stack, 0.5))} / ${ms(quantile(stack, 0.99))}`, target: 'informational', met: null },
    { name: `${rawWhat}, p50 / p99`, value: `${ms(quantile(raw, 0.5))} / ${ms(quantile(raw, 0.99))}`, target: 'reference', met: null },
    { name: `${what}: p50 ratio stack / raw`, value: `${ratio.toFixed(2)}×`, target: `≤ ${TARGET_RATIO}×`, met: ratio <= TARGET_RATIO },
  ];
}

export async function runWithdrawalBench(): Promise<BenchRow[]> {
  process.env.LOG_LEVEL ??= 'silent';
  const runtime = await startLocalRuntime({ port: await freePort(), scheduler: false });
  try {
    // imported only now: the DynamoDB client reads the runtime's endpoint at module scope
    const { GetCommand, QueryCommand, TransactWriteCommand } = await import('@aws-sdk/lib-dynamodb');
    const { ddb } = await import('../../shared/ddb.ts');
    const { tableName } = await import('../../shared/config.ts');
    const { ledgerWrite } = await import('../../shared/ledger/ledger.ts');
    const { businessDate } = await import('../../shared/clock.ts');
    const { openFundedAccount } = await import('../support/fixtures.ts');

    const branch = `BENCH${randomUUID().slice(0, 6)}`;
    const viaStack = await openFundedAccount({ balanceFen: 100_000_000, branch });
    const viaRaw = await openFundedAccount({ balanceFen: 100_000_000, branch });
    const token = await mintToken({ sub: `member-${viaStack.accountNo}`, role: 'member', accountNo: viaStack.accountNo });
    const post = async () => {
      const res = await fetch(`${runtime.url}/v1/withdrawals`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ accountNo: viaStack.accountNo, payeeBankAccount: PAYEE, reason: 'RENT', amount: '1', evidence: { housingKind: 'PUBLIC_RENTAL', leaseContractNo: 'ZL-1', rentReceiptNo: 'SJ-1' } }),
      });
      const body = (await res.json()) as { withdrawalId?: string };
      if (res.status !== 201) throw new Error(`withdrawal answered ${res.status}: ${JSON.stringify(body)}`);
      return body.withdrawalId as string;
    };

    // a stored withdrawal record and idempotency record, cloned by the raw path at the same size
    const sampleId = await post();
    const record = (await ddb.send(new GetCommand({ TableName: tableName('withdrawals'), Key: { pk: `W#${sampleId}`, sk: 'W' } }))).Item!;
    const today = businessDate();
    const raw = async () => {
      const id = `W${randomUUID()}`;
      const idem = { pk: `IDEM#bench#${randomUUID()}`, sk: 'R' };
      await ddb.send(new GetCommand({ TableName: tableName('idempotency'), Key: idem, ConsistentRead: true }));
      const account = (await ddb.send(new GetCommand({ TableName: tableName('ledger'), Key: { pk: `ACC#${viaRaw.accountNo}`, sk: 'ACCOUNT' }, ConsistentRead: true }))).Item as Parameters<typeof ledgerWrite>[0][number]['account'];
      const w = ledgerWrite([{ account, postings: [{ amountFen: -100, type: 'WITHDRAWAL', ref: id, valueDate: today, memo: 'RENT' }] }]);
      const now = Math.floor(Date.now() / 1000);
      await ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            ...w.items,
            { Put: { TableName: tableName('withdrawals'), Item: { ...record, pk: `W#${id}`, sk: 'W', withdrawalId: id, accountNo: viaRaw.accountNo }, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: tableName('idempotency'),
                Item: { ...idem, hash: 'x'.repeat(64), status: 201, body: { withdrawalId: id, status: 'PAID', amount: '1.00', reasonCode: '07' }, expiresAt: now + 604_800 },
                ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
                ExpressionAttributeValues: { ':now': now },
              },
            },
          ],
        }),
      );
    };
    const [stackW, rawW] = await interleaved(post, raw);
    const out = rows('withdrawal (RENT, paid at once)', stackW, rawW, 'raw: GetItem idempotency + GetItem account + TransactWriteItems (6 items)');

    // statement read: deposits' route, if it is served
    const statementUrl = `${runtime.url}/v1/accounts/${viaStack.accountNo}/entries?limit=50`;
    const get = async () => {
      const res = await fetch(statementUrl, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      return res.status;
    };
    if ((await get()) === 200) {
      const rawStatement = async () => {
        await ddb.send(new GetCommand({ TableName: tableName('ledger'), Key: { pk: `ACC#${viaStack.accountNo}`, sk: 'ACCOUNT' }, ConsistentRead: true }));
        await ddb.send(
          new QueryCommand({
            TableName: tableName('ledger'),
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
            ExpressionAttributeValues: { ':pk': `ACC#${viaStack.accountNo}`, ':e': 'E#' },
            ScanIndexForward: false,
            Limit: 50,
          }),
        );
      };
      const [stackS, rawS] = await interleaved(get, rawStatement);
      out.push(...rows('statement read (GET /v1/accounts/{accountNo}/entries, 50 entries)', stackS, rawS, 'raw: GetItem account + Query 50 entries'));
    } else {
      out.push({ name: 'statement read (GET /v1/accounts/{accountNo}/entries)', value: 'skipped: route not served yet', target: `≤ ${TARGET_RATIO}×`, met: null });
    }
    return out;
  } finally {
    await runtime.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printTable('Withdrawal benchmark', await runWithdrawalBench());
  process.exit(0);
}
