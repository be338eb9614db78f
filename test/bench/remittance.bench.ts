// Remittance settlement (汇缴入账) of 5,000 employees through the whole stack — settlement route, the
// remittance-posting queue and its poller, the worker reading chunk and accounts, one
// TransactWriteItems per chunk — vs raw TransactWriteItems of the same items (40 account puts, 40
// entry puts, chunk flag, remittance progress, control-total and period-flow updates: 84 items, built
// beforehand by the ledger for another 5,000 accounts) on the same DynamoDB Local, in the same run, at
// the same concurrency as the poller (2).
//
// Run: npx tsx test/bench/remittance.bench.ts
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import { freePort } from '../../infra/local/ports.ts';
import { mintToken } from '../../infra/local/jwt.ts';
import { printTable, type BenchRow } from './types.ts';

export type { BenchRow };

const EMPLOYEES = 5000;
const CONCURRENCY = 1; // the poller concurrency of the remittance queue in this runtime, and of the raw writer
const TARGET_RATIO = 0.5;
const TARGET_SECONDS = 10; // "settles in seconds, not minutes" (domain.md §2)

export async function runRemittanceBench(): Promise<BenchRow[]> {
  process.env.LOG_LEVEL ??= 'silent';
  const runtime = await startLocalRuntime({ port: await freePort(), scheduler: false, pollerConcurrency: CONCURRENCY });
  try {
    // imported only now: the AWS clients bind the runtime's endpoints at load
    const { TransactWriteCommand } = await import('@aws-sdk/lib-dynamodb');
    const { ddb } = await import('../../shared/ddb.ts');
    const { tableName } = await import('../../shared/config.ts');
    const { getAccounts, ledgerWrite } = await import('../../shared/ledger/ledger.ts');
    const { CREDIT_CODE_CHARSET, creditCodeCheckChar } = await import('../../shared/validators.ts');
    const { openEmployees } = await import('../integration/deposits-bulk.ts');
    const { LINES_PER_CHUNK, chunked } = await import('../../functions/deposits/domain/rules.ts');

    const branch = `BENCH${Date.now().toString(36)}`;
    const staff = await mintToken({ sub: 'bench-staff', role: 'staff', branch });
    const api = async (method: string, path: string, body?: unknown, tok = staff) => {
      const res = await fetch(`${runtime.url}${path}`, { method, headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const cc17 = `91330106${Array.from({ length: 9 }, (_, i) => CREDIT_CODE_CHARSET[(Date.now() + i * 7) % 31]).join('')}`;
    const unit = await api('POST', '/v1/units', { name: '基准单位', creditCode: cc17 + creditCodeCheckChar(cc17), branch, payDay: 10, employerRate: '12', employeeRate: '12', startPeriod: '2025-01' });
    if (unit.status !== 201) throw new Error(`unit: ${JSON.stringify(unit.body)}`);
    const accountNos = await openEmployees(unit.body.unitId, branch, EMPLOYEES);
    const created = await api('POST', `/v1/units/${unit.body.unitId}/remittances`, { period: '2025-06' });
    if (created.status !== 201) throw new Error(`remittance: ${JSON.stringify(created.body)}`);
    const id = created.body.remittanceId;

    const t0 = performance.now();
    const settled = await api('POST', `/v1/remittances/${id}/settlements`, { amount: created.body.totalAmount, bankRef: 'BENCH' });
    if (settled.status !== 202) throw new Error(`settlement: ${JSON.stringify(settled.body)}`);
    let status = 'POSTING';
    while (status !== 'POSTED' && performance.now() - t0 < 300_000) {
      await new Promise((r) => setTimeout(r, 200)); // polled gently: reads compete with the posting for DynamoDB Local
      status = (await api('GET', `/v1/remittances/${id}`)).body.status;
    }
    const oursSeconds = (performance.now() - t0) / 1000;
    const accounts = await getAccounts(accountNos);
    const exactlyOnce = [...accounts.values()].filter((a) => a.balanceFen === 192_000 && a.version === 1).length;

    // raw: the same transactions without the stack — a second unit's 5,000 accounts, read and turned
    // into ledger items (the same account, entry, control-total and period-flow items, plus a chunk flag
    // and a progress update) before the clock starts; only the TransactWriteItems calls are timed.
    const other = await api('POST', '/v1/units', { name: '基准单位二', creditCode: cc17.slice(0, 16) + 'Y' + creditCodeCheckChar(cc17.slice(0, 16) + 'Y'), branch, payDay: 10, employerRate: '12', employeeRate: '12', startPeriod: '2025-01' });
    if (other.status !== 201) throw new Error(`unit: ${JSON.stringify(other.body)}`);
    const rawAccounts = await getAccounts(await openEmployees(other.body.unitId, branch, EMPLOYEES));
    const D = tableName('deposits');
    const rawTransactions = chunked([...rawAccounts.values()], LINES_PER_CHUNK).map((group, c) => [
      ...ledgerWrite(group.map((account) => ({ account, postings: [{ amountFen: 192_000, type: 'REMITTANCE' as const, ref: 'RAW', period: '2025-06', valueDate: '2025-07-01' }], changes: { lastPaidPeriod: '2025-06' } }))).items,
      { Update: { TableName: D, Key: { pk: `RAW#${branch}`, sk: `C#${c}` }, UpdateExpression: 'SET #s = :p', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':p': 'POSTED' } } },
      { Update: { TableName: D, Key: { pk: `RAW#${branch}`, sk: 'REM' }, UpdateExpression: 'ADD postedChunks :one', ExpressionAttributeValues: { ':one': 1 } } },
    ]);
    const chunks = rawTransactions.length;
    let nextChunk = 0;
    const r0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (nextChunk < chunks) {
          const items = rawTransactions[nextChunk++];
          for (;;) {
            try {
              await ddb.send(new TransactWriteCommand({ TransactItems: items }));
              break;
            } catch (err) {
              if ((err as { name?: string }).name !== 'TransactionCanceledException') throw err; // the shared progress item conflicts: retry, as commit does
            }
          }
        }
      }),
    );
    const rawSeconds = (performance.now() - r0) / 1000;
    const ours = EMPLOYEES / oursSeconds;
    const raw = EMPLOYEES / rawSeconds;
    return [
      { name: `settle a ${EMPLOYEES}-employee remittance (202 → POSTED), ${chunks} chunks`, value: `${oursSeconds.toFixed(2)} s`, target: `< ${TARGET_SECONDS} s`, met: status === 'POSTED' && oursSeconds < TARGET_SECONDS },
      { name: 'posting throughput through the stack (queue, worker, ledger, commit)', value: `${ours.toFixed(0)} accounts/s`, target: 'reference', met: null },
      { name: `raw TransactWriteItems of the same items (${2 * LINES_PER_CHUNK + 4} per chunk), concurrency ${CONCURRENCY}`, value: `${raw.toFixed(0)} accounts/s`, target: 'reference', met: null },
      { name: 'ratio stack / raw', value: (ours / raw).toFixed(2), target: `≥ ${TARGET_RATIO.toFixed(2)}`, met: ours / raw >= TARGET_RATIO },
      { name: 'accounts credited exactly once', value: `${exactlyOnce} / ${EMPLOYEES}`, target: `${EMPLOYEES} / ${EMPLOYEES}`, met: exactlyOnce === EMPLOYEES },
    ];
  } finally {
    await runtime.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printTable('Remittance settlement (汇缴入账)', await runRemittanceBench());
}
