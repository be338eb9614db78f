// Cross-domain withdrawal flows over HTTP against the local runtime (api.md v1.1 "Cross-domain flows"):
// an overdue borrower may only withdraw HPF_LOAN_REPAYMENT, which pays the overdue installment with
// its penalty in the withdrawal's own transaction; a repayment that prepays principal (REDUCE_PAYMENT,
// then `full` = as much as the balance allows, REDUCE_TERM); a payoff that closes the loan; the
// review queue (order, reviewDueOn, overdueForReview, branch scoping, cursor); frozen accounts.
//
// Loans are built through the public HTTP API (apply, approve, disburse, then the loans-daily schedule
// for today), with ONE exception: a disbursement may not precede its approval (the loans domain's
// rule) and an approval is dated today, so to disburse in the past the approval is back-dated in the
// loans store first, exactly as test/e2e/loans-flows.test.ts does. Accounts are funded through the
// ledger fixture. Every expected amount is derived here from domain.md's rules, independently of the
// loans domain's code.
import { describe, expect, it } from 'vitest';
import { SELLER, disbursementPaid } from '../support/seller.ts';
import { randomUUID } from 'node:crypto';
import { baseUrl, call, memberToken, staffToken, auditorToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { allEntries, ledgerWrite, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import { readArchive } from '../../shared/archive.ts';
import { addDays, addMonths, businessDate, daysBetween, periodOf } from '../../shared/clock.ts';
import { D, fenToYuan, yuanToFen } from '../../shared/money.ts';
import { policyOn } from '../../shared/policy.ts';
import { newWithdrawal } from '../../functions/withdrawals/domain/withdrawal.ts';
import { putWithdrawalItem } from '../../functions/withdrawals/store.ts';
import { withdrawalForRating } from '../../functions/withdrawals/public.ts';
import { getLoan as storedLoan, loanWriteItems } from '../../functions/loans/store.ts';
import { borrowerFlags } from '../../functions/loans/public.ts';

const T = businessDate();
const PAYEE = '6222021234567890123';
const RATE = '0.021'; // first home, term ≤ 5 years (domain.md §4)
const newBranch = (tag: string) => `${tag}${randomUUID().slice(0, 8)}`;
const rent = { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' };

/** An account with 6 consecutive monthly remittances up to last month: eligible for a loan. */
async function depositor(branch: string, monthlyFen: number): Promise<Account> {
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId('1990-03-15', 'M') });
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: monthlyFen, type: 'REMITTANCE' as const, period: addMonths(periodOf(T), i - 6), ref: 'fixture-remittance', valueDate: addDays(T, -200) }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}

/** 100,000.00 over 12 months, equal installments, applied by the member, approved and disbursed by staff. */
async function loanOf(branch: string, account: Account, disbursedOn: string, dueDay: number): Promise<string> {
  const staff = await staffToken(branch);
  const applied = await call('POST', '/v1/loans', {
    token: await memberToken(account.accountNo),
    body: { accountNo: account.accountNo, housePrice: '2000000', firstHome: true, termMonths: 12, monthlyIncome: '40000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT', amount: '100000' },
  });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  const loanId = applied.body.loanId as string;
  const approved = await call('POST', `/v1/loans/${loanId}/approve`, { token: staff });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  if (disbursedOn < T) {
    // the one step not over HTTP: back-date the application and approval to the disbursement day
    await commit({
      plan: async () => {
        const loan = (await storedLoan(loanId))!;
        return { items: loanWriteItems(loan, { ...loan, appliedOn: disbursedOn, decision: { ...loan.decision!, on: disbursedOn } }), body: null };
      },
    });
  }
  const disbursed = await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn, dueDay } });
  expect(disbursed.status, JSON.stringify(disbursed.body)).toBe(200);
  await disbursementPaid(loanId, staff);
  return loanId;
}

const getLoan = async (loanId: string, branch: string) => (await call('GET', `/v1/loans/${loanId}`, { token: await staffToken(branch) })).body;
const getSchedule = async (loanId: string, branch: string) => (await call('GET', `/v1/loans/${loanId}/schedule`, { token: await staffToken(branch) })).body.installments as any[];
const balanceOf = async (accountNo: string) => (await mustGetAccount(accountNo)).balanceFen;

async function loansDaily(date: string) {
  const res = await fetch(`${baseUrl()}/_local/schedules/loans-daily?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ date }) });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** 等额本息 by domain.md §4: M = round(P·r(1+r)^n / ((1+r)^n − 1)), r = annual/12, half-up. */
const annuityFen = (principalFen: number, n: number) => {
  const r = new D(RATE).div(12);
  const g = r.plus(1).pow(n);
  return new D(principalFen).times(r).times(g).div(g.minus(1)).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
};
/** Penalty interest by domain.md §4: overdue amount × annual rate × 1.5 / 360 × days, rounded once, half-up. */
const penaltyFen = (overdueFen: number, days: number) => new D(overdueFen).times(RATE).times('1.5').times(days).div(360).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
const sumPrincipalFen = (rows: any[]) => rows.reduce((s, r) => s + yuanToFen(r.principal), 0);
const unpaid = (rows: any[]) => rows.filter((r) => r.status !== 'PAID');

const withdraw = async (account: Account, body: Record<string, unknown>) =>
  call('POST', '/v1/withdrawals', { token: await memberToken(account.accountNo), body: { accountNo: account.accountNo, ...body } });

/** The latest day ≤ T − 5 whose day of month is ≤ 28 (a due day every month has). */
function recentDueDate(): string {
  let d = addDays(T, -5);
  while (Number(d.slice(8, 10)) > 28) d = addDays(d, -1);
  return d;
}

describe('an overdue borrower withdraws only to repay the loan, in one transaction', () => {
  it('refuses any other reason; HPF_LOAN_REPAYMENT pays the overdue installment with its penalty (balance, entries, schedule, loan to the fen)', async () => {
    const branch = newBranch('WF');
    const borrower = await depositor(branch, 300_000); // 6 × 3,000.00 = 18,000.00
    const firstDue = recentDueDate();
    const dueDay = Number(firstDue.slice(8, 10));
    const disbursedOn = `${addMonths(periodOf(firstDue), -1)}-${firstDue.slice(8, 10)}`;
    const loanId = await loanOf(branch, borrower, disbursedOn, dueDay);
    await loansDaily(T);

    const before = await getLoan(loanId, branch);
    const rowsBefore = await getSchedule(loanId, branch);
    expect(rowsBefore[0]).toMatchObject({ no: 1, dueDate: firstDue, status: 'OVERDUE' });
    expect(rowsBefore.slice(1).every((r) => r.status === 'DUE' && r.dueDate > T)).toBe(true);
    const paymentFen = annuityFen(10_000_000, 12);
    expect(yuanToFen(rowsBefore[0].payment)).toBe(paymentFen);
    const interest1 = new D(10_000_000).times(RATE).div(12).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
    expect(rowsBefore[0]).toMatchObject({ interest: fenToYuan(interest1), principal: fenToYuan(paymentFen - interest1) });
    const days = daysBetween(firstDue, T);
    const penalty = penaltyFen(paymentFen, days);
    expect(before.overdue).toMatchObject({ installments: 1, amount: fenToYuan(paymentFen) });
    expect((await borrowerFlags(borrower.accountNo)).hasOverdueLoan).toBe(true);

    // any other reason is refused with a clear code, and nothing changes
    const balance0 = await balanceOf(borrower.accountNo);
    const entries0 = (await allEntries(borrower.accountNo)).length;
    for (const body of [
      { reason: 'RENT', amount: '100', payeeBankAccount: PAYEE, evidence: rent },
      { reason: 'COMMERCIAL_LOAN_REPAYMENT', amount: '100', payeeBankAccount: PAYEE, evidence: { bankName: '中国银行', loanContractNo: 'SD-1', outstandingAmount: '200000' } },
      { reason: 'HPF_LOAN_REPAYMENT', amount: '100', payeeBankAccount: PAYEE, evidence: { centerCode: '310000', loanContractNo: 'GJJ-1' } },
      { reason: 'RETIREMENT', full: true, payeeBankAccount: PAYEE, evidence: { retirementDate: addDays(T, -1) } },
    ]) {
      const refused = await withdraw(borrower, body);
      expect([refused.status, refused.body.code, refused.body.errors], body.reason).toEqual([422, 'NOT_ELIGIBLE', [{ path: 'body.reason', message: 'OVERDUE_LOAN_REPAYMENT_ONLY' }]]);
    }
    expect(await balanceOf(borrower.accountNo)).toBe(balance0);
    expect((await allEntries(borrower.accountNo)).length).toBe(entries0);

    // exactly the overdue installment with its penalty: no payee bank account
    const amountFen = paymentFen + penalty;
    const repaid = await withdraw(borrower, { reason: 'HPF_LOAN_REPAYMENT', amount: fenToYuan(amountFen), evidence: { loanId } });
    expect(repaid.status, JSON.stringify(repaid.body)).toBe(201);
    const principal1 = paymentFen - interest1;
    expect(repaid.body).toMatchObject({
      status: 'PAID',
      reason: 'HPF_LOAN_REPAYMENT',
      reasonCode: '06',
      amount: fenToYuan(amountFen),
      loanRepayment: { loanId, installmentsPaid: [1], principalPrepaid: '0.00', outstandingPrincipal: fenToYuan(10_000_000 - principal1) },
    });
    const withdrawalId = repaid.body.withdrawalId as string;

    // the account: debited once, by this withdrawal, and no longer overdue
    const after = await mustGetAccount(borrower.accountNo);
    expect(after.balanceFen).toBe(balance0 - amountFen);
    const flags = await borrowerFlags(borrower.accountNo);
    expect(flags.hasOverdueLoan).toBe(false);
    expect(flags.activeLoanId).toBe(loanId);
    const entries = await allEntries(borrower.accountNo);
    expect(entries.length).toBe(entries0 + 1);
    const debit = entries[entries.length - 1];
    expect(debit).toMatchObject({ type: 'WITHDRAWAL', amountFen: -amountFen, balanceAfterFen: balance0 - amountFen, ref: withdrawalId });
    const record = (await call('GET', `/v1/withdrawals/${withdrawalId}`, { token: await memberToken(borrower.accountNo) })).body;
    expect(record.entryIds).toEqual([debit.entryId]);
    expect(record).not.toHaveProperty('payeeBankAccount');

    // the loan: installment 1 PAID, nothing overdue, the rest untouched
    const rows = await getSchedule(loanId, branch);
    expect(rows[0]).toMatchObject({ no: 1, status: 'PAID' });
    expect(rows.slice(1).map((r) => [r.status, r.payment])).toEqual(rowsBefore.slice(1).map((r) => ['DUE', r.payment]));
    const loan = await getLoan(loanId, branch);
    expect(loan).toMatchObject({ status: 'ACTIVE', outstandingPrincipal: fenToYuan(10_000_000 - principal1), overdue: { installments: 0, amount: '0.00' } });
    expect(sumPrincipalFen(unpaid(rows))).toBe(10_000_000 - principal1);

    // listed as a withdrawal of the account, and archived with what was submitted
    const list = (await call('GET', `/v1/accounts/${borrower.accountNo}/withdrawals`, { token: await memberToken(borrower.accountNo) })).body.items;
    expect(list.map((w: any) => [w.withdrawalId, w.reason, w.status])).toEqual([[withdrawalId, 'HPF_LOAN_REPAYMENT', 'PAID']]);
    const archive = await readArchive('WITHDRAWAL', withdrawalId);
    expect(archive).toHaveLength(1);
    expect(archive[0]).toMatchObject({ action: 'SUBMIT', actor: { role: 'member' }, owner: { branch, accountNo: borrower.accountNo }, submitted: { reason: 'HPF_LOAN_REPAYMENT', evidence: { loanId } }, decision: { status: 'PAID', amount: fenToYuan(amountFen) } });

    // no longer overdue: other reasons are allowed again
    const rentNow = await withdraw(borrower, { reason: 'RENT', amount: '100', payeeBankAccount: PAYEE, evidence: rent });
    expect([rentNow.status, rentNow.body.status]).toEqual([201, 'PAID']);
  });
});

describe('a repayment beyond what is due prepays principal', () => {
  it('REDUCE_PAYMENT keeps the term; full: true takes the whole balance when it is below the payoff amount (REDUCE_TERM)', async () => {
    const branch = newBranch('WP');
    const borrower = await depositor(branch, 400_000); // 24,000.00
    const disbursedOn = addDays(T, -3);
    const loanId = await loanOf(branch, borrower, disbursedOn, Math.min(28, Number(disbursedOn.slice(8, 10))));
    const rows0 = await getSchedule(loanId, branch);
    expect(rows0.every((r) => r.status === 'DUE' && r.dueDate > T)).toBe(true);
    const balance0 = await balanceOf(borrower.accountNo);
    expect(balance0).toBe(2_400_000);

    const first = await withdraw(borrower, { reason: 'HPF_LOAN_REPAYMENT', amount: '5000', recalculation: 'REDUCE_PAYMENT', evidence: { loanId } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ status: 'PAID', amount: '5000.00', loanRepayment: { loanId, installmentsPaid: [], principalPrepaid: '5000.00', outstandingPrincipal: '95000.00' } });
    const rows1 = await getSchedule(loanId, branch);
    expect(unpaid(rows1)).toHaveLength(12); // the term stays
    expect(sumPrincipalFen(unpaid(rows1))).toBe(9_500_000);
    // the payment drops to 等额本息 of 95,000.00 over the 12 installments
    expect(yuanToFen(rows1[1].payment)).toBe(annuityFen(9_500_000, 12));
    expect(yuanToFen(rows1[1].payment)).toBeLessThan(yuanToFen(rows0[1].payment));
    expect(await balanceOf(borrower.accountNo)).toBe(balance0 - 500_000);

    // full: as much as possible = min(balance, payoff amount) = the remaining 19,000.00; REDUCE_TERM by default
    const second = await withdraw(borrower, { reason: 'HPF_LOAN_REPAYMENT', full: true, evidence: {} });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body).toMatchObject({ status: 'PAID', amount: '19000.00', loanRepayment: { loanId, installmentsPaid: [], principalPrepaid: '19000.00', outstandingPrincipal: '76000.00', recalculation: 'REDUCE_TERM' } });
    const rows2 = unpaid(await getSchedule(loanId, branch));
    // the payment is kept and the term shortens: 76,000.00 at the kept payment needs fewer than 12
    const kept = yuanToFen(rows1[1].payment);
    expect(rows2.length).toBeLessThan(12);
    expect(rows2.slice(0, -1).every((r) => yuanToFen(r.payment) === kept)).toBe(true);
    expect(yuanToFen(rows2[rows2.length - 1].payment)).toBeLessThanOrEqual(kept);
    expect(sumPrincipalFen(rows2)).toBe(7_600_000);
    expect(await balanceOf(borrower.accountNo)).toBe(0);
    expect((await getLoan(loanId, branch)).outstandingPrincipal).toBe('76000.00');

    const debits = (await allEntries(borrower.accountNo)).filter((e) => e.type === 'WITHDRAWAL');
    expect(debits.map((e) => [e.amountFen, e.ref])).toEqual([
      [-500_000, first.body.withdrawalId],
      [-1_900_000, second.body.withdrawalId],
    ]);
    // an empty account repays nothing
    const empty = await withdraw(borrower, { reason: 'HPF_LOAN_REPAYMENT', full: true, evidence: {} });
    expect([empty.status, empty.body.code]).toEqual([409, 'INSUFFICIENT_BALANCE']);
  });

  it('full: true with the balance above the payoff amount pays it off (principal + interest to the day) and closes the loan', async () => {
    const branch = newBranch('WC');
    const borrower = await depositor(branch, 2_500_000); // 150,000.00
    const disbursedOn = addDays(T, -3);
    const loanId = await loanOf(branch, borrower, disbursedOn, Math.min(28, Number(disbursedOn.slice(8, 10))));
    const balance0 = await balanceOf(borrower.accountNo);
    // payoff (domain.md §4): outstanding principal + principal × annual rate / 360 × days since disbursement, rounded once
    const payoff = 10_000_000 + new D(10_000_000).times(RATE).div(360).times(daysBetween(disbursedOn, T)).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
    const paid = await withdraw(borrower, { reason: 'HPF_LOAN_REPAYMENT', full: true, evidence: { loanId } });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(paid.body).toMatchObject({ status: 'PAID', amount: fenToYuan(payoff), loanRepayment: { loanId, outstandingPrincipal: '0.00', loanStatus: 'CLOSED' } });
    expect(await balanceOf(borrower.accountNo)).toBe(balance0 - payoff);
    expect((await getLoan(loanId, branch)).status).toBe('CLOSED');
    expect((await borrowerFlags(borrower.accountNo)).activeLoanId).toBeUndefined();
    // the loan is closed: the loans domain refuses to take more (409), and nothing leaves the account
    const again = await withdraw(borrower, { reason: 'HPF_LOAN_REPAYMENT', amount: '1', evidence: { loanId } });
    expect([again.status, again.body.code]).toEqual([409, 'INVALID_STATE']);
    expect(await balanceOf(borrower.accountNo)).toBe(balance0 - payoff);
    // with no loan named and none active, there is nothing of ours to repay (422)
    const none = await withdraw(borrower, { reason: 'HPF_LOAN_REPAYMENT', amount: '1', evidence: {} });
    expect([none.status, none.body.code]).toEqual([422, 'NOT_ELIGIBLE']);
  });
});

describe('the same flow from the loans side, replays, and what ratings read', () => {
  it('a prepayment with source ACCOUNT is an HPF_LOAN_REPAYMENT withdrawal (list, archive, entry); a replayed withdrawal pays once', async () => {
    const branch = newBranch('WL');
    const borrower = await depositor(branch, 400_000);
    const loanId = await loanOf(branch, borrower, T, Math.min(28, Number(T.slice(8, 10))));
    const balance0 = await balanceOf(borrower.accountNo);

    const viaLoans = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: await memberToken(borrower.accountNo), body: { amount: '1000', recalculation: 'REDUCE_PAYMENT', source: 'ACCOUNT' } });
    expect(viaLoans.status, JSON.stringify(viaLoans.body)).toBe(201);
    const prepaymentWithdrawal = viaLoans.body.withdrawalId as string;
    expect(prepaymentWithdrawal).toMatch(/^W/);
    expect(await balanceOf(borrower.accountNo)).toBe(balance0 - 100_000);
    const listed = (await call('GET', `/v1/accounts/${borrower.accountNo}/withdrawals`, { token: await staffToken(branch) })).body.items;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ withdrawalId: prepaymentWithdrawal, reason: 'HPF_LOAN_REPAYMENT', reasonCode: '06', status: 'PAID', amount: '1000.00', evidence: { loanId }, loanRepayment: { loanId, installmentsPaid: [], principalPrepaid: '1000.00', outstandingPrincipal: '99000.00', recalculation: 'REDUCE_PAYMENT' } });
    const archive = await readArchive('WITHDRAWAL', prepaymentWithdrawal);
    expect(archive.map((r) => r.action)).toEqual(['SUBMIT']);
    expect(archive[0]).toMatchObject({ submitted: { source: 'ACCOUNT', loanId, amount: '1000.00', recalculation: 'REDUCE_PAYMENT' }, decision: { status: 'PAID' }, owner: { branch, accountNo: borrower.accountNo } });
    const entry = (await allEntries(borrower.accountNo)).filter((e) => e.type === 'WITHDRAWAL');
    expect(entry.map((e) => [e.amountFen, e.ref])).toEqual([[-100_000, prepaymentWithdrawal]]);

    // the same request twice with one key: one debit, the same answer
    const key = randomUUID();
    const body = { accountNo: borrower.accountNo, reason: 'HPF_LOAN_REPAYMENT', amount: '500', evidence: { loanId } };
    const token = await memberToken(borrower.accountNo);
    const [x, y] = await Promise.all([call('POST', '/v1/withdrawals', { token, body, idem: key }), call('POST', '/v1/withdrawals', { token, body, idem: key })]);
    expect([x.status, y.status]).toEqual([201, 201]);
    expect(y.body).toEqual(x.body);
    const z = await call('POST', '/v1/withdrawals', { token, body, idem: key });
    expect(z.body).toEqual(x.body);
    expect(z.headers.get('idempotency-replayed')).toBe('true');
    expect(await balanceOf(borrower.accountNo)).toBe(balance0 - 150_000);
    expect((await getLoan(loanId, branch)).outstandingPrincipal).toBe('98500.00');

    // staff covering the branch may prepay from the borrower's account too; staff of another branch may not (404)
    const byStaff = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: await staffToken(branch), body: { amount: '100', recalculation: 'REDUCE_TERM', source: 'ACCOUNT' } });
    expect(byStaff.status, JSON.stringify(byStaff.body)).toBe(201);
    const staffRecord = (await call('GET', `/v1/withdrawals/${byStaff.body.withdrawalId}`, { token: await staffToken(branch) })).body;
    expect(staffRecord).toMatchObject({ reason: 'HPF_LOAN_REPAYMENT', status: 'PAID', amount: '100.00', submittedBy: { role: 'staff' } });
    const otherBranch = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: await staffToken(newBranch('WX')), body: { amount: '100', recalculation: 'REDUCE_TERM', source: 'ACCOUNT' } });
    expect(otherBranch.status).toBe(404);
    expect(await balanceOf(borrower.accountNo)).toBe(balance0 - 160_000);

    // what ratings read: whose, which branch, completed = PAID
    expect(await withdrawalForRating(prepaymentWithdrawal)).toEqual({ accountNo: borrower.accountNo, branch, completed: true });
    expect(await withdrawalForRating('W-NO-SUCH')).toBeUndefined();
  });
});

describe('the review queue (GET /v1/withdrawals)', () => {
  // canonical (upper case): stored evidence holds the canonical number (issue 14), which the archive check below compares
  const property = () => `ZH-${randomUUID().toUpperCase()}`;
  const purchase = (cert: string) => ({ reason: 'PURCHASE', amount: '1000', payeeBankAccount: PAYEE, evidence: { contractNo: 'HT-1', propertyCertificateNo: cert, price: '300000', purchaseDate: addDays(T, -30) } });

  /** A PENDING_REVIEW withdrawal submitted `daysAgo` days ago (the only way to a past submission: the record through the withdrawals store). */
  async function pendingSubmittedDaysAgo(account: Account, daysAgo: number) {
    const today = addDays(T, -daysAgo);
    const w = newWithdrawal({
      withdrawalId: `W-OLD-${randomUUID()}`,
      body: { accountNo: account.accountNo, reason: 'RENT', amount: 10_000, payeeBankAccount: PAYEE, evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-9' } },
      decision: { status: 'PENDING_REVIEW', amountFen: 10_000, interestFen: 0, closesAccount: false, reviewReasons: ['PROPERTY_CLAIMED_BY_ANOTHER_ACCOUNT'] },
      evidenceSha256: 'fixture',
      submittedBy: { sub: `member-${account.accountNo}`, role: 'member' },
      at: `${today}T01:00:00.000Z`,
      today,
      policy: policyOn(today),
      entryIds: [],
      branch: account.branch,
    });
    await commit({ plan: async () => ({ items: [putWithdrawalItem(w)], body: null }) });
    return w.withdrawalId;
  }

  async function wholeQueue(token: string, query: string, limit: number) {
    const items: any[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 500; page++) {
      const res: { status: number; body: any } = await call('GET', `/v1/withdrawals?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error('queue did not end');
  }

  it('oldest first with reviewDueOn (3 days) and overdueForReview; branch clerks see their branch only; decisions leave the queue and are archived', async () => {
    const A = newBranch('QA');
    const B = newBranch('QB');
    const cert = property();
    const owner = await openFundedAccount({ branch: A, balanceFen: 1_000_000 });
    const a1 = await openFundedAccount({ branch: A, balanceFen: 1_000_000 });
    const a2 = await openFundedAccount({ branch: A, balanceFen: 1_000_000 });
    const b1 = await openFundedAccount({ branch: B, balanceFen: 1_000_000 });
    const old = await pendingSubmittedDaysAgo(a1, 5);
    expect((await withdraw(owner, purchase(cert))).body.status).toBe('PAID');
    const ids: string[] = [];
    for (const m of [a1, a2, b1]) {
      const res = await withdraw(m, purchase(cert));
      expect(res.body.status, JSON.stringify(res.body)).toBe('PENDING_REVIEW');
      ids.push(res.body.withdrawalId);
    }
    const [pa1, pa2, pb1] = ids;
    expect(await withdrawalForRating(pa1)).toEqual({ accountNo: a1.accountNo, branch: A, completed: false });

    // a clerk of A: their branch, oldest first, the old one overdue for review
    const clerkA = await staffToken(A);
    const queueA = await wholeQueue(clerkA, '', 50);
    expect(queueA.map((w) => w.withdrawalId)).toEqual([old, pa1, pa2]);
    expect(queueA.map((w) => [w.reviewDueOn, w.overdueForReview])).toEqual([
      [addDays(T, -2), true],
      [addDays(T, 3), false],
      [addDays(T, 3), false],
    ]);
    expect(queueA.every((w) => w.status === 'PENDING_REVIEW' && w.branch === A)).toBe(true);
    expect(queueA[1]).toMatchObject({ accountNo: a1.accountNo, amount: '1000.00', reason: 'PURCHASE', reviewReasons: ['PROPERTY_CLAIMED_BY_ANOTHER_ACCOUNT', 'PROPERTY_CLAIMED_WITHIN_REPEAT_WINDOW'] });
    // the same with pages of one (the cursor), and with their own branch named
    expect((await wholeQueue(clerkA, '', 1)).map((w) => w.withdrawalId)).toEqual([old, pa1, pa2]);
    expect((await wholeQueue(clerkA, `&branch=${A}&status=PENDING_REVIEW`, 2)).map((w) => w.withdrawalId)).toEqual([old, pa1, pa2]);
    // another branch: 403; city staff may filter any branch, or read the whole queue in submission order
    const other = await call('GET', `/v1/withdrawals?branch=${B}`, { token: clerkA });
    expect([other.status, other.body.code]).toEqual([403, 'FORBIDDEN']);
    const city = await staffToken('*');
    expect((await wholeQueue(city, `&branch=${B}`, 50)).map((w) => w.withdrawalId)).toEqual([pb1]);
    const all = (await wholeQueue(city, '', 200)).map((w) => w.withdrawalId);
    const mine = all.filter((id) => [old, pa1, pa2, pb1].includes(id));
    expect(mine).toEqual([old, pa1, pa2, pb1]);
    // refusals: forged or foreign cursors, other statuses, other roles
    expect((await call('GET', '/v1/withdrawals?cursor=e30', { token: clerkA })).status).toBe(400);
    const foreign = (await call('GET', `/v1/accounts/${a1.accountNo}/withdrawals?limit=1`, { token: clerkA })).body.nextCursor;
    expect(foreign).toBeTruthy();
    expect((await call('GET', `/v1/withdrawals?cursor=${foreign}`, { token: clerkA })).body.code).toBe('VALIDATION_FAILED');
    expect((await call('GET', '/v1/withdrawals?status=PAID', { token: clerkA })).status).toBe(400);
    expect((await call('GET', '/v1/withdrawals', { token: await memberToken(a1.accountNo) })).status).toBe(403);
    expect((await call('GET', '/v1/withdrawals', { token: await auditorToken() })).status).toBe(403);

    // decisions: approved and rejected ones leave the queue
    expect((await call('POST', `/v1/withdrawals/${pa1}/approve`, { token: clerkA, body: { note: '核实无误' } })).body.status).toBe('PAID');
    expect((await call('POST', `/v1/withdrawals/${pa2}/reject`, { token: clerkA, body: { note: '材料不符' } })).body.status).toBe('REJECTED');
    expect((await wholeQueue(clerkA, '', 50)).map((w) => w.withdrawalId)).toEqual([old]);

    // every state change is in the archive: submitted + decision, then the staff decision
    const approvedArchive = await readArchive('WITHDRAWAL', pa1);
    expect(approvedArchive.map((r) => [r.action, (r.decision as any)?.status])).toEqual([
      ['SUBMIT', 'PENDING_REVIEW'],
      ['APPROVE', 'PAID'],
    ]);
    expect(approvedArchive[0]).toMatchObject({ actor: { sub: `member-${a1.accountNo}`, role: 'member' }, owner: { branch: A, accountNo: a1.accountNo }, submitted: { reason: 'PURCHASE', evidence: { propertyCertificateNo: cert } }, decision: { reviewReasons: ['PROPERTY_CLAIMED_BY_ANOTHER_ACCOUNT', 'PROPERTY_CLAIMED_WITHIN_REPEAT_WINDOW'], reviewDueOn: addDays(T, 3) } });
    expect(approvedArchive[1]).toMatchObject({ actor: { role: 'staff' }, submitted: { note: '核实无误' }, decision: { status: 'PAID', note: '核实无误' }, owner: { branch: A, accountNo: a1.accountNo } });
    const rejectedArchive = await readArchive('WITHDRAWAL', pa2);
    expect(rejectedArchive.map((r) => r.action)).toEqual(['SUBMIT', 'REJECT']);
    expect(rejectedArchive[1]).toMatchObject({ submitted: { note: '材料不符' }, decision: { status: 'REJECTED', note: '材料不符', code: 'REVIEW_REJECTED' } });
  });
});

describe('a frozen account cannot withdraw (409 INVALID_STATE, nothing changes)', () => {
  it('refuses an application, a loan repayment and the approval of a pending withdrawal; unfrozen, the approval goes through', async () => {
    const branch = newBranch('WZ');
    const city = await staffToken('*');
    const borrower = await depositor(branch, 300_000);
    const loanId = await loanOf(branch, borrower, addDays(T, -3), Math.min(28, Number(addDays(T, -3).slice(8, 10))));
    const owner = await openFundedAccount({ branch, balanceFen: 1_000_000 });
    const claimant = await openFundedAccount({ branch, balanceFen: 1_000_000 });
    const cert = `ZH-${randomUUID()}`;
    const purchase = { reason: 'PURCHASE', amount: '1000', payeeBankAccount: PAYEE, evidence: { contractNo: 'HT-1', propertyCertificateNo: cert, price: '300000', purchaseDate: addDays(T, -30) } };
    expect((await withdraw(owner, purchase)).body.status).toBe('PAID');
    const pending = await withdraw(claimant, purchase);
    expect(pending.body.status).toBe('PENDING_REVIEW');

    const freeze = async (accountNo: string) => {
      const res = await call('POST', `/v1/accounts/${accountNo}/freeze`, { token: city, body: { reason: '司法冻结', authority: '杭州市上城区人民法院', documentNo: `(2026)浙0102执${randomUUID().slice(0, 6)}号` } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.status).toBe('FROZEN');
    };
    await freeze(borrower.accountNo);
    await freeze(claimant.accountNo);

    const snapshot = async (accountNo: string) => ({ balance: await balanceOf(accountNo), entries: (await allEntries(accountNo)).length, withdrawals: (await call('GET', `/v1/accounts/${accountNo}/withdrawals`, { token: city })).body.items.length });
    const borrowerBefore = await snapshot(borrower.accountNo);
    const claimantBefore = await snapshot(claimant.accountNo);
    const loanBefore = await getLoan(loanId, branch);

    const rentRefused = await withdraw(borrower, { reason: 'RENT', amount: '10', payeeBankAccount: PAYEE, evidence: rent });
    expect([rentRefused.status, rentRefused.body.code]).toEqual([409, 'INVALID_STATE']);
    const repayRefused = await withdraw(borrower, { reason: 'HPF_LOAN_REPAYMENT', amount: '1000', evidence: { loanId } });
    expect([repayRefused.status, repayRefused.body.code]).toEqual([409, 'INVALID_STATE']);
    const approveRefused = await call('POST', `/v1/withdrawals/${pending.body.withdrawalId}/approve`, { token: city, body: {} });
    expect([approveRefused.status, approveRefused.body.code]).toEqual([409, 'INVALID_STATE']);

    expect(await snapshot(borrower.accountNo)).toEqual(borrowerBefore);
    expect(await snapshot(claimant.accountNo)).toEqual(claimantBefore);
    expect(await getLoan(loanId, branch)).toEqual(loanBefore);
    const stillPending = await call('GET', `/v1/withdrawals?branch=${branch}`, { token: city });
    expect(stillPending.body.items.map((w: any) => w.withdrawalId)).toEqual([pending.body.withdrawalId]);
    expect((await readArchive('WITHDRAWAL', pending.body.withdrawalId)).map((r) => r.action)).toEqual(['SUBMIT']);

    const unfrozen = await call('POST', `/v1/accounts/${claimant.accountNo}/unfreeze`, { token: city, body: { note: '解除冻结' } });
    expect([unfrozen.status, unfrozen.body.status]).toEqual([200, 'NORMAL']);
    const approved = await call('POST', `/v1/withdrawals/${pending.body.withdrawalId}/approve`, { token: city, body: {} });
    expect([approved.status, approved.body.status]).toEqual([200, 'PAID']);
    expect(await balanceOf(claimant.accountNo)).toBe(claimantBefore.balance - 100_000);
  });
});
