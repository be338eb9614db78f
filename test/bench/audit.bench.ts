// The electronic audit (电子稽查) over SMALL and then LARGE accounts (10× more), timed end to end
// through the API: POST /v1/supervision/audit-runs as an auditor → poll GET …/{runId} until
// COMPLETED. The fan-out (64 segments, pages of 100 through the audit-segments queue) should make
// the time linear in the number of accounts: target ≤ 11× the time for 10× the accounts.
//
// One local runtime for both sizes (the AWS clients bind their endpoints at module load): load
// SMALL accounts, audit, add LARGE − SMALL accounts, audit again. Accounts are loaded with
// BatchWriteItem straight into the ledger table, in the shapes the ledger itself builds: each
// account is opened with openAccountItems and credited once with ledgerWrite (a DEPOSIT), and the
// account item and entry item those produce are written as they are; the control-total, period-flow
// and branch-registry updates of all of them are summed per key and applied once, so the audit's
// reconciliations (per account and city-wide) hold and a run should raise no finding. The
// one-account-per-ID guard items are not written (the audit does not read them).
//
// Run: npx tsx test/bench/audit.bench.ts
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import { freePort } from '../../infra/local/ports.ts';
import { mintToken } from '../../infra/local/jwt.ts';
import { AddUpdates, batchWrite, distinctAccountNos, type WriteRequest } from './support.ts';
import { printTable, type BenchRow } from './types.ts';

export type { BenchRow };

const SMALL = 10_000;
const LARGE = 100_000;
const TARGET_RATIO = 11;
const WRITE_CONCURRENCY = 8;
const POLL_MS = 200;
const RUN_TIMEOUT_MS = 30 * 60_000;
const BRANCH = 'BENCHAUDIT';
const ACCOUNTS_PER_UNIT = 200;

export async function runAuditBench(): Promise<BenchRow[]> {
  process.env.LOG_LEVEL ??= 'silent';
  const runtime = await startLocalRuntime({ port: await freePort(), scheduler: false, pollerConcurrency: 4 });
  try {
    // imported only now: the DynamoDB client reads the runtime's endpoint at module scope
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { tableName } = await import('../../shared/config.ts');
    const { ddb } = await import('../../shared/ddb.ts');
    const { openAccountItems, ledgerWrite } = await import('../../shared/ledger/ledger.ts');
    const { policyOn } = await import('../../shared/policy.ts');
    const { businessDate } = await import('../../shared/clock.ts');
    const { D, roundFen } = await import('../../shared/money.ts');
    const { randomResidentId } = await import('../support/fixtures.ts');

    const policy = policyOn(businessDate());
    const monthlyBaseFen = policy.base.averageWageFen;
    const ratePercent = policy.contribution.maxRatePercent;
    const openedOn = `${businessDate().slice(0, 4)}-01-01`;
    const accountNos = distinctAccountNos();

    /** Opens and credits `count` accounts: the account and entry items, and the summed totals. */
    async function loadAccounts(count: number): Promise<number> {
      const t0 = performance.now();
      const totals = new AddUpdates();
      /** The credited account item and its entry per account (the opened account item is its version 0). */
      function* requests(): Generator<WriteRequest> {
        for (let made = 0; made < count; made++) {
          const n = accountNos.count;
          const opened = openAccountItems({
            accountNo: accountNos.next(),
            idNumber: randomResidentId(),
            name: '稽查压测',
            kind: 'EMPLOYEE',
            unitId: `UBENCH${Math.floor(n / ACCOUNTS_PER_UNIT)}`,
            branch: BRANCH,
            status: 'NORMAL',
            monthlyBaseFen,
            employerRatePercent: ratePercent,
            employeeRatePercent: ratePercent,
            monthlyAmountFen: 2 * roundFen(new D(monthlyBaseFen).times(ratePercent).div(100)),
            openedOn,
          });
          const credited = ledgerWrite([{ account: opened.account, postings: [{ amountFen: 100_000 + (n % 997) * 100, type: 'DEPOSIT', ref: 'bench', valueDate: openedOn }] }]);
          for (const item of [...opened.items, ...credited.items]) if (item.Update) totals.add(item.Update);
          for (const { Put } of credited.items) if (Put) yield { PutRequest: { Item: Put.Item! } };
        }
      }
      await batchWrite(tableName('ledger'), requests(), WRITE_CONCURRENCY);
      for (const u of totals.updates()) await ddb.send(new UpdateCommand(u));
      return (performance.now() - t0) / 1000;
    }

    const token = await mintToken({ sub: 'auditor-bench', role: 'auditor' });
    const api = async (method: string, path: string) => {
      const res = await fetch(`${runtime.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}) } });
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(body)}`);
      return body;
    };
    /** Seconds from the POST to the run seen COMPLETED, and the run. */
    async function auditRun(): Promise<{ seconds: number; accounts: number; findings: number }> {
      const t0 = performance.now();
      const { runId } = (await api('POST', '/v1/supervision/audit-runs')) as { runId: string };
      for (;;) {
        const run = (await api('GET', `/v1/supervision/audit-runs/${runId}`)) as { status: string; accounts: number; findings: number };
        if (run.status === 'COMPLETED') return { seconds: (performance.now() - t0) / 1000, accounts: run.accounts, findings: run.findings };
        if (run.status !== 'RUNNING' || performance.now() - t0 > RUN_TIMEOUT_MS) throw new Error(`audit run ${runId}: ${JSON.stringify(run)}`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }

    const rows: BenchRow[] = [];
    /** Loads accounts up to `size`, then audits them all. */
    const measure = async (size: number) => {
      const added = size - accountNos.count;
      const loadSeconds = await loadAccounts(added);
      const run = await auditRun();
      if (run.accounts !== size) throw new Error(`the audit run covered ${run.accounts} accounts, ${size} were loaded`);
      const label = size.toLocaleString('en-US');
      rows.push(
        { name: `load ${added.toLocaleString('en-US')} accounts to ${label} (BatchWriteItem, ${WRITE_CONCURRENCY} writers)`, value: `${loadSeconds.toFixed(1)} s`, target: 'informational', met: null },
        { name: `audit run over ${label} accounts: time / throughput`, value: `${run.seconds.toFixed(1)} s / ${Math.round(size / run.seconds)} accounts/s`, target: 'informational', met: null },
        { name: `audit run over ${label} accounts: findings (consistent data)`, value: String(run.findings), target: '0', met: run.findings === 0 },
      );
      return run.seconds;
    };

    const small = await measure(SMALL);
    const large = await measure(LARGE);
    const ratio = large / small;
    rows.push({ name: `audit time ratio ${LARGE.toLocaleString('en-US')} / ${SMALL.toLocaleString('en-US')} accounts (${LARGE / SMALL}× the accounts)`, value: `${ratio.toFixed(2)}×`, target: `≤ ${TARGET_RATIO}×`, met: ratio <= TARGET_RATIO });
    return rows;
  } finally {
    await runtime.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  printTable('Audit benchmark', await runAuditBench());
  process.exit(0);
}
