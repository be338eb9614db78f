// The deposits and loans publics the settlement domain applies a bank's arrival notice with (issue 16):
// planRemittanceSettlementByBank, planFlexibleDepositByBank, planRepaymentByBank. Records are real
// (created over HTTP); the settlement domain is played in-process (plan through the public, commit
// its items with shared/tx.ts, then afterCommit) against the same store and queues as the runtime.
// Each result is compared over HTTP with what the staff route gives on a twin record; each refusal
// changes nothing; the same items committed twice, or a plan after the commit, apply once.
import { describe, expect, it } from 'vitest';
import { SELLER, disbursementPaid } from '../support/seller.ts';
import { randomUUID } from 'node:crypto';
import { call, auditorToken, memberToken, staffToken, unitToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import type { TxItem } from '../../shared/ddb.ts';
import { ledgerWrite, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import { addMonths, businessDate, now, periodOf } from '../../shared/clock.ts';
import { yuanToFen } from '../../shared/money.ts';
import { registerUnit, uniqueBranch, pollUntil } from '../e2e/deposits-fixtures.ts';
import { bankActor, planFlexibleDepositByBank, planRemittanceSettlementByBank } from '../../functions/deposits/public.ts';
import { planRepaymentByBank } from '../../functions/loans/public.ts';
import { runDailyForLoan } from '../../functions/loans/usecases/batch.ts';
import { getLoan as storedLoan, loanWriteItems } from '../../functions/loans/store.ts';
import { monthlyDueDate } from '../../functions/loans/domain/amortization.ts';

const BANK = bankActor('TESTBANK');
const today = businessDate();

/** The settlement domain's commit of planned items (one attempt: a cancelled transaction is an error here). */
const commitItems = (items: TxItem[]) => commit({ plan: async () => ({ items, body: null }), maxAttempts: 1 });

const archiveOf = async (type: string, id: string) => ((await call('GET', `/v1/archive/${type}/${id}`, { token: await auditorToken() })).body.records ?? []) as any[];
const accountView = async (accountNo: string) => (await call('GET', `/v1/accounts/${accountNo}`, { token: await staffToken('*') })).body;
const entriesOf = async (accountNo: string) => (await call('GET', `/v1/accounts/${accountNo}/entries`, { token: await staffToken('*') })).body.items as any[];

// ------------------------------------------------------------------------------------ remittances

/** A unit with two employees (8,000.00 and 10,000.00 at 12% + 12%) and its 2025-03 list: 1,920.00 + 2,400.00. */
async function remittance() {
  const branch = uniqueBranch('BP');
  const unit = await registerUnit(branch);
  const tok = await unitToken(unit.unitId);
  const accountNos: string[] = [];
  for (const monthlyBase of ['8000', '10000']) {
    const hired = await call('POST', `/v1/units/${unit.unitId}/employees`, { token: tok, body: { idNumber: randomResidentId(), name: '职工', monthlyBase, startPeriod: '2025-01' } });
    expect(hired.status, JSON.stringify(hired.body)).toBe(201);
    accountNos.push(hired.body.accountNo);
  }
  const created = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: tok, body: { period: '2025-03' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body).toMatchObject({ status: 'AWAITING_FUNDS', totalAmount: '4320.00', headcount: 2 });
  return { branch, unitId: unit.unitId as string, accountNos, remittanceId: created.body.remittanceId as string };
}

const remittanceView = async (r: { unitId: string; remittanceId: string }) => (await call('GET', `/v1/remittances/${r.remittanceId}`, { token: await unitToken(r.unitId) })).body;
const posted = (r: { unitId: string; remittanceId: string }) => pollUntil(() => remittanceView(r), (v) => v.status === 'POSTED');
const balances = async (accountNos: string[]) => Promise.all(accountNos.map(async (no) => (await accountView(no)).balance));
/** A remittance view without what differs between twins (ids, timestamps, the settlement's reference). */
const comparable = (v: any) => {
  const { remittanceId: _r, unitId: _u, branch: _b, createdAt: _c, settledAt: _s, postedAt: _p, bankRef: _k, settlement: _t, ...rest } = v;
  return rest;
};

describe('planRemittanceSettlementByBank', () => {
  it('settles as the staff route does: POSTING → POSTED, the employees credited, the archive names the bank', async () => {
    const [staff, bank] = await Promise.all([remittance(), remittance()]);
    const settled = await call('POST', `/v1/remittances/${staff.remittanceId}/settlements`, { token: await staffToken(staff.branch), body: { amount: '4320.00', bankRef: `BR-${randomUUID()}` } });
    expect(settled.status, JSON.stringify(settled.body)).toBe(202);

    const bankRef = `N-${randomUUID()}`;
    const plan = await planRemittanceSettlementByBank({ remittanceId: bank.remittanceId, amountFen: 432_000, bankRef, at: now(), actor: BANK });
    if (!plan.ok) throw new Error(`refused: ${plan.reason}`);
    expect(plan.remittance).toEqual({ remittanceId: bank.remittanceId, unitId: bank.unitId, branch: bank.branch, period: '2025-03', totalAmount: '4320.00' });
    expect((await remittanceView(bank)).status).toBe('AWAITING_FUNDS'); // planned, nothing written
    await commitItems(plan.items);
    expect((await remittanceView(bank)).status).toMatch(/^(POSTING|POSTED)$/);
    await plan.afterCommit();

    const [a, b] = await Promise.all([posted(staff), posted(bank)]);
    expect(b.status).toBe('POSTED');
    expect(comparable(b)).toEqual(comparable(a));
    expect(await balances(bank.accountNos)).toEqual(['1920.00', '2400.00']);
    expect(await balances(bank.accountNos)).toEqual(await balances(staff.accountNos));
    const entries = await entriesOf(bank.accountNos[0]);
    expect(entries.map((e) => [e.type, e.amount, e.period])).toEqual([['REMITTANCE', '1920.00', '2025-03']]);

    const settle = (await archiveOf('REMITTANCE', bank.remittanceId)).filter((r) => r.action === 'SETTLE');
    expect(settle).toHaveLength(1);
    expect(settle[0]).toMatchObject({ actor: BANK, submitted: { amount: '4320.00', bankRef }, decision: { status: 'POSTING' } });
  });

  it('refusals change nothing: NOT_FOUND, AMOUNT_MISMATCH (a fen off), NOT_AWAITING_FUNDS after a settlement', async () => {
    const r = await remittance();
    const at = now();
    expect(await planRemittanceSettlementByBank({ remittanceId: `R-${randomUUID()}`, amountFen: 432_000, bankRef: 'N1', at })).toEqual({ ok: false, reason: 'NOT_FOUND' });
    for (const amountFen of [431_999, 432_001])
      expect(await planRemittanceSettlementByBank({ remittanceId: r.remittanceId, amountFen, bankRef: 'N1', at })).toEqual({ ok: false, reason: 'AMOUNT_MISMATCH' });
    expect((await remittanceView(r)).status).toBe('AWAITING_FUNDS');
    expect(await archiveOf('REMITTANCE', r.remittanceId)).toHaveLength(1); // CREATE only

    // settled by the staff route: the bank's notice is refused and changes nothing
    expect((await call('POST', `/v1/remittances/${r.remittanceId}/settlements`, { token: await staffToken(r.branch), body: { amount: '4320.00', bankRef: 'CLERK' } })).status).toBe(202);
    await posted(r);
    expect(await planRemittanceSettlementByBank({ remittanceId: r.remittanceId, amountFen: 432_000, bankRef: 'N2', at: now() })).toEqual({ ok: false, reason: 'NOT_AWAITING_FUNDS' });
    expect(await balances(r.accountNos)).toEqual(['1920.00', '2400.00']);
    expect((await archiveOf('REMITTANCE', r.remittanceId)).filter((x) => x.action === 'SETTLE')).toHaveLength(1);
  });

  it('the same items committed twice, or a plan after the commit, settle once and credit once', async () => {
    const r = await remittance();
    const plan = await planRemittanceSettlementByBank({ remittanceId: r.remittanceId, amountFen: 432_000, bankRef: 'N-twice', at: now(), actor: BANK });
    const again = await planRemittanceSettlementByBank({ remittanceId: r.remittanceId, amountFen: 432_000, bankRef: 'N-twice', at: now(), actor: BANK });
    if (!plan.ok || !again.ok) throw new Error('refused');
    await commitItems(plan.items);
    await expect(commitItems(plan.items)).rejects.toThrow();
    await expect(commitItems(again.items)).rejects.toThrow(); // planned before the commit, committed after it
    expect(await planRemittanceSettlementByBank({ remittanceId: r.remittanceId, amountFen: 432_000, bankRef: 'N-twice', at: now() })).toEqual({ ok: false, reason: 'NOT_AWAITING_FUNDS' });
    await plan.afterCommit();
    await plan.afterCommit(); // a repeated start is harmless
    expect((await posted(r)).status).toBe('POSTED');
    expect(await balances(r.accountNos)).toEqual(['1920.00', '2400.00']);
    expect((await archiveOf('REMITTANCE', r.remittanceId)).filter((x) => x.action === 'SETTLE')).toHaveLength(1);
  });
});

// ------------------------------------------------------------------------------------ flexible deposits

/** A flexible account opened today (base 5,000.00 at 20%: 1,000.00 a month) over HTTP. */
async function flexible(): Promise<string> {
  const opened = await call('POST', '/v1/flexible-accounts', { token: await staffToken('*'), body: { idNumber: randomResidentId(), name: '灵活', monthlyBase: '5000', rate: '20' } });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  return opened.body.accountNo;
}

const comparableEntry = (e: any) => ({ type: e.type, amount: e.amount, balanceAfter: e.balanceAfter, period: e.period });

describe('planFlexibleDepositByBank', () => {
  it('credits the next period owed as the deposits route does; the same bankRef again answers the same with no items', async () => {
    const [byStaff, byBank] = await Promise.all([flexible(), flexible()]);
    const period = periodOf(today);
    const dep = await call('POST', `/v1/accounts/${byStaff}/deposits`, { token: await staffToken('*'), body: { period, amount: '1000', bankRef: 'CLERK' } });
    expect(dep.status, JSON.stringify(dep.body)).toBe(201);

    const input = { accountNo: byBank, amountFen: 100_000, bankRef: `N-${randomUUID()}`, valueDate: today, at: now(), actor: BANK };
    const plan = await planFlexibleDepositByBank(input);
    expect(plan).toMatchObject({ ok: true, deposit: { accountNo: byBank, period, amount: '1000.00' } });
    if (!plan.ok) throw new Error('refused');
    expect((await accountView(byBank)).balance).toBe('0.00'); // planned, nothing written
    await commitItems(plan.items);
    await expect(commitItems(plan.items)).rejects.toThrow();

    const [a, b] = await Promise.all([accountView(byStaff), accountView(byBank)]);
    expect(b).toMatchObject({ balance: '1000.00', lastPaidPeriod: period });
    expect({ balance: b.balance, lastPaidPeriod: b.lastPaidPeriod, status: b.status }).toEqual({ balance: a.balance, lastPaidPeriod: a.lastPaidPeriod, status: a.status });
    expect((await entriesOf(byBank)).map(comparableEntry)).toEqual((await entriesOf(byStaff)).map(comparableEntry));
    const archived = (await archiveOf('ACCOUNT', byBank)).filter((r) => r.action === 'DEPOSIT');
    expect(archived).toHaveLength(1);
    expect(archived[0]).toMatchObject({ actor: BANK, submitted: { period, amount: '1000.00', bankRef: input.bankRef }, decision: { status: 'POSTED' } });

    // planned again after the commit: the same deposit, nothing to write
    expect(await planFlexibleDepositByBank({ ...input, at: now() })).toEqual({ ok: true, items: [], deposit: { accountNo: byBank, period, amount: '1000.00' } });
    // another notice: the next period owed (next month) has not begun
    expect(await planFlexibleDepositByBank({ ...input, bankRef: `N-${randomUUID()}`, at: now() })).toEqual({ ok: false, reason: 'INVALID_STATE' });
    expect((await entriesOf(byBank)).length).toBe(1);
    expect((await accountView(byBank)).balance).toBe('1000.00');
  });

  it('the next period owed follows the last paid one', async () => {
    const acc = await openFundedAccount({ branch: uniqueBranch('BF'), openedOn: '2025-01-01' }); // FLEXIBLE, 1,920.00 a month
    await commit({
      plan: async () => {
        const account = await mustGetAccount(acc.accountNo);
        return { items: ledgerWrite([{ account, postings: [{ amountFen: 192_000, type: 'DEPOSIT', ref: 'fixture', period: '2025-04', valueDate: today }], changes: { lastPaidPeriod: '2025-04' } }]).items, body: null };
      },
    });
    const plan = await planFlexibleDepositByBank({ accountNo: acc.accountNo, amountFen: 192_000, bankRef: `N-${randomUUID()}`, valueDate: today, at: now() });
    expect(plan).toMatchObject({ ok: true, deposit: { period: '2025-05', amount: '1920.00' } });
  });

  it('refusals change nothing: NOT_FOUND, NOT_FLEXIBLE, AMOUNT_MISMATCH, INVALID_STATE (closed); a frozen account is credited as by the route', async () => {
    const at = now();
    const n = () => `N-${randomUUID()}`;
    expect(await planFlexibleDepositByBank({ accountNo: '999999999999', amountFen: 100_000, bankRef: n(), valueDate: today, at })).toEqual({ ok: false, reason: 'NOT_FOUND' });

    const branch = uniqueBranch('BF');
    const unit = await registerUnit(branch);
    const hired = await call('POST', `/v1/units/${unit.unitId}/employees`, { token: await unitToken(unit.unitId), body: { idNumber: randomResidentId(), name: '职工', monthlyBase: '8000' } });
    expect(await planFlexibleDepositByBank({ accountNo: hired.body.accountNo, amountFen: 192_000, bankRef: n(), valueDate: today, at })).toEqual({ ok: false, reason: 'NOT_FLEXIBLE' });

    const acc = await flexible();
    for (const amountFen of [99_999, 100_001, 200_000]) expect(await planFlexibleDepositByBank({ accountNo: acc, amountFen, bankRef: n(), valueDate: today, at })).toEqual({ ok: false, reason: 'AMOUNT_MISMATCH' });
    // the route refuses the same amount the same way
    expect((await call('POST', `/v1/accounts/${acc}/deposits`, { token: await staffToken('*'), body: { period: periodOf(today), amount: '999.99', bankRef: 'X' } })).body.code).toBe('POLICY_VIOLATION');
    expect(await entriesOf(acc)).toEqual([]);

    const closed: Account = await openFundedAccount({ branch, status: 'CLOSED' });
    expect(await planFlexibleDepositByBank({ accountNo: closed.accountNo, amountFen: 192_000, bankRef: n(), valueDate: today, at })).toEqual({ ok: false, reason: 'INVALID_STATE' });
    expect((await mustGetAccount(closed.accountNo)).balanceFen).toBe(closed.balanceFen);

    const order = { reason: '法院协助执行', authority: '杭州市西湖区人民法院', documentNo: `(2026)浙0106执${Date.now() % 100000}号` };
    expect((await call('POST', `/v1/accounts/${acc}/freeze`, { token: await auditorToken(), body: order })).status).toBe(200);
    const frozen = await planFlexibleDepositByBank({ accountNo: acc, amountFen: 100_000, bankRef: n(), valueDate: today, at: now() });
    if (!frozen.ok) throw new Error(`refused: ${frozen.reason}`);
    await commitItems(frozen.items);
    expect(await accountView(acc)).toMatchObject({ status: 'FROZEN', balance: '1000.00' });
  });
});

// ------------------------------------------------------------------------------------ loan repayments

async function depositor(branch: string): Promise<Account> {
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId('1990-03-15', 'F') });
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: 100_000, type: 'REMITTANCE' as const, period: addMonths(periodOf(today), i - 6), ref: 'fixture-remittance', valueDate: today }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}

/** Applied, approved and disbursed about two months ago (day 20): its first installment is overdue today. */
async function overdueLoan(branch: string, a: Account): Promise<string> {
  const body = { accountNo: a.accountNo, amount: '40000', housePrice: '2000000', firstHome: true, termMonths: 24, monthlyIncome: '20000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_PRINCIPAL' };
  const applied = await call('POST', '/v1/loans', { token: await memberToken(a.accountNo), body });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  const loanId = applied.body.loanId as string;
  expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: await staffToken(branch) })).status).toBe(200);
  const disbursedOn = monthlyDueDate(`${addMonths(periodOf(today), -2)}-20`, -1, 20);
  await commit({
    plan: async () => {
      const loan = (await storedLoan(loanId))!;
      return { items: loanWriteItems(loan, { ...loan, appliedOn: disbursedOn, decision: { ...loan.decision!, on: disbursedOn } }), body: null };
    },
  });
  const res = await call('POST', `/v1/loans/${loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn, dueDay: 20 } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  // the bank's result changes the loan's record: planned items are committed only after it
  await disbursementPaid(loanId, await staffToken(branch));
  await runDailyForLoan(loanId, today);
  return loanId;
}

const loanView = async (branch: string, loanId: string) => (await call('GET', `/v1/loans/${loanId}`, { token: await staffToken(branch) })).body;
const scheduleOf = async (branch: string, loanId: string) => (await call('GET', `/v1/loans/${loanId}/schedule`, { token: await staffToken(branch) })).body.installments as any[];
/** What is payable today: the unpaid part of every installment due by today, with its penalty. */
const payableFen = (rows: any[]) => rows.filter((r) => r.status !== 'PAID' && r.dueDate <= today).reduce((s, r) => s + yuanToFen(r.payment) - yuanToFen(r.paid) + yuanToFen(r.penaltyInterest), 0);
const comparableRows = (rows: any[]) => rows.map(({ no, dueDate: _d, ...rest }) => ({ no, ...rest }));
const comparableLoan = (l: any) => ({ status: l.status, outstandingPrincipal: l.outstandingPrincipal, overdue: l.overdue });

describe('planRepaymentByBank', () => {
  it('pays the installments due as the repayments route does; the same bankRef again answers the same with no items', async () => {
    const branch = uniqueBranch('BL');
    const [ua, ub] = await Promise.all([depositor(branch), depositor(branch)]);
    const [staffLoan, bankLoan] = await Promise.all([overdueLoan(branch, ua), overdueLoan(branch, ub)]);
    const rowsBefore = await scheduleOf(branch, bankLoan);
    const amountFen = payableFen(rowsBefore);
    expect(amountFen).toBeGreaterThan(0);
    expect(payableFen(await scheduleOf(branch, staffLoan))).toBe(amountFen);

    const paid = await call('POST', `/v1/loans/${staffLoan}/repayments`, { token: await staffToken(branch), body: { amount: (amountFen / 100).toFixed(2), paidOn: today, bankRef: `BR-${randomUUID().slice(0, 12)}` } });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);

    const input = { loanId: bankLoan, amountFen, bankRef: `N-${randomUUID()}`, paidOn: today, at: now(), actor: BANK };
    const plan = await planRepaymentByBank(input);
    if (!plan.ok) throw new Error(`refused: ${plan.reason}`);
    expect(plan.repayment).toEqual({ loanId: bankLoan, installmentsPaid: paid.body.installments.length, amount: paid.body.amount });
    expect(plan.repayment.installmentsPaid).toBeGreaterThan(0);
    expect(comparableRows(await scheduleOf(branch, bankLoan))).toEqual(comparableRows(rowsBefore)); // planned, nothing written
    await commitItems(plan.items);
    await expect(commitItems(plan.items)).rejects.toThrow();

    expect(comparableRows(await scheduleOf(branch, bankLoan))).toEqual(comparableRows(await scheduleOf(branch, staffLoan)));
    expect((await scheduleOf(branch, bankLoan))[0].status).toBe('PAID');
    expect(comparableLoan(await loanView(branch, bankLoan))).toEqual(comparableLoan(await loanView(branch, staffLoan)));
    const archived = (await archiveOf('LOAN', bankLoan)).filter((r) => r.action === 'BANK_REPAYMENT');
    expect(archived).toHaveLength(1);
    expect(archived[0]).toMatchObject({ actor: BANK, decision: { status: 'APPLIED' } });

    // planned again after the commit: the same repayment, nothing to write
    expect(await planRepaymentByBank({ ...input, at: now() })).toEqual({ ok: true, items: [], repayment: plan.repayment });
    // another notice of the same amount: nothing is payable any more
    expect(await planRepaymentByBank({ ...input, bankRef: `N-${randomUUID()}`, at: now() })).toEqual({ ok: false, reason: 'POLICY_VIOLATION' });
    expect((await archiveOf('LOAN', bankLoan)).filter((r) => r.action === 'BANK_REPAYMENT')).toHaveLength(1);
  });

  it('refusals change nothing: NOT_FOUND, POLICY_VIOLATION (more than is payable, a future date), INVALID_STATE (not ACTIVE)', async () => {
    const at = now();
    const n = () => `N-${randomUUID()}`;
    expect(await planRepaymentByBank({ loanId: `L-${randomUUID()}`, amountFen: 100, bankRef: n(), paidOn: today, at })).toEqual({ ok: false, reason: 'NOT_FOUND' });

    const branch = uniqueBranch('BL');
    const a = await depositor(branch);
    const loanId = await overdueLoan(branch, a);
    const rows = await scheduleOf(branch, loanId);
    const loan = await loanView(branch, loanId);
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    expect(await planRepaymentByBank({ loanId, amountFen: payableFen(rows) + 1, bankRef: n(), paidOn: today, at })).toEqual({ ok: false, reason: 'POLICY_VIOLATION' });
    expect(await planRepaymentByBank({ loanId, amountFen: 100, bankRef: n(), paidOn: tomorrow, at })).toEqual({ ok: false, reason: 'POLICY_VIOLATION' });
    expect(await planRepaymentByBank({ loanId, amountFen: 0, bankRef: n(), paidOn: today, at })).toEqual({ ok: false, reason: 'POLICY_VIOLATION' });
    expect(comparableRows(await scheduleOf(branch, loanId))).toEqual(comparableRows(rows));
    expect(comparableLoan(await loanView(branch, loanId))).toEqual(comparableLoan(loan));

    // paid off (a full prepayment from the bank): CLOSED, no repayment
    const payoff = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: await staffToken(branch), body: { full: true, source: 'BANK' } });
    expect([payoff.status, payoff.body.loanStatus], JSON.stringify(payoff.body)).toEqual([201, 'CLOSED']);
    expect(await planRepaymentByBank({ loanId, amountFen: 100, bankRef: n(), paidOn: today, at: now() })).toEqual({ ok: false, reason: 'INVALID_STATE' });
    expect((await archiveOf('LOAN', loanId)).filter((r) => r.action === 'BANK_REPAYMENT')).toHaveLength(0);
  });
});
