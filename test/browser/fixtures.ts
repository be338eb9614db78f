// Fixtures of the console's browser tests: an account eligible for a loan (six months of deposits,
// written through the ledger) and a loan applied, approved and disbursed over HTTP as the e2e tests do.
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { call, memberToken, staffToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { disbursementPaid, SELLER } from '../support/seller.ts';
import { commit } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';

/** An account with six consecutive monthly remittances up to last month (eligible for a loan). */
export async function depositor(branch: string, monthlyFen = 100_000): Promise<Account> {
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId('1995-03-15') }); // young enough for any term
  const today = businessDate();
  const current = periodOf(today);
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: monthlyFen, type: 'REMITTANCE' as const, period: addMonths(current, i - 6), ref: 'fixture-remittance', valueDate: today }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}

/** The member applies for a 12-month loan of 30000.00 (APPLIED): the loan id. */
export async function appliedLoan(account: Account): Promise<string> {
  const applied = await call('POST', '/v1/loans', {
    token: await memberToken(account.accountNo),
    body: { accountNo: account.accountNo, amount: '30000', housePrice: '2000000', firstHome: true, termMonths: 12, monthlyIncome: '20000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT' },
  });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  expect(applied.body.status).toBe('APPLIED');
  return applied.body.loanId as string;
}

/**
 * Applies (the member), approves and disburses today (staff of the branch) a 12-month loan of
 * 30000.00 due on `dueDay`, and waits until the bank has answered the disbursement's payment (the
 * result rewrites the loan's record): the loan id.
 */
export async function disbursedLoan(branch: string, account: Account, dueDay = 10): Promise<string> {
  const loanId = await appliedLoan(account);
  const staff = await staffToken(branch);
  expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: staff })).status).toBe(200);
  const disbursed = await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn: businessDate(), dueDay } });
  expect(disbursed.status, JSON.stringify(disbursed.body)).toBe(200);
  await disbursementPaid(loanId, staff);
  return loanId;
}

/** The bytes of a download the page starts with `click`. */
export async function downloaded(page: Page, click: () => Promise<void>): Promise<{ bytes: Buffer; fileName: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return { bytes: Buffer.concat(chunks), fileName: download.suggestedFilename() };
}
