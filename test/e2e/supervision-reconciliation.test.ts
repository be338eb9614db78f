// Reconciliation while postings run: remittance-like postings commit throughout an audit run (an
// account read and its entries read at different moments; Σ balances read over the whole scan while
// the control totals move). No false critical finding may come of it, while a real mismatch written
// straight into the ledger table is still found, and found again after it was resolved: the same
// finding reopens.
import { describe, it, expect } from 'vitest';
import { randomUUID, randomInt } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { call, auditorToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { ddb } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { commit } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import { businessDate, periodOf } from '../../shared/clock.ts';
import { allFindings as findings } from './supervision-fixtures.ts';

type Run = { runId: string; status: string; segments: { total: number; done: number }; reconciliation?: { mismatchedBranches: string[]; inconclusiveBranches: string[] } };

/** Credits of 1.00 to three accounts at a time (one transaction, like a remittance chunk) until `stop()`. */
function postUntil(accounts: readonly Account[], stop: () => boolean) {
  let posted = 0;
  const worker = async () => {
    while (!stop()) {
      const chosen = [...new Set(Array.from({ length: 3 }, () => accounts[randomInt(0, accounts.length)].accountNo))];
      await commit({
        plan: async () => {
          const writes = await Promise.all(chosen.map(async (no) => ({ account: await mustGetAccount(no), postings: [{ amountFen: 100, type: 'REMITTANCE' as const, ref: `race-${randomUUID()}`, valueDate: businessDate(), period: periodOf(businessDate()) }] })));
          return { items: ledgerWrite(writes).items, body: null };
        },
      });
      posted += chosen.length;
    }
  };
  const done = Promise.all([worker(), worker(), worker()]);
  return { done, posted: () => posted };
}

/** Runs an audit while postings commit; the postings stop once every segment was scanned (the run then finalises). */
async function auditWhilePosting(token: string, accounts: readonly Account[]) {
  const started = await call('POST', '/v1/supervision/audit-runs', { token, body: {} });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  let scanned = false;
  const postings = postUntil(accounts, () => scanned);
  let postedWhileScanning = 0;
  const end = Date.now() + 150_000;
  let run: Run;
  for (;;) {
    run = (await call('GET', `/v1/supervision/audit-runs/${started.body.runId}`, { token })).body;
    if (!scanned && run.segments.done < run.segments.total) postedWhileScanning = postings.posted();
    if (run.segments.done >= run.segments.total) scanned = true;
    if (run.status === 'COMPLETED') break;
    if (Date.now() > end) throw new Error(`audit did not complete: ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  scanned = true;
  await postings.done;
  return { run, postedWhileScanning };
}

describe('reconciliation under concurrent postings', () => {
  it('raises nothing for postings that run during the scan; a mismatch written into the ledger is raised, and reopens after it was resolved', async () => {
    const token = await auditorToken();
    const branch = `RR${randomUUID().slice(0, 6)}`;
    const accounts = await Promise.all(Array.from({ length: 24 }, () => openFundedAccount({ branch, balanceFen: 10_000 })));
    const mine = new Set(accounts.map((a) => a.accountNo));
    const listsBranch = (f: any) => (f.evidence.branches ?? []).some((b: any) => b.branch === branch);

    // 1. postings throughout the scan: no finding about these accounts or this branch
    const clean = await auditWhilePosting(token, accounts);
    expect(clean.postedWhileScanning).toBeGreaterThan(0);
    expect(clean.run.reconciliation?.mismatchedBranches).not.toContain(branch);
    for (const status of ['OPEN', 'RESOLVED'] as const) {
      expect((await findings(token, 'RECONCILIATION_ACCOUNT', status)).filter((f) => mine.has(f.subject))).toEqual([]);
      // the hash chain checked over the same reads: postings between the account read and its entries' are no break
      expect((await findings(token, 'LEDGER_CHAIN_BROKEN', status)).filter((f) => mine.has(f.subject))).toEqual([]);
      expect((await findings(token, 'RECONCILIATION_TOTALS', status)).filter(listsBranch)).toEqual([]);
    }

    // 2. a balance changed straight in the ledger table (no entry, no control total): found, postings or not
    const victim = accounts[0];
    await ddb.send(new UpdateCommand({ TableName: tableName('ledger'), Key: { pk: `ACC#${victim.accountNo}`, sk: 'ACCOUNT' }, UpdateExpression: 'ADD balanceFen :d', ExpressionAttributeValues: { ':d': 7 } }));
    const corrupt = await auditWhilePosting(token, accounts.slice(1));
    const recon = (await findings(token, 'RECONCILIATION_ACCOUNT')).filter((f) => mine.has(f.subject));
    expect(recon).toHaveLength(1);
    expect(recon[0]).toMatchObject({ subject: victim.accountNo, severity: 'CRITICAL', status: 'OPEN', evidence: { differenceFen: 7 } });
    expect((await findings(token, 'LEDGER_CHAIN_BROKEN')).filter((f) => mine.has(f.subject))).toEqual([]); // the balance changed, no entry did
    expect(corrupt.run.reconciliation?.mismatchedBranches).toContain(branch);
    const totals = (await findings(token, 'RECONCILIATION_TOTALS')).filter(listsBranch);
    expect(totals).toHaveLength(1);
    expect(totals[0].evidence.branches.find((b: any) => b.branch === branch)).toMatchObject({ differenceFen: 7 });

    // 3. resolved, then found again by the next run: the same finding reopens (never a second one)
    const resolved = await call('POST', `/v1/supervision/findings/${recon[0].findingId}/resolve`, { token, body: { note: '已核实，待更正' } });
    expect(resolved.status).toBe(200);
    expect((await findings(token, 'RECONCILIATION_ACCOUNT')).filter((f) => f.subject === victim.accountNo)).toEqual([]);
    expect((await findings(token, 'RECONCILIATION_ACCOUNT', 'RESOLVED')).filter((f) => f.subject === victim.accountNo)).toHaveLength(1);
    await auditWhilePosting(token, accounts.slice(1));
    const reopened = (await findings(token, 'RECONCILIATION_ACCOUNT')).filter((f) => f.subject === victim.accountNo);
    expect(reopened).toHaveLength(1);
    expect(reopened[0]).toMatchObject({ findingId: recon[0].findingId, status: 'OPEN', foundAt: recon[0].foundAt, previousResolutions: [{ note: '已核实，待更正' }] });
    expect(reopened[0].reopenedAt > resolved.body.resolution.at).toBe(true);
    expect(reopened[0]).not.toHaveProperty('resolution');
    expect((await findings(token, 'RECONCILIATION_ACCOUNT', 'RESOLVED')).filter((f) => f.subject === victim.accountNo)).toEqual([]);
  }, 480_000);
});
