// Annual interest settlement (结息) through the whole stack — POST /v1/interest-settlements as admin,
// the 64-segment fan-out over the interest-settlement queue and its pollers, pages of 100 accounts, one
// TransactWriteItems per up to 30 accounts (grouped by branch) — timed until GET …/{runId} answers COMPLETED:
//   - over SMALL and then LARGE (10×) accounts: target ≤ 11× the time;
//   - throughput vs raw TransactWriteItems of the same shape (per 30 accounts of one branch: account, INTEREST
//     entry and once-per-year guard each, control-total and period-flow shards, the run's counts: 93
//     items, built beforehand by the ledger) on the same DynamoDB Local, at the pollers' concurrency.
//
// Accounts are loaded with BatchWriteItem straight into the ledger table, in the shapes the ledger
// builds: opened with openAccountItems on July 1 and credited the same day with ledgerWrite (a DEPOSIT),
// the credited account item and its entry written as they are (the resident-ID guards, control totals
// and period flows are not loaded: the settlement reads none of them). Each account then holds a
// balance whose 积数 makes interest due for the next interest year.
//
// One runtime (the AWS clients bind their endpoints at load), so the years keep the runs apart:
//   1. warm-up (untimed): WARM_UP accounts opened 2023-07-01, run 2024, then the accounts are deleted —
//      DynamoDB Local is a Java program whose hot paths compile during its first thousands of
//      operations; without this the first timed run would be measured on a cold engine;
//   2. SMALL accounts opened 2024-07-01, run 2025 (July 2024 – June 2025): SMALL accounts settle;
//   3. raw, first half: RAW / 2 accounts opened 2024-07-01, year 2025 settled by raw transactions,
//      then deleted (the next run must not see them);
//   4. LARGE − SMALL more accounts opened 2024-07-01, run 2026 (July 2025 – June 2026): all LARGE
//      accounts settle (the SMALL ones on the balance their 2025 interest raised);
//   5. raw, second half, as 3. The raw halves before and after the large run are summed: the shared
//      machine's load drifts.
// Every run's total is checked against Σ round(balance × 365 days × 1.50% / 360) (domain.md §2).
//
// Run: npx tsx test/bench/interest.bench.ts
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import { freePort } from '../../infra/local/ports.ts';
import { mintToken } from '../../infra/local/jwt.ts';
import type { TxItem } from '../../shared/ddb.ts';
import { D, roundFen, yuanToFen } from '../../shared/money.ts';
import { batchWrite, distinctAccountNos, writeTransactions, type WriteRequest } from './support.ts';
import { printTable, type BenchRow } from './types.ts';

export type { BenchRow };

const WARM_UP = 1_000;
const SMALL = 2_000;
const LARGE = 20_000;
const RAW = 4_000;
const TARGET_TIME_RATIO = 11;
const POLLER_CONCURRENCY = 2; // the runtime's default: the raw writer uses the same
const ACCOUNTS_PER_TRANSACTION = 30; // as the interest worker for accounts of one branch (functions/deposits/usecases/interest.ts)
const WRITE_CONCURRENCY = 8;
const POLL_MS = 200;
const RUN_TIMEOUT_MS = 20 * 60_000;
const BRANCH = 'BENCHINT';
const DAYS_IN_YEAR = 365;
const progress = (msg: string) => process.stderr.write(`interest bench: ${msg}\n`); // July 1 to July 1 of the years used here (no February 29 between)

/** Interest of a balance held the whole year: round(balance × 365 × 1.50% / 360), half-up (domain.md §2). */
const yearInterestFen = (balanceFen: number) => roundFen(new D(balanceFen).times(DAYS_IN_YEAR).times('0.015').div(360));

export async function runInterestBench(): Promise<BenchRow[]> {
  process.env.LOG_LEVEL ??= 'silent';
  const runtime = await startLocalRuntime({ port: await freePort(), scheduler: false, pollerConcurrency: POLLER_CONCURRENCY });
  try {
    // imported only now: the AWS clients bind the runtime's endpoints at load
    const { tableName } = await import('../../shared/config.ts');
    const { getAccounts, openAccountItems, ledgerWrite } = await import('../../shared/ledger/ledger.ts');
    const { chunked } = await import('../../functions/deposits/domain/rules.ts');
    const { randomResidentId } = await import('../support/fixtures.ts');
    type Account = import('../../shared/ledger/ledger.ts').Account;

    const L = tableName('ledger');
    const accountNos = distinctAccountNos();


    /** Opens `count` accounts on `openedOn` with a deposit the same day: the accounts as stored. */
    const loadAccounts = async (count: number, openedOn: string): Promise<Account[]> => {
      const accounts: Account[] = [];
      const requests: WriteRequest[] = [];
      for (let i = 0; i < count; i++) {
        const n = accountNos.count;
        const opened = openAccountItems({
          accountNo: accountNos.next(),
          idNumber: randomResidentId(),
          name: '结息压测',
          kind: 'EMPLOYEE',
          unitId: `UBENCHINT${Math.floor(n / 200)}`,
          branch: BRANCH,
          status: 'NORMAL',
          monthlyBaseFen: 800_000,
          employerRatePercent: 12,
          employeeRatePercent: 12,
          monthlyAmountFen: 192_000,
          openedOn,
        });
        const credited = ledgerWrite([{ account: opened.account, postings: [{ amountFen: 100_000 + (n % 997) * 100, type: 'DEPOSIT', ref: 'bench', valueDate: openedOn }] }]);
        for (const { Put } of credited.items) if (Put) requests.push({ PutRequest: { Item: Put.Item! } }); // the account and its entry
        accounts.push(credited.accounts[0]);
      }
      await batchWrite(L, requests, WRITE_CONCURRENCY);
      return accounts;
    };
    const deleteAccounts = (accounts: readonly Account[]) => batchWrite(L, accounts.map((a) => ({ DeleteRequest: { Key: { pk: `ACC#${a.accountNo}`, sk: 'ACCOUNT' } } })), WRITE_CONCURRENCY);

    const admin = await mintToken({ sub: 'admin-bench', role: 'admin' });
    const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const res = await fetch(`${runtime.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const out = (await res.json()) as Record<string, unknown>;
      if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(out)}`);
      return out;
    };
    /** Runs the settlement of `year`: seconds from the POST to COMPLETED, accounts and total interest (fen). */
    const settleYear = async (year: number) => {
      const t0 = performance.now();
      const { runId } = (await api('POST', '/v1/interest-settlements', { year })) as { runId: string };
      for (;;) {
        const run = (await api('GET', `/v1/interest-settlements/${runId}`)) as { status: string; accounts: number; totalInterest: string };
        if (run.status === 'COMPLETED') return { seconds: (performance.now() - t0) / 1000, accounts: run.accounts, interestFen: yuanToFen(run.totalInterest) };
        if (run.status !== 'RUNNING' || performance.now() - t0 > RUN_TIMEOUT_MS) throw new Error(`interest run ${runId}: ${JSON.stringify(run)}`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };

    /** Raw: `count` fresh accounts' year-2025 settlement as ledger items, then only the writes timed; the accounts are then deleted. */
    let rawRuns = 0;
    const rawSettlement = async (count: number) => {
      const accounts = [...(await getAccounts((await loadAccounts(count, '2024-07-01')).map((a) => a.accountNo))).values()]; // as stored: their revision is the condition
      const progressKey = { pk: `IRUN#RAW-${rawRuns++}`, sk: 'RUN' };
      const transactions: TxItem[][] = chunked(accounts, ACCOUNTS_PER_TRANSACTION).map((group) => {
        const w = ledgerWrite(group.map((account) => ({ account, settleInterestYear: 2025 })));
        const interestFen = w.entries.reduce((s, e) => s + e.amountFen, 0);
        return [...w.items, { Update: { TableName: tableName('deposits'), Key: progressKey, UpdateExpression: 'ADD accounts :n, totalInterestFen :f', ExpressionAttributeValues: { ':n': group.length, ':f': interestFen } } }];
      });
      const seconds = await writeTransactions(transactions, POLLER_CONCURRENCY);
      await deleteAccounts(accounts);
      return { seconds, items: transactions[0].length };
    };

    const label = (n: number) => n.toLocaleString('en-US');
    const checks: BenchRow[] = [];
    const checkRun = (name: string, run: { accounts: number; interestFen: number }, expectedAccounts: number, expectedFen: number) =>
      checks.push({ name: `${name}: accounts settled, total interest (fen)`, value: `${label(run.accounts)}, ${run.interestFen}`, target: `${label(expectedAccounts)}, ${expectedFen}`, met: run.accounts === expectedAccounts && run.interestFen === expectedFen });

    // 1. warm-up
    const warmUpAccounts = await loadAccounts(WARM_UP, '2023-07-01');
    progress(`warm-up: ${label(WARM_UP)} accounts loaded`);
    const warmUp = await settleYear(2024);
    progress(`warm-up: run 2024 took ${warmUp.seconds.toFixed(1)} s`);
    await deleteAccounts(warmUpAccounts);

    // 2. small
    const l0 = performance.now();
    const small = await loadAccounts(SMALL, '2024-07-01');
    const smallLoadSeconds = (performance.now() - l0) / 1000;
    progress(`${label(SMALL)} accounts loaded in ${smallLoadSeconds.toFixed(1)} s`);
    const smallRun = await settleYear(2025);
    progress(`run 2025 over ${label(SMALL)} accounts took ${smallRun.seconds.toFixed(1)} s`);
    const smallInterest = small.map((a) => yearInterestFen(a.balanceFen));
    checkRun(`run 2025 over ${label(SMALL)} accounts`, smallRun, SMALL, smallInterest.reduce((s, f) => s + f, 0));

    // 3. raw, first half
    const rawBefore = await rawSettlement(RAW / 2);

    // 4. large
    const l1 = performance.now();
    const added = await loadAccounts(LARGE - SMALL, '2024-07-01');
    const largeLoadSeconds = (performance.now() - l1) / 1000;
    progress(`raw, first half: ${rawBefore.seconds.toFixed(1)} s; ${label(LARGE - SMALL)} more accounts loaded in ${largeLoadSeconds.toFixed(1)} s`);
    const largeRun = await settleYear(2026);
    progress(`run 2026 over ${label(LARGE)} accounts took ${largeRun.seconds.toFixed(1)} s`);
    const balancesAtJuly2025 = [...small.map((a, i) => a.balanceFen + smallInterest[i]), ...added.map((a) => a.balanceFen)];
    checkRun(`run 2026 over ${label(LARGE)} accounts`, largeRun, LARGE, balancesAtJuly2025.reduce((s, b) => s + yearInterestFen(b), 0));

    // 5. raw, second half
    const rawAfter = await rawSettlement(RAW / 2);

    const rawRate = RAW / (rawBefore.seconds + rawAfter.seconds);
    const largeRate = LARGE / largeRun.seconds;
    const timeRatio = largeRun.seconds / smallRun.seconds;
    return [
      { name: `warm-up: run 2024 over ${label(WARM_UP)} accounts (not in the figures)`, value: `${warmUp.seconds.toFixed(1)} s`, target: 'informational', met: null },
      { name: `load ${label(SMALL)} accounts, then ${label(LARGE - SMALL)} more (BatchWriteItem, ${WRITE_CONCURRENCY} writers)`, value: `${smallLoadSeconds.toFixed(1)} s, ${largeLoadSeconds.toFixed(1)} s`, target: 'informational', met: null },
      { name: `settle ${label(SMALL)} accounts (202 → COMPLETED): time / throughput`, value: `${smallRun.seconds.toFixed(1)} s / ${Math.round(SMALL / smallRun.seconds)} accounts/s`, target: 'informational', met: null },
      { name: `settle ${label(LARGE)} accounts (202 → COMPLETED): time / throughput`, value: `${largeRun.seconds.toFixed(1)} s / ${Math.round(largeRate)} accounts/s`, target: 'informational', met: null },
      { name: `time ratio ${label(LARGE)} / ${label(SMALL)} accounts (${LARGE / SMALL}× the accounts)`, value: `${timeRatio.toFixed(2)}×`, target: `≤ ${TARGET_TIME_RATIO}×`, met: timeRatio <= TARGET_TIME_RATIO },
      { name: `raw TransactWriteItems of the same shape (${rawBefore.items} items per ${ACCOUNTS_PER_TRANSACTION} accounts), concurrency ${POLLER_CONCURRENCY}, half before and half after`, value: `${Math.round(rawRate)} accounts/s`, target: 'reference', met: null },
      { name: `throughput ratio stack (${label(LARGE)} accounts) / raw`, value: (largeRate / rawRate).toFixed(2), target: 'informational', met: null },
      ...checks,
    ];
  } finally {
    await runtime.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printTable('Interest settlement (结息)', await runInterestBench());
  process.exit(0);
}
