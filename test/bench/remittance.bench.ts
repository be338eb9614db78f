// Remittance settlement (汇缴入账) of 5,000 employees through the whole stack — settlement route, the
// remittance-posting queue and its poller, the worker reading chunks and accounts, one
// TransactWriteItems per chunk — vs raw TransactWriteItems of the same items (40 account puts, 40
// entry puts, chunk flag, remittance progress, control-total and period-flow updates: 84 items, built
// beforehand by the ledger for another 5,000 accounts) on the same DynamoDB Local, in the same run, at
// the same concurrency as the poller (1). Half of the raw writes run just before the stack's run and
// half just after (the machine is shared: its load drifts).
//
// Warm-up: DynamoDB Local is a Java program whose hot paths compile during the first thousands of
// operations (measured here: raw transactions on a cold engine ran at ~60% of their warm rate), so
// whichever side ran first would be measured on a cold engine. A 1,000-employee remittance is settled
// through the stack first (untimed); then the stack and the raw writes are timed.
//
// Run: npx tsx test/bench/remittance.bench.ts
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import { freePort } from '../../infra/local/ports.ts';
import { mintToken } from '../../infra/local/jwt.ts';
import { writeTransactions } from './support.ts';
import { printTable, type BenchRow } from './types.ts';

export type { BenchRow };

const EMPLOYEES = 5000;
const WARM_UP_EMPLOYEES = 1000;
const CONCURRENCY = 1; // the poller concurrency of the remittance queue in this runtime, and of the raw writer
const TARGET_RATIO = 0.5;
const TARGET_SECONDS = 10; // "settles in seconds, not minutes" (domain.md §2)

export async function runRemittanceBench(): Promise<BenchRow[]> {
  process.env.LOG_LEVEL ??= 'silent';
  const runtime = await startLocalRuntime({ port: await freePort(), scheduler: false, pollerConcurrency: CONCURRENCY });
  try {
    // imported only now: the AWS clients bind the runtime's endpoints at load
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
    const cc16 = `91330106${Array.from({ length: 8 }, (_, i) => CREDIT_CODE_CHARSET[(Date.now() + i * 7) % 31]).join('')}`;
    let units = 0;
    /** A unit with `n` employees (base 8,000.00, 12% + 12%): its id and the accounts. */
    const unitWithEmployees = async (n: number) => {
      const cc17 = cc16 + CREDIT_CODE_CHARSET[units++];
      const unit = await api('POST', '/v1/units', { name: `基准单位${units}`, creditCode: cc17 + creditCodeCheckChar(cc17), branch, payDay: 10, employerRate: '12', employeeRate: '12', startPeriod: '2025-01' });
      if (unit.status !== 201) throw new Error(`unit: ${JSON.stringify(unit.body)}`);
      return { unitId: unit.body.unitId as string, accountNos: await openEmployees(unit.body.unitId, branch, n) };
    };
    /** Creates the unit's 2025-06 remittance, settles it and polls until POSTED: status and seconds from the settlement. */
    const settle = async (unitId: string) => {
      const created = await api('POST', `/v1/units/${unitId}/remittances`, { period: '2025-06' });
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
      return { status, seconds: (performance.now() - t0) / 1000 };
    };

    // raw: the same transactions without the stack — another unit's 5,000 accounts, read and turned
    // into ledger items (the same account, entry, control-total and period-flow items, plus a chunk flag
    // and a progress update) before any clock starts; only the TransactWriteItems calls are timed.
    const D = tableName('deposits');
    const rawTransactions = async (accountNos: string[]) =>
      chunked([...(await getAccounts(accountNos)).values()], LINES_PER_CHUNK).map((group, c) => [
        ...ledgerWrite(group.map((account) => ({ account, postings: [{ amountFen: 192_000, type: 'REMITTANCE' as const, ref: 'RAW', period: '2025-06', valueDate: '2025-07-01' }], changes: { lastPaidPeriod: '2025-06' } }))).items,
        { Update: { TableName: D, Key: { pk: `RAW#${branch}`, sk: `C#${c}` }, UpdateExpression: 'SET #s = :p', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':p': 'POSTED' } } },
        { Update: { TableName: D, Key: { pk: `RAW#${branch}`, sk: 'REM' }, UpdateExpression: 'ADD postedChunks :one', ExpressionAttributeValues: { ':one': 1 } } },
      ]);
    /** Writes the transactions at the poller's concurrency: seconds. */
    const writeRaw = (transactions: Awaited<ReturnType<typeof rawTransactions>>) => writeTransactions(transactions, CONCURRENCY);

    const warmUp = await settle((await unitWithEmployees(WARM_UP_EMPLOYEES)).unitId);
    if (warmUp.status !== 'POSTED') throw new Error(`warm-up remittance: ${warmUp.status}`);
    const measured = await unitWithEmployees(EMPLOYEES);
    const rawAccountNos = (await unitWithEmployees(EMPLOYEES)).accountNos;
    const raw = await rawTransactions(rawAccountNos);
    const chunks = raw.length;
    // the shared machine's load drifts: the raw half before and the raw half after the stack's run
    // are summed, so that a drift during the run weighs on both sides alike
    const half = Math.ceil(chunks / 2);
    const rawBefore = await writeRaw(raw.slice(0, half));
    const { status, seconds: oursSeconds } = await settle(measured.unitId);
    const rawSeconds = rawBefore + (await writeRaw(raw.slice(half)));
    const accounts = await getAccounts(measured.accountNos);
    const exactlyOnce = [...accounts.values()].filter((a) => a.balanceFen === 192_000 && a.version === 1).length;
    const ours = EMPLOYEES / oursSeconds;
    const rawRate = EMPLOYEES / rawSeconds;
    return [
      { name: `warm-up: settle a ${WARM_UP_EMPLOYEES}-employee remittance (not in the ratio)`, value: `${warmUp.seconds.toFixed(2)} s`, target: 'informational', met: null },
      { name: `settle a ${EMPLOYEES}-employee remittance (202 → POSTED), ${chunks} chunks`, value: `${oursSeconds.toFixed(2)} s`, target: `< ${TARGET_SECONDS} s`, met: status === 'POSTED' && oursSeconds < TARGET_SECONDS },
      { name: 'posting throughput through the stack (queue, worker, ledger, commit)', value: `${ours.toFixed(0)} accounts/s`, target: 'reference', met: null },
      { name: `raw TransactWriteItems of the same items (${2 * LINES_PER_CHUNK + 4} per chunk), concurrency ${CONCURRENCY}, half before and half after`, value: `${rawRate.toFixed(0)} accounts/s`, target: 'reference', met: null },
      { name: 'ratio stack / raw', value: (ours / rawRate).toFixed(2), target: `≥ ${TARGET_RATIO.toFixed(2)}`, met: ours / rawRate >= TARGET_RATIO },
      { name: 'accounts credited exactly once', value: `${exactlyOnce} / ${EMPLOYEES}`, target: `${EMPLOYEES} / ${EMPLOYEES}`, met: exactlyOnce === EMPLOYEES },
    ];
  } finally {
    await runtime.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printTable('Remittance settlement (汇缴入账)', await runRemittanceBench());
}
