// Loans over HTTP against the local runtime, and the daily run (月对冲, overdue, penalty) invoked
// in-process against the same DynamoDB Local and SQS server. Each test uses its own branch. Money
// events (a disbursement, a bank repayment) are dated from the policy history's start to today
// (issue 14): a test that repays an installment disburses in the past, its approval back-dated in the
// store first (a disbursement may not precede its approval); the others disburse today and run the
// per-loan daily step and the repricing for dates ahead.
import { describe, expect, it } from 'vitest';
import { SELLER } from '../support/seller.ts';
import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { call, memberToken, staffToken, auditorToken, unitToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { allEntries, ledgerWrite, mustGetAccount, periodFlows, type Account } from '../../shared/ledger/ledger.ts';
import { addDays, addMonths, businessDate, daysBetween, monthsBetween, periodOf } from '../../shared/clock.ts';
import { D, fenToYuan, yuanToFen } from '../../shared/money.ts';
import { sqs } from '../../shared/sqs.ts';
import { queueUrl } from '../../shared/config.ts';
import { handler as scheduleHandler } from '../../functions/loans/schedule.ts';
import { runDailyForLoan, runRepriceForLoan } from '../../functions/loans/usecases/batch.ts';
import { flagsWriteItem, getFlags, getLoan as storedLoan, getSchedule, loanWriteItems } from '../../functions/loans/store.ts';
import { borrowerFlags, loanTotals } from '../../functions/loans/public.ts';
import { newRows } from '../../functions/loans/domain/installments.ts';
import { monthlyDueDate, scheduleFor } from '../../functions/loans/domain/amortization.ts';

const newBranch = () => `LN${randomUUID().slice(0, 8)}`;

/** An account with `months` consecutive monthly remittances up to last month (or none). */
async function depositor(opts: { branch: string; monthlyFen: number; months?: number; birthDate?: string; gender?: 'M' | 'F'; status?: Account['status'] }): Promise<Account> {
  const acc = await openFundedAccount({ branch: opts.branch, idNumber: randomResidentId(opts.birthDate ?? '1995-03-15', opts.gender ?? 'M'), status: opts.status });
  const months = opts.months ?? 6;
  const current = periodOf(businessDate());
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: months }, (_, i) => ({ amountFen: opts.monthlyFen, type: 'REMITTANCE' as const, period: addMonths(current, i - months), ref: 'fixture-remittance', valueDate: businessDate() }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}

/** Sets the loans domain's flags of an account (store.ts BORROWER#…/FLAGS) as another loan would. */
async function setFlags(accountNo: string, flags: { activeLoanId?: string; hasOverdueLoan?: boolean }) {
  await commit({
    plan: async () => {
      const before = (await getFlags([accountNo])).get(accountNo)!;
      return { items: [flagsWriteItem(before, { activeLoanId: flags.activeLoanId ?? before.activeLoanId, hasOverdueLoan: flags.hasOverdueLoan ?? before.hasOverdueLoan })], body: null };
    },
  });
}

/** The co-borrower's consent for a borrower (api.md v1.1), given with the co-borrower's own sign-in. */
async function consent(coBorrowerAccountNo: string, borrowerAccountNo: string) {
  const res = await call('POST', '/v1/co-borrower-consents', { token: await memberToken(coBorrowerAccountNo), body: { borrowerAccountNo } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.consentId as string;
}

const application = (accountNo: string, over: Record<string, unknown> = {}) => ({
  accountNo,
  housePrice: '2000000',
  firstHome: true,
  termMonths: 360,
  monthlyIncome: '20000',
  borrowerCategory: 'TALENT',
  location: 'DISTRICT',
  repaymentMethod: 'EQUAL_INSTALLMENT',
  ...over,
});

/** Dates the loan's application and approval `date` in the store (the API dates both today). */
async function backdate(loanId: string, date: string) {
  await commit({
    plan: async () => {
      const loan = (await storedLoan(loanId))!;
      return { items: loanWriteItems(loan, { ...loan, appliedOn: date, ...(loan.decision ? { decision: { ...loan.decision, on: date } } : {}) }), body: null };
    },
  });
}

/**
 * Applies (member), approves and disburses (staff of the branch) on `disbursedOn` (today, or a past
 * date: the approval is back-dated to it first), with `dueDay` if given: the loan id.
 */
async function activeLoan(branch: string, account: Account, body: Record<string, unknown>, disbursedOn: string, dueDay?: number): Promise<string> {
  const applied = await call('POST', '/v1/loans', { token: await memberToken(account.accountNo), body: application(account.accountNo, body) });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  const loanId = applied.body.loanId as string;
  expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: await staffToken(branch) })).status).toBe(200);
  if (disbursedOn < businessDate()) await backdate(loanId, disbursedOn);
  const disbursed = await call('POST', `/v1/loans/${loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn, ...(dueDay ? { dueDay } : {}) } });
  expect(disbursed.status, JSON.stringify(disbursed.body)).toBe(200);
  return loanId;
}

const schedule = async (loanId: string, branch: string) => (await call('GET', `/v1/loans/${loanId}/schedule`, { token: await staffToken(branch) })).body.installments as any[];
const getLoan = async (loanId: string, branch: string) => (await call('GET', `/v1/loans/${loanId}`, { token: await staffToken(branch) })).body;
const offsetEntries = async (accountNo: string) => (await allEntries(accountNo)).filter((e) => e.type === 'LOAN_OFFSET');

/** Independent 等额本息 payment: round(P·r(1+r)^n / ((1+r)^n − 1)), fen, half-up. */
const annuityFen = (principalFen: number, annualRate: string, n: number) => {
  const r = new D(annualRate).div(12);
  const g = r.plus(1).pow(n);
  return new D(principalFen).times(r).times(g).div(g.minus(1)).toDecimalPlaces(0).toNumber();
};

describe('loan quotes', () => {
  it('reports the four limits and the binding one (golden values from domain.md)', async () => {
    const branch = newBranch();
    const staff = await staffToken(branch);
    const a = await openFundedAccount({ branch, balanceFen: 2_000_000 });
    const quote = (body: Record<string, unknown>, token = staff) => call('POST', '/v1/loan-quotes', { token, body: application(a.accountNo, body), idem: false });

    const standard = await quote({ borrowerCategory: 'STANDARD', housePrice: '1000000' });
    expect(standard.status).toBe(200);
    expect(standard.body).toMatchObject({ maxAmount: '400000.00', annualRate: '2.6', binding: 'balanceMultiple', limits: { productCap: '600000.00', balanceMultiple: '400000.00', loanToValue: '800000.00' } });

    const secondHome = await quote({ firstHome: false, termMonths: 60, housePrice: '500000' });
    expect(secondHome.body).toMatchObject({ maxAmount: '350000.00', annualRate: '2.525', binding: 'loanToValue', limits: { productCap: '1000000.00', loanToValue: '350000.00' } });

    // income 2,000.00: the first payment may be 1,000.00 at most
    const capacity = await quote({ monthlyIncome: '2000' }, await memberToken(a.accountNo));
    expect(capacity.status).toBe(200);
    expect(capacity.body.binding).toBe('repaymentCapacity');
    const maxFen = yuanToFen(capacity.body.maxAmount);
    expect(capacity.body.limits.repaymentCapacity).toBe(capacity.body.maxAmount);
    expect(annuityFen(maxFen, '0.026', 360)).toBeLessThanOrEqual(100_000);
    expect(annuityFen(maxFen + 1, '0.026', 360)).toBeGreaterThan(100_000);
  });

  it('a co-borrowing spouse raises the product cap by half and adds the balance', async () => {
    const branch = newBranch();
    const a = await openFundedAccount({ branch, balanceFen: 3_000_000 });
    const b = await openFundedAccount({ branch, balanceFen: 2_000_000 });
    const body = application(a.accountNo, { borrowerCategory: 'STANDARD', location: 'COUNTY', monthlyIncome: '50000' });
    const alone = await call('POST', '/v1/loan-quotes', { token: await memberToken(a.accountNo), body });
    await consent(b.accountNo, a.accountNo); // v1.1: a member names a co-borrower only with their consent
    expect(alone.body).toMatchObject({ maxAmount: '500000.00', binding: 'productCap', limits: { productCap: '500000.00', balanceMultiple: '600000.00' } });
    const together = await call('POST', '/v1/loan-quotes', { token: await memberToken(a.accountNo), body: { ...body, coBorrowerAccountNo: b.accountNo } });
    expect(together.body).toMatchObject({ maxAmount: '750000.00', binding: 'productCap', limits: { productCap: '750000.00', balanceMultiple: '1000000.00' } });
  });

  it('refuses other members (404), other roles (403) and malformed bodies (400)', async () => {
    const branch = newBranch();
    const a = await openFundedAccount({ branch, balanceFen: 100_000 });
    const other = await openFundedAccount({ branch, balanceFen: 100_000 });
    expect((await call('POST', '/v1/loan-quotes', { token: await memberToken(other.accountNo), body: application(a.accountNo) })).status).toBe(404);
    expect((await call('POST', '/v1/loan-quotes', { token: await staffToken(newBranch()), body: application(a.accountNo) })).status).toBe(404);
    expect((await call('POST', '/v1/loan-quotes', { token: await unitToken('U1'), body: application(a.accountNo) })).body.code).toBe('FORBIDDEN');
    expect((await call('POST', '/v1/loan-quotes', { token: await staffToken(branch), body: application(a.accountNo, { termMonths: '360' }) })).status).toBe(400);
    expect((await call('POST', '/v1/loan-quotes', { token: await staffToken(branch), body: { ...application(a.accountNo), extra: 1 } })).status).toBe(400);
  });
});

describe('loan applications', () => {
  it('refuses with NOT_ELIGIBLE listing every failed reason', async () => {
    const branch = newBranch();
    const a = await depositor({ branch, monthlyFen: 10_000, months: 3, birthDate: '1975-06-01', status: 'FROZEN' });
    const co = await depositor({ branch, monthlyFen: 10_000 });
    await setFlags(a.accountNo, { activeLoanId: 'L-OTHER', hasOverdueLoan: true });
    await setFlags(co.accountNo, { activeLoanId: 'L-OTHER-2' });
    await consent(co.accountNo, a.accountNo);
    const res = await call('POST', '/v1/loans', { token: await memberToken(a.accountNo), body: { ...application(a.accountNo, { termMonths: 400, coBorrowerAccountNo: co.accountNo }), amount: '999999' } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('NOT_ELIGIBLE');
    expect(res.body.errors.map((e: any) => e.reason).sort()).toEqual(
      ['ACCOUNT_NOT_NORMAL', 'ACTIVE_LOAN_EXISTS', 'ACTIVE_LOAN_EXISTS', 'AGE_AT_MATURITY', 'AMOUNT_ABOVE_MAXIMUM', 'INSUFFICIENT_DEPOSIT_MONTHS', 'OVERDUE_LOAN', 'TERM_TOO_LONG'].sort(),
    );
    expect(res.body.errors.every((e: any) => typeof e.path === 'string' && typeof e.message === 'string')).toBe(true);
  });

  it('counts six consecutive months and refuses five', async () => {
    const branch = newBranch();
    const five = await depositor({ branch, monthlyFen: 500_000, months: 5 });
    const res = await call('POST', '/v1/loans', { token: await memberToken(five.accountNo), body: { ...application(five.accountNo), amount: '100000' } });
    expect(res.body.errors.map((e: any) => e.reason)).toEqual(['INSUFFICIENT_DEPOSIT_MONTHS']);
    const six = await depositor({ branch, monthlyFen: 500_000, months: 6 });
    expect((await call('POST', '/v1/loans', { token: await memberToken(six.accountNo), body: { ...application(six.accountNo), amount: '100000' } })).status).toBe(201);
  });
});

describe('a loan from application to payoff', () => {
  it('applies, reviews, disburses with the golden schedule, repays, prepays in both modes and pays off', async () => {
    const branch = newBranch();
    const staff = await staffToken(branch);
    const a = await depositor({ branch, monthlyFen: 900_000 }); // 54,000.00 → 20 × = 1,080,000.00
    const stranger = await openFundedAccount({ branch });
    const member = await memberToken(a.accountNo);
    const body = { ...application(a.accountNo), amount: '1000000' };

    expect((await call('POST', '/v1/loans', { token: await memberToken(stranger.accountNo), body })).status).toBe(404);
    expect((await call('POST', '/v1/loans', { token: staff, body })).status).toBe(403);
    expect((await call('POST', '/v1/loans', { token: member, body, idem: false })).body.code).toBe('IDEMPOTENCY_KEY_MISSING');
    const applied = await call('POST', '/v1/loans', { token: member, body });
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({ status: 'APPLIED', amount: '1000000.00', annualRate: '2.6' });
    const loanId = applied.body.loanId;

    // who sees it
    expect((await call('GET', `/v1/loans/${loanId}`, { token: member })).body.status).toBe('APPLIED');
    expect((await call('GET', `/v1/loans/${loanId}`, { token: await memberToken(stranger.accountNo) })).status).toBe(404);
    expect((await call('GET', `/v1/loans/${loanId}`, { token: await staffToken(newBranch()) })).status).toBe(404);
    expect((await call('GET', `/v1/loans/${loanId}`, { token: await auditorToken() })).status).toBe(200);
    expect((await call('GET', `/v1/loans/${loanId}`, { token: await unitToken('U1') })).status).toBe(403);

    // review
    expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: await staffToken(newBranch()) })).status).toBe(404);
    expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: member })).status).toBe(403);
    const approved = await call('POST', `/v1/loans/${loanId}/approve`, { token: staff, body: { note: 'ok' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'APPROVED', decision: { decision: 'APPROVED', on: businessDate(), late: false } });
    expect((await call('POST', `/v1/loans/${loanId}/reject`, { token: staff })).body.code).toBe('INVALID_STATE');

    // disbursement: once. Dated a month before the latest 15th up to today (the approval back-dated
    // to it), due on the 15th: installment 1 is due by today, installment 2 after today. The schedule's
    // amounts do not depend on the dates (a month's interest is balance × rate / 12).
    const today = businessDate();
    const due1 = today.slice(8, 10) >= '15' ? `${periodOf(today)}-15` : `${addMonths(periodOf(today), -1)}-15`;
    const disbursedOn = monthlyDueDate(due1, -1, 15);
    const due = (k: number) => monthlyDueDate(disbursedOn, k, 15);
    expect(due(2) > today).toBe(true);
    await backdate(loanId, disbursedOn);
    const key = randomUUID();
    const disbursed = await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn }, idem: key });
    expect(disbursed.status).toBe(200);
    expect(disbursed.body.status).toBe('ACTIVE');
    const replay = await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn }, idem: key });
    expect(replay.headers.get('idempotency-replayed')).toBe('true');
    expect(replay.body).toEqual(disbursed.body);
    const twice = await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn } });
    expect([twice.status, twice.body.code]).toEqual([409, 'INVALID_STATE']);

    // 1,000,000.00 over 360 months at 2.60%: M = 4,003.40; month 1 interest 2,166.67, principal 1,836.73; month 360 = 4,001.75; total interest 441,222.35
    const rows = await schedule(loanId, branch);
    expect(rows).toHaveLength(360);
    expect(rows[0]).toEqual(expect.objectContaining({ no: 1, dueDate: due1, payment: '4003.40', interest: '2166.67', principal: '1836.73', remainingPrincipal: '998163.27', status: 'DUE' }));
    expect(rows[359]).toMatchObject({ no: 360, dueDate: due(360), payment: '4001.75', remainingPrincipal: '0.00' });
    expect(rows.reduce((s, r) => s + yuanToFen(r.interest), 0)).toBe(44_122_235);
    expect(await getLoan(loanId, branch)).toMatchObject({
      loanId, accountNo: a.accountNo, status: 'ACTIVE', principal: '1000000.00', outstandingPrincipal: '1000000.00', annualRate: '2.6', termMonths: 360, repaymentMethod: 'EQUAL_INSTALLMENT',
      nextDue: { no: 1, dueDate: due1, amount: '4003.40' }, overdue: { installments: 0, amount: '0.00' },
    });
    expect((await borrowerFlags(a.accountNo)).activeLoanId).toBe(loanId);
    expect(await loanTotals([branch])).toEqual({ outstandingPrincipalFen: 100_000_000, overduePrincipalFen: 0, activeLoans: 1 });
    expect((await periodFlows(periodOf(disbursedOn), branch)).LOAN_DISBURSEMENT).toBe(100_000_000);

    // bank repayments: interest first, a partial payment stays DUE, a bank reference applies once, no paying ahead
    const repay = (amount: string, paidOn: string, bankRef: string) => call('POST', `/v1/loans/${loanId}/repayments`, { token: staff, body: { amount, paidOn, bankRef } });
    expect((await call('POST', `/v1/loans/${loanId}/repayments`, { token: member, body: { amount: '1', paidOn: due1, bankRef: 'X' } })).status).toBe(403);
    const first = await repay('1000', due1, `BR-${loanId}-1`);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ interest: '1000.00', principal: '0.00', installments: [1] });
    expect((await schedule(loanId, branch))[0]).toMatchObject({ status: 'DUE', paid: '1000.00' });
    const rest = await repay('3003.40', due1, `BR-${loanId}-2`);
    expect(rest.body).toMatchObject({ interest: '1166.67', principal: '1836.73', installments: [1], outstandingPrincipal: '998163.27' });
    expect((await schedule(loanId, branch))[0].status).toBe('PAID');
    expect((await repay('3003.40', due1, `BR-${loanId}-2`)).body.code).toBe('CONFLICT');
    // installment 2 falls due after today: a fen more than is due today is paying ahead
    expect((await repay('0.01', today, `BR-${loanId}-3`)).body.code).toBe('POLICY_VIOLATION');
    expect(await periodFlows(periodOf(due1), branch)).toMatchObject({ LOAN_REPAYMENT: 183_673, LOAN_INTEREST: 216_667 });
    expect((await loanTotals([branch])).outstandingPrincipalFen).toBe(99_816_327);

    // partial prepayment, REDUCE_PAYMENT: the 359 installments left are recomputed from 498,163.27
    expect((await call('GET', `/v1/loans/${loanId}/payoff-certificate`, { token: member })).body.code).toBe('INVALID_STATE');
    const reducePayment = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: staff, body: { amount: '500000', recalculation: 'REDUCE_PAYMENT', source: 'BANK' } });
    expect(reducePayment.status).toBe(201);
    expect(reducePayment.body).toMatchObject({ kind: 'PARTIAL', amount: '500000.00', outstandingPrincipal: '498163.27', remainingInstallments: 359, loanStatus: 'ACTIVE' });
    const afterPayment = await schedule(loanId, branch);
    expect(afterPayment).toHaveLength(360);
    expect(afterPayment[0].status).toBe('PAID');
    expect(afterPayment[1]).toMatchObject({ no: 2, dueDate: due(2), payment: fenToYuan(annuityFen(49_816_327, '0.026', 359)) });
    expect(afterPayment.slice(1).reduce((s, r) => s + yuanToFen(r.principal), 0)).toBe(49_816_327);

    // partial prepayment, REDUCE_TERM, paid from the member's fund account (withdrawal, reason 06)
    const keptPayment = afterPayment[1].payment;
    expect((await call('POST', `/v1/loans/${loanId}/prepayments`, { token: member, body: { amount: '60000', recalculation: 'REDUCE_TERM', source: 'ACCOUNT' } })).body.code).toBe('INSUFFICIENT_BALANCE');
    const reduceTerm = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: member, body: { amount: '20000', recalculation: 'REDUCE_TERM', source: 'ACCOUNT' } });
    expect(reduceTerm.status).toBe(201);
    expect(reduceTerm.body.outstandingPrincipal).toBe('478163.27');
    const afterTerm = await schedule(loanId, branch);
    expect(afterTerm.length).toBeLessThan(360);
    expect(afterTerm.slice(1, -1).every((r) => r.payment === keptPayment)).toBe(true);
    expect(yuanToFen(afterTerm[afterTerm.length - 1].payment)).toBeLessThanOrEqual(yuanToFen(keptPayment));
    expect(afterTerm.slice(1).reduce((s, r) => s + yuanToFen(r.principal), 0)).toBe(47_816_327);
    const account = await mustGetAccount(a.accountNo);
    expect(account.balanceFen).toBe(5_400_000 - 2_000_000);
    // v1.1: the same flow as an HPF_LOAN_REPAYMENT withdrawal: the debit's ref is the withdrawal
    expect(reduceTerm.body.withdrawalId).toEqual(expect.any(String));
    expect((await allEntries(a.accountNo)).at(-1)).toMatchObject({ type: 'WITHDRAWAL', amountFen: -2_000_000, ref: reduceTerm.body.withdrawalId, memo: 'HPF_LOAN_REPAYMENT/06' });

    // full prepayment closes the loan: the principal left, 478,163.27, and its interest at 2.60% from
    // installment 1's due date to today (round(47,816,327 × 0.026 × days / 360) fen, half-up, once);
    // the payoff certificate is issued
    const accruedFen = new D(47_816_327).times('0.026').times(daysBetween(due1, today)).div(360).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
    const full = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: staff, body: { full: true, source: 'BANK' } });
    expect(full.status).toBe(201);
    expect(full.body).toMatchObject({ kind: 'FULL', amount: fenToYuan(47_816_327 + accruedFen), loanStatus: 'CLOSED', outstandingPrincipal: '0.00', paidOffOn: businessDate() });
    expect(await getLoan(loanId, branch)).toMatchObject({ status: 'CLOSED', outstandingPrincipal: '0.00', nextDue: null });
    const certificate = await call('GET', `/v1/loans/${loanId}/payoff-certificate`, { token: member });
    expect(certificate.status).toBe(200);
    expect(certificate.body).toMatchObject({ loanId, accountNo: a.accountNo, name: a.name, principal: '1000000.00', paidOffOn: businessDate() });
    expect(certificate.body.certificateNo).toEqual(expect.any(String));
    expect((await call('GET', `/v1/loans/${loanId}/payoff-certificate`, { token: await memberToken(stranger.accountNo) })).status).toBe(404);
    expect((await borrowerFlags(a.accountNo)).activeLoanId).toBeUndefined();
    expect(await loanTotals([branch])).toEqual({ outstandingPrincipalFen: 0, overduePrincipalFen: 0, activeLoans: 0 });
    expect((await repay('1', today, `BR-${loanId}-4`)).body.code).toBe('INVALID_STATE');
  });

  it('a rejected loan cannot be disbursed', async () => {
    const branch = newBranch();
    const a = await depositor({ branch, monthlyFen: 100_000 });
    const applied = await call('POST', '/v1/loans', { token: await memberToken(a.accountNo), body: { ...application(a.accountNo), amount: '10000' } });
    const rejected = await call('POST', `/v1/loans/${applied.body.loanId}/reject`, { token: await staffToken(branch), body: { note: 'documents missing' } });
    expect(rejected.body).toMatchObject({ status: 'REJECTED', decision: { decision: 'REJECTED' } });
    expect((await call('POST', `/v1/loans/${applied.body.loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn: businessDate() } })).body.code).toBe('INVALID_STATE');
  });
});

describe('monthly offset (月对冲) and the daily run', () => {
  it('the borrower signs and cancels any number of times; nobody else can', async () => {
    const branch = newBranch();
    const a = await depositor({ branch, monthlyFen: 100_000 });
    const co = await openFundedAccount({ branch });
    await consent(co.accountNo, a.accountNo);
    const applied = await call('POST', '/v1/loans', { token: await memberToken(a.accountNo), body: { ...application(a.accountNo, { coBorrowerAccountNo: co.accountNo }), amount: '10000' } });
    const path = `/v1/loans/${applied.body.loanId}/offset`;
    const owner = await memberToken(a.accountNo);
    for (let i = 0; i < 2; i++) {
      expect((await call('PUT', path, { token: owner, body: { enabled: true } })).body).toEqual({ loanId: applied.body.loanId, offset: { enabled: true } });
      expect((await call('DELETE', path, { token: owner })).body.offset).toEqual({ enabled: false });
    }
    expect((await call('PUT', path, { token: await memberToken(co.accountNo), body: { enabled: true } })).status).toBe(403);
    expect((await call('PUT', path, { token: await memberToken((await openFundedAccount({ branch })).accountNo), body: { enabled: true } })).status).toBe(404);
    expect((await call('PUT', path, { token: await staffToken(branch), body: { enabled: true } })).status).toBe(403);
    expect((await call('PUT', path, { token: owner, body: { enabled: false } })).status).toBe(400);
  });

  it('a scheduled run for the due date, repeated and run concurrently, pays the installment once', async () => {
    const branch = newBranch();
    const a = await depositor({ branch, monthlyFen: 500_000 });
    const today = businessDate();
    const loanId = await activeLoan(branch, a, { termMonths: 120, amount: '100000' }, today);
    expect((await call('PUT', `/v1/loans/${loanId}/offset`, { token: await memberToken(a.accountNo), body: { enabled: true } })).status).toBe(200);
    const [first] = await schedule(loanId, branch);
    const before = (await mustGetAccount(a.accountNo)).balanceFen;

    await Promise.all([scheduleHandler({ task: 'daily', date: first.dueDate }, {} as any), scheduleHandler({ task: 'daily', date: first.dueDate }, {} as any)]);
    await scheduleHandler({ task: 'daily', date: first.dueDate }, {} as any);
    await loanBatchDrained();
    const paidOnce = async () => {
      expect((await schedule(loanId, branch))[0]).toMatchObject({ status: 'PAID', paid: first.payment });
      const entries = await offsetEntries(a.accountNo);
      expect(entries.map((e) => [e.amountFen, e.ref, e.entryKey])).toEqual([[-yuanToFen(first.payment), `${loanId}:1`, `OFFSET-${loanId}-1`]]);
      expect((await mustGetAccount(a.accountNo)).balanceFen).toBe(before - yuanToFen(first.payment));
    };
    await paidOnce();
    // the per-loan step itself, three at once
    await Promise.all([runDailyForLoan(loanId, first.dueDate), runDailyForLoan(loanId, first.dueDate), runDailyForLoan(loanId, first.dueDate)]);
    await paidOnce();
  });

  it('with a short balance the offset pays what it can from borrower then co-borrower, never below zero; the rest goes overdue with penalty', async () => {
    const branch = newBranch();
    const a = await depositor({ branch, monthlyFen: 10_000 }); // 600.00
    const co = await openFundedAccount({ branch, balanceFen: 30_000 }); // 300.00
    await consent(co.accountNo, a.accountNo);
    // installment 1 due on the 20th two months ago, so that it and eleven days after it are past:
    // disbursed a month before (the approval back-dated to it)
    const due1 = `${addMonths(periodOf(businessDate()), -2)}-20`;
    const loanId = await activeLoan(branch, a, { termMonths: 12, amount: '12000', coBorrowerAccountNo: co.accountNo }, monthlyDueDate(due1, -1, 20), 20);
    await call('PUT', `/v1/loans/${loanId}/offset`, { token: await memberToken(a.accountNo), body: { enabled: true } });
    const [first] = await schedule(loanId, branch);
    expect(first).toMatchObject({ dueDate: due1, payment: fenToYuan(annuityFen(1_200_000, '0.021', 12)) });

    await Promise.all([runDailyForLoan(loanId, due1), runDailyForLoan(loanId, due1)]);
    await runDailyForLoan(loanId, due1);
    expect((await mustGetAccount(a.accountNo)).balanceFen).toBe(0);
    expect((await mustGetAccount(co.accountNo)).balanceFen).toBe(0);
    expect((await offsetEntries(a.accountNo)).map((e) => e.amountFen)).toEqual([-60_000]);
    expect((await offsetEntries(co.accountNo)).map((e) => e.amountFen)).toEqual([-30_000]);
    expect((await schedule(loanId, branch))[0]).toMatchObject({ status: 'DUE', paid: '900.00' });

    // eleven days later: overdue, penalty = unpaid × 2.1% × 1.5 / 360 × 11 days
    const later = addDays(due1, 11);
    expect(later <= businessDate()).toBe(true);
    await runDailyForLoan(loanId, later);
    const unpaidFen = yuanToFen(first.payment) - 90_000;
    const penaltyFen = new D(unpaidFen).times('0.021').times('1.5').div(360).times(11).toDecimalPlaces(0).toNumber();
    expect((await schedule(loanId, branch))[0]).toMatchObject({ status: 'OVERDUE', penaltyInterest: fenToYuan(penaltyFen) });
    expect((await getLoan(loanId, branch)).overdue).toMatchObject({ installments: 1, amount: fenToYuan(unpaidFen) });
    expect((await borrowerFlags(a.accountNo)).hasOverdueLoan).toBe(true);
    expect((await borrowerFlags(co.accountNo)).hasOverdueLoan).toBe(true);
    expect((await loanTotals([branch])).overduePrincipalFen).toBeGreaterThan(0);

    // the bank pays the rest with the penalty: resolved
    const paid = await call('POST', `/v1/loans/${loanId}/repayments`, { token: await staffToken(branch), body: { amount: fenToYuan(unpaidFen + penaltyFen), paidOn: later, bankRef: `B-${loanId}` } });
    expect(paid.body).toMatchObject({ penaltyInterest: fenToYuan(penaltyFen), installments: [1] });
    expect((await schedule(loanId, branch))[0].status).toBe('PAID');
    expect((await borrowerFlags(a.accountNo)).hasOverdueLoan).toBe(false);
    expect((await borrowerFlags(co.accountNo)).hasOverdueLoan).toBe(false);
    expect((await loanTotals([branch])).overduePrincipalFen).toBe(0);
  });

  it('a hardship deferral suppresses overdue status and penalty interest', async () => {
    const branch = newBranch();
    const a = await depositor({ branch, monthlyFen: 100_000 });
    // disbursed today, due on the 10th: installments from next month's 10th (the per-loan daily step runs ahead)
    const today = businessDate();
    const loanId = await activeLoan(branch, a, { termMonths: 12, amount: '10000' }, today, 10);
    const due = (k: number) => monthlyDueDate(today, k, 10);
    const [p1, p2] = [periodOf(due(1)), periodOf(due(2))];
    const path = `/v1/loans/${loanId}/deferrals`;
    expect((await call('POST', path, { token: await memberToken(a.accountNo), body: { fromPeriod: p1, toPeriod: p2, reason: 'illness' } })).status).toBe(403);
    expect((await call('POST', path, { token: await staffToken(newBranch()), body: { fromPeriod: p1, toPeriod: p2, reason: 'illness' } })).status).toBe(404);
    expect((await call('POST', path, { token: await staffToken(branch), body: { fromPeriod: p2, toPeriod: p1, reason: 'illness' } })).status).toBe(400);
    expect((await call('POST', path, { token: await staffToken(branch), body: { fromPeriod: addMonths(p1, 60), toPeriod: addMonths(p1, 61), reason: 'illness' } })).body.code).toBe('POLICY_VIOLATION');
    const deferred = await call('POST', path, { token: await staffToken(branch), body: { fromPeriod: p1, toPeriod: p2, reason: 'illness' } });
    expect(deferred.status).toBe(201);
    expect(deferred.body.installments).toEqual([1, 2]);

    await runDailyForLoan(loanId, addDays(due(3), 15));
    const rows = await schedule(loanId, branch);
    // v1.1: the deferred installments moved after the last regular one (due(12)), in schedule order
    expect([1, 2, 3].map((no) => rows.find((r) => r.no === no)).map((r) => [r.status, r.penaltyInterest, r.creditReportable])).toEqual([
      ['DEFERRED', '0.00', false],
      ['DEFERRED', '0.00', false],
      ['OVERDUE', expect.not.stringMatching(/^0\.00$/), true],
    ]);
    expect(rows.slice(-2).map((r) => [r.no, r.dueDate])).toEqual([[1, due(13)], [2, due(14)]]);
    expect((await getLoan(loanId, branch)).overdue.installments).toBe(1);
  });
});

/** Waits until the loan-batch queue has nothing queued or in flight (the runtime's worker is done). */
describe('annual repricing (existing loans reprice on the next January 1)', () => {
  /** Turns a loan disbursed through the API into one contracted at an older rate: the rate and its whole schedule. */
  async function atOldRate(loanId: string, annualRate: string) {
    await commit({
      plan: async () => {
        const loan = (await storedLoan(loanId))!;
        const rows = await getSchedule(loanId);
        const old = newRows(scheduleFor(loan.repaymentMethod, { principalFen: loan.principalFen, annualRate, termMonths: loan.termMonths, firstDueDate: rows[0].dueDate, dueDay: loan.dueDay }));
        return { items: loanWriteItems(loan, { ...loan, annualRate }, rows, old), body: null };
      },
    });
  }

  it('recalculates the installments due from January 1 at the rate then in force; earlier ones, the principal and a second run are unchanged', async () => {
    const branch = newBranch();
    const a = await depositor({ branch, monthlyFen: 500_000 });
    // disbursed today, due on the 10th; repriced on the January 1 of the year after next (ahead: the repricing is a scheduled run, not a money event)
    const today = businessDate();
    const loanId = await activeLoan(branch, a, { termMonths: 240, amount: '300000' }, today, 10);
    const year = Number(today.slice(0, 4)) + 2;
    const january1 = `${year}-01-01`;
    await atOldRate(loanId, '0.031');
    const before = await schedule(loanId, branch);
    expect(before[0].payment).toBe(fenToYuan(annuityFen(30_000_000, '0.031', 240)));

    expect(await runRepriceForLoan(loanId, january1)).toMatchObject({ body: { changed: true, from: '0.031', to: '0.026' } });
    const after = await schedule(loanId, branch);
    const cut = before.findIndex((r) => r.dueDate >= january1);
    // the installments due from next month's 10th to December 10 of the year before keep the old rate
    expect(cut).toBe(monthsBetween(periodOf(monthlyDueDate(today, 1, 10)), `${year}-01`));
    expect(cut).toBeGreaterThanOrEqual(12); // 12 (today in December) to 23 (in January)
    expect(after.slice(0, cut)).toEqual(before.slice(0, cut));
    expect(after).toHaveLength(before.length);
    const principalFrom = (rows: any[]) => rows.reduce((s, r) => s + yuanToFen(r.principal), 0);
    expect(principalFrom(after.slice(cut))).toBe(principalFrom(before.slice(cut)));
    expect(after[cut]).toMatchObject({ dueDate: `${year}-01-10`, payment: fenToYuan(annuityFen(principalFrom(before.slice(cut)), '0.026', 240 - cut)) });
    const loan = await getLoan(loanId, branch);
    expect(loan).toMatchObject({ annualRate: '2.6', outstandingPrincipal: '300000.00' });
    expect((await storedLoan(loanId))!.repricedOn).toBe(january1);

    expect(await runRepriceForLoan(loanId, january1)).toMatchObject({ body: { changed: false } });
    expect(await runRepriceForLoan(loanId, `${year}-03-01`)).toMatchObject({ body: { changed: false } });
    expect(await schedule(loanId, branch)).toEqual(after);
  });

  it('leaves a loan disbursed after that January 1 alone', async () => {
    const branch = newBranch();
    const a = await depositor({ branch, monthlyFen: 500_000 });
    // disbursed today: the January 1 of this year is before it
    const today = businessDate();
    const loanId = await activeLoan(branch, a, { termMonths: 120, amount: '100000' }, today);
    await atOldRate(loanId, '0.031');
    expect(await runRepriceForLoan(loanId, today)).toMatchObject({ body: { changed: false } });
    expect(await runRepriceForLoan(loanId, `${today.slice(0, 4)}-12-31`)).toMatchObject({ body: { changed: false } });
    expect((await getLoan(loanId, branch)).annualRate).toBe('3.1');
  });

  it('runs from the January 1 schedule through the loan-batch queue', async () => {
    const branch = newBranch();
    const a = await depositor({ branch, monthlyFen: 500_000 });
    const loanId = await activeLoan(branch, a, { termMonths: 360, amount: '400000', firstHome: false }, businessDate());
    await atOldRate(loanId, '0.0325');
    await scheduleHandler({ task: 'reprice', date: `${Number(businessDate().slice(0, 4)) + 1}-01-01` }, {} as any);
    await loanBatchDrained();
    expect((await getLoan(loanId, branch)).annualRate).toBe('3.075'); // second home, over 5 years
  });
});

async function loanBatchDrained(timeoutMs = 20_000) {
  const started = Date.now();
  let quietSince = 0;
  while (Date.now() - started < timeoutMs) {
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl('loan-batch'), AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    const busy = Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    if (busy === 0) {
      quietSince ||= Date.now();
      if (Date.now() - quietSince > 300) return;
    } else quietSince = 0;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('loan-batch queue did not drain');
}
