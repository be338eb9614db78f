// Helpers of the supervision tests: audit runs and findings over HTTP, and a loan-eligible depositor.
import { expect } from 'vitest';
import { call } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount } from '../../shared/ledger/ledger.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';

/** Starts an audit run and waits until it completed. */
export async function runAudit(token: string, withinMs = 120_000) {
  const started = await call('POST', '/v1/supervision/audit-runs', { token });
  expect(started.status).toBe(202);
  const runId = started.body.runId as string;
  const end = Date.now() + withinMs;
  for (;;) {
    const run = await call('GET', `/v1/supervision/audit-runs/${runId}`, { token });
    expect(run.status).toBe(200);
    if (run.body.status === 'COMPLETED') return run.body;
    if (Date.now() > end) throw new Error(`audit run ${runId} did not complete: ${JSON.stringify(run.body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every finding of a rule with the status, all pages. */
export async function allFindings(token: string, rule: string, status: 'OPEN' | 'RESOLVED' = 'OPEN') {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await call('GET', `/v1/supervision/findings?status=${status}&rule=${rule}&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token });
    expect(page.status).toBe(200);
    out.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return out;
}

/** The open findings of a rule about one subject. */
export const openFindingsOf = async (token: string, rule: string, subject: string) => (await allFindings(token, rule)).filter((f) => f.subject === subject);

/** An account with 6 consecutive monthly remittances up to last month: eligible for a loan. */
export async function depositor(branch: string) {
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId('1990-05-05'), balanceFen: 5_000_000 });
  const current = periodOf(businessDate());
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: 300_000, type: 'REMITTANCE' as const, period: addMonths(current, i - 6), ref: 'fixture', valueDate: businessDate() }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}
