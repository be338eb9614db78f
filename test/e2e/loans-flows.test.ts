// Loans' v1.1 flows over HTTP against the local runtime (domain.md §4, api.md v1.1): a hardship
// deferral whose installments move to the end and a borrower who resumes paying and is never overdue;
// a full prepayment charging interest to the day; penalty interest rounded once over 18 days; the
// co-borrower's consent. The daily run is driven through POST /_local/schedules/loans-daily {date}.
// Loans are disbursed in the past (the approval is back-dated in the store first, since a disbursement
// may not precede its approval) so that due dates can pass up to today.
import { describe, expect, it } from 'vitest';
import { SELLER } from '../support/seller.ts';
import { randomUUID } from 'node:crypto';
import { baseUrl, call, memberToken, staffToken, auditorToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import { addDays, addMonths, businessDate, daysBetween, periodOf } from '../../shared/clock.ts';
import { D, fenToYuan, yuanToFen } from '../../shared/money.ts';
import { newAccountNo } from '../../shared/ids.ts';
import { readArchive } from '../../shared/archive.ts';
import { getLoan as storedLoan, loanWriteItems } from '../../functions/loans/store.ts';
import { borrowerFlags, loanTotals } from '../../functions/loans/public.ts';
import { monthlyDueDate } from '../../functions/loans/domain/amortization.ts';

const newBranch = () => `LF${randomUUID().slice(0, 8)}`;
const today = businessDate();

async function depositor(branch: string, monthlyFen: number, months = 6): Promise<Account> {
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId('1995-03-15', 'M') });
  const current = periodOf(today);
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: months }, (_, i) => ({ amountFen: monthlyFen, type: 'REMITTANCE' as const, period: addMonths(current, i - months), ref: 'fixture-remittance', valueDate: today }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}

const application = (accountNo: string, over: Record<string, unknown> = {}) => ({
  accountNo, housePrice: '2000000', firstHome: true, termMonths: 12, monthlyIncome: '50000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT', ...over,
});

/** Applies, approves (approval back-dated to `disbursedOn`) and disburses on `disbursedOn`: the loan id. */
async function loanSince(branch: string, account: Account, body: Record<string, unknown>, disbursedOn: string, dueDay: number): Promise<string> {
  const applied = await call('POST', '/v1/loans', { token: await memberToken(account.accountNo), body: { ...application(account.accountNo, body) } });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  const loanId = applied.body.loanId as string;
  expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: await staffToken(branch) })).status).toBe(200);
  await commit({
    plan: async () => {
      const loan = (await storedLoan(loanId))!;
      return { items: loanWriteItems(loan, { ...loan, appliedOn: disbursedOn, decision: { ...loan.decision!, on: disbursedOn } }), body: null };
    },
  });
  const disbursed = await call('POST', `/v1/loans/${loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn, dueDay } });
  expect(disbursed.status, JSON.stringify(disbursed.body)).toBe(200);
  return loanId;
}

async function runDaily(date: string) {
  const res = await fetch(`${baseUrl()}/_local/schedules/loans-daily?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ date }) });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body).toMatchObject({ date, drained: true });
}

const schedule = async (loanId: string, branch: string) => (await call('GET', `/v1/loans/${loanId}/schedule`, { token: await staffToken(branch) })).body.installments as any[];
const getLoan = async (loanId: string, branch: string) => (await call('GET', `/v1/loans/${loanId}`, { token: await staffToken(branch) })).body;
const bankRepay = (loanId: string, branch: string, amount: string, paidOn: string) =>
  staffToken(branch).then((token) => call('POST', `/v1/loans/${loanId}/repayments`, { token, body: { amount, paidOn, bankRef: `BR-${randomUUID().slice(0, 12)}` } }));

describe('hardship deferral: installments move to the end; a borrower who resumes paying is never overdue', () => {
  it('moves the rows, reports maturityDate, pays what is due after the window, and the daily run marks nothing overdue', async () => {
    const branch = newBranch();
    const a = await depositor(branch, 500_000);
    const start = `${addMonths(periodOf(today), -8)}-10`; // e.g. 2026-04-10: installments from 2026-05-10
    const loanId = await loanSince(branch, a, { amount: '100000' }, start, 10);
    const due = (k: number) => monthlyDueDate(start, k, 10);
    const before = await schedule(loanId, branch);
    expect(before.map((r) => r.dueDate)).toEqual(Array.from({ length: 12 }, (_, i) => due(i + 1)));
    const m = before[0].payment; // 8,437.73 each (2.10%, 12 months)
    expect((await bankRepay(loanId, branch, m, due(1))).body.installments).toEqual([1]);

    // installments 2 and 3 deferred: after installment 12 (due(12)), one a month, amounts unchanged
    const deferral = await call('POST', `/v1/loans/${loanId}/deferrals`, { token: await staffToken(branch), body: { fromPeriod: periodOf(due(2)), toPeriod: periodOf(due(3)), reason: 'illness' } });
    expect(deferral.status, JSON.stringify(deferral.body)).toBe(201);
    expect(deferral.body).toMatchObject({ installments: [2, 3], maturityDate: due(14) });
    const rows = await schedule(loanId, branch);
    expect(rows.map((r) => r.no)).toEqual([1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 2, 3]);
    expect(rows.slice(-2)).toEqual([
      expect.objectContaining({ no: 2, status: 'DEFERRED', dueDate: due(13), deferredFrom: due(2), payment: before[1].payment, principal: before[1].principal, interest: before[1].interest, penaltyInterest: '0.00', creditReportable: false }),
      expect.objectContaining({ no: 3, status: 'DEFERRED', dueDate: due(14), deferredFrom: due(3), payment: before[2].payment }),
    ]);
    expect(await getLoan(loanId, branch)).toMatchObject({ maturityDate: due(14), nextDue: { no: 4, dueDate: due(4) } });

    // after the window the bank pays what is due then (installment 4), never a deferred one
    expect((await bankRepay(loanId, branch, fenToYuan(yuanToFen(m) * 2), due(4))).body.code).toBe('POLICY_VIOLATION');
    const fourth = await bankRepay(loanId, branch, m, due(4));
    expect(fourth.status, JSON.stringify(fourth.body)).toBe(201);
    expect(fourth.body).toMatchObject({ installments: [4], penaltyInterest: '0.00' });
    await runDaily(addDays(due(4), 1));
    // and so on up to today: nothing is ever overdue because of the deferral
    for (let k = 5; due(k) <= today; k++) {
      expect((await bankRepay(loanId, branch, m, due(k))).body.installments).toEqual([k]);
      await runDaily(addDays(due(k), 1));
    }
    await runDaily(today);
    const loan = await getLoan(loanId, branch);
    expect(loan).toMatchObject({ status: 'ACTIVE', overdue: { installments: 0, amount: '0.00', penaltyInterest: '0.00' }, riskClass: 'NORMAL', maturityDate: due(14) });
    const after = await schedule(loanId, branch);
    expect(after.filter((r) => r.status === 'OVERDUE')).toEqual([]);
    expect(after.filter((r) => r.status === 'DEFERRED').map((r) => r.no)).toEqual([2, 3]);
    expect((await borrowerFlags(a.accountNo)).hasOverdueLoan ?? false).toBe(false);
    expect((await loanTotals([branch])).overduePrincipalFen).toBe(0);
    const archive = (await readArchive('LOAN', loanId)).map((r) => r.action);
    expect(archive).toEqual(expect.arrayContaining(['APPLIED', 'APPROVED', 'DISBURSED', 'BANK_REPAYMENT', 'DEFERRED']));
  });
});

describe('full prepayment: the payoff amount with interest to the day, to the fen', () => {
  it('charges principal × rate / 360 × days since the last due date', async () => {
    const branch = newBranch();
    const a = await depositor(branch, 500_000);
    const start = `${addMonths(periodOf(today), -2)}-15`;
    const loanId = await loanSince(branch, a, { amount: '100000' }, start, 15);
    const rows = await schedule(loanId, branch);
    expect(rows[0].dueDate <= today && rows[1].dueDate > today).toBe(true);
    expect((await bankRepay(loanId, branch, rows[0].payment, rows[0].dueDate)).status).toBe(201);
    // 100,000.00 − the first installment's principal, for the days from its due date to today at 2.10%
    const principalFen = 10_000_000 - yuanToFen(rows[0].principal);
    const days = daysBetween(rows[0].dueDate, today);
    const interestFen = new D(principalFen).times('0.021').times(days).div(360).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
    expect(interestFen).toBeGreaterThan(0);
    const full = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: await staffToken(branch), body: { full: true, source: 'BANK' } });
    expect(full.status, JSON.stringify(full.body)).toBe(201);
    expect(full.body).toMatchObject({ kind: 'FULL', amount: fenToYuan(principalFen + interestFen), loanStatus: 'CLOSED', outstandingPrincipal: '0.00', paidOffOn: today });
    const after = await schedule(loanId, branch);
    expect(after.at(-1)).toMatchObject({ no: 2, dueDate: today, principal: fenToYuan(principalFen), interest: fenToYuan(interestFen), status: 'PAID' });
    expect(after.reduce((s, r) => s + yuanToFen(r.principal), 0)).toBe(10_000_000);
    expect((await call('GET', `/v1/loans/${loanId}/payoff-certificate`, { token: await memberToken(a.accountNo) })).status).toBe(200);
  });

  it('from the account (the withdrawal flow): `full` pays the payoff amount and closes the loan', async () => {
    const branch = newBranch();
    const a = await depositor(branch, 3_000_000); // 180,000.00
    const start = `${addMonths(periodOf(today), -2)}-15`;
    const loanId = await loanSince(branch, a, { amount: '100000' }, start, 15);
    const rows = await schedule(loanId, branch);
    // installment 1 unpaid and overdue since its due date: paid with its penalty first
    const overdueDays = daysBetween(rows[0].dueDate, today);
    const penaltyFen = new D(yuanToFen(rows[0].payment)).times('0.021').times('1.5').times(overdueDays).div(360).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
    const principalFen = 10_000_000 - yuanToFen(rows[0].principal);
    const interestFen = new D(principalFen).times('0.021').times(overdueDays).div(360).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
    const total = yuanToFen(rows[0].payment) + penaltyFen + principalFen + interestFen;
    const balance = (await mustGetAccount(a.accountNo)).balanceFen;
    const res = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: await memberToken(a.accountNo), body: { full: true, source: 'ACCOUNT' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ loanStatus: 'CLOSED', amount: fenToYuan(total), withdrawalId: expect.any(String), outstandingPrincipal: '0.00' });
    expect((await mustGetAccount(a.accountNo)).balanceFen).toBe(balance - total);
    const w = await call('GET', `/v1/withdrawals/${res.body.withdrawalId}`, { token: await memberToken(a.accountNo) });
    expect(w.body).toMatchObject({ reason: 'HPF_LOAN_REPAYMENT', amount: fenToYuan(total) });
    expect((await readArchive('LOAN', loanId)).map((r) => r.action)).toContain('ACCOUNT_REPAYMENT');
  });
});

describe('overdue: penalty interest rounded once', () => {
  it('18 days on 4,003.40 at 2.60% × 1.5 / 360 = 7.81 after a daily run every day', async () => {
    const branch = newBranch();
    const a = await depositor(branch, 900_000); // 54,000.00 → 20 × = 1,080,000.00
    const firstDue = addDays(today, -18);
    const dueDay = Number(firstDue.slice(8, 10));
    expect(dueDay, 'the test needs a due day every month has').toBeLessThanOrEqual(28);
    const loanId = await loanSince(branch, a, { amount: '1000000', termMonths: 360, monthlyIncome: '20000' }, monthlyDueDate(firstDue, -1, dueDay), dueDay);
    expect((await schedule(loanId, branch))[0]).toMatchObject({ dueDate: firstDue, payment: '4003.40', principal: '1836.73' });
    for (let d = addDays(firstDue, 1); d <= today; d = addDays(d, 1)) await runDaily(d);
    // 400,340 × 0.026 × 1.5 × 18 / 360 = 780.663 → 7.81 (rounded each day: 7.74)
    expect((await schedule(loanId, branch))[0]).toMatchObject({ status: 'OVERDUE', penaltyInterest: '7.81' });
    expect((await getLoan(loanId, branch)).overdue).toEqual({ installments: 1, amount: '4003.40', penaltyInterest: '7.81' });
    expect((await loanTotals([branch])).overduePrincipalFen).toBe(183_673);
    const paid = await bankRepay(loanId, branch, '4011.21', today);
    expect(paid.body).toMatchObject({ penaltyInterest: '7.81', principal: '1836.73', interest: '2166.67', installments: [1] });
    expect((await loanTotals([branch])).overduePrincipalFen).toBe(0);
  });
});

describe('co-borrower consent (api.md v1.1)', () => {
  it('a member names a co-borrower only with their consent; staff of the co-borrower’s branch need none', async () => {
    const branchA = newBranch();
    const branchB = newBranch();
    const a = await depositor(branchA, 500_000);
    const b = await openFundedAccount({ branch: branchB, balanceFen: 7_777_700 });
    const member = await memberToken(a.accountNo);
    const body = application(a.accountNo, { coBorrowerAccountNo: b.accountNo, borrowerCategory: 'STANDARD', termMonths: 360 });
    const missing = { status: 422, code: 'NOT_ELIGIBLE', errors: [{ path: 'body.coBorrowerAccountNo', message: 'CO_BORROWER_CONSENT_MISSING' }] };
    const answer = (res: any) => ({ status: res.status, code: res.body.code, errors: res.body.errors });

    // no consent, or an account that does not exist: the same answer, nothing about the account
    const none = await call('POST', '/v1/loan-quotes', { token: member, body });
    expect(answer(none)).toEqual(missing);
    const ghost = await call('POST', '/v1/loan-quotes', { token: member, body: { ...body, coBorrowerAccountNo: newAccountNo() } });
    expect(answer(ghost)).toEqual(missing);
    expect(ghost.body.detail).toBe(none.body.detail);
    expect(JSON.stringify(none.body)).not.toContain('77777');
    expect(answer(await call('POST', '/v1/loans', { token: member, body: { ...body, amount: '100000' } }))).toEqual(missing);

    // staff of the co-borrower's branch (paper consent) may; staff of the borrower's branch only may not
    expect((await call('POST', '/v1/loan-quotes', { token: await staffToken('*'), body })).status).toBe(200);
    expect(answer(await call('POST', '/v1/loan-quotes', { token: await staffToken(branchA), body }))).toEqual(missing);

    // the co-borrower consents with their own sign-in: 90 days
    expect((await call('POST', '/v1/co-borrower-consents', { token: member, body: { borrowerAccountNo: a.accountNo } })).status).toBe(400); // not for oneself
    const given = await call('POST', '/v1/co-borrower-consents', { token: await memberToken(b.accountNo), body: { borrowerAccountNo: a.accountNo } });
    expect(given.status, JSON.stringify(given.body)).toBe(201);
    expect(given.body).toEqual({ consentId: expect.any(String), borrowerAccountNo: a.accountNo, coBorrowerAccountNo: b.accountNo, validUntil: addDays(today, 90) });
    expect((await call('POST', '/v1/co-borrower-consents', { token: await staffToken('*'), body: { borrowerAccountNo: a.accountNo } })).status).toBe(403);
    const quote = await call('POST', '/v1/loan-quotes', { token: member, body });
    expect(quote.status, JSON.stringify(quote.body)).toBe(200);
    // combined balance: 30,000.00 + 77,777.00 → 20 × = 2,155,540.00
    expect(quote.body.limits.balanceMultiple).toBe('2155540.00');

    // withdrawn by the consenting member only (others: 404); then the quote is refused again
    const path = `/v1/co-borrower-consents/${given.body.consentId}`;
    expect((await call('DELETE', path, { token: member })).status).toBe(404);
    expect((await call('DELETE', path, { token: await staffToken('*') })).status).toBe(403);
    expect((await call('DELETE', path, { token: await memberToken(b.accountNo) })).status).toBe(204);
    expect(answer(await call('POST', '/v1/loan-quotes', { token: member, body }))).toEqual(missing);

    // a new consent; the application uses it up (a second application needs another; a used one cannot be withdrawn)
    const again = await call('POST', '/v1/co-borrower-consents', { token: await memberToken(b.accountNo), body: { borrowerAccountNo: a.accountNo } });
    const applied = await call('POST', '/v1/loans', { token: member, body: { ...body, amount: '100000' } });
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    expect(answer(await call('POST', '/v1/loans', { token: member, body: { ...body, amount: '100000' } }))).toEqual(missing);
    const used = await call('DELETE', `/v1/co-borrower-consents/${again.body.consentId}`, { token: await memberToken(b.accountNo) });
    expect([used.status, used.body.code]).toEqual([409, 'INVALID_STATE']);
    const records = await readArchive('LOAN', applied.body.loanId);
    expect(records.map((r) => r.action).sort()).toEqual(['APPLIED', 'CO_BORROWER_CONSENT_USED']);
    expect(records.find((r) => r.action === 'CO_BORROWER_CONSENT_USED')).toMatchObject({ submitted: { consentId: again.body.consentId }, owner: { branch: branchA, accountNo: a.accountNo, accountNos: [b.accountNo] } });
    // the co-borrower sees the loan; an auditor too
    expect((await call('GET', `/v1/loans/${applied.body.loanId}`, { token: await memberToken(b.accountNo) })).body.coBorrowerAccountNo).toBe(b.accountNo);
    expect((await call('GET', `/v1/loans/${applied.body.loanId}`, { token: await auditorToken() })).status).toBe(200);
  });
});
