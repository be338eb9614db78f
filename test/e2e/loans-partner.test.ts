// What a partner center (跨省通办, issue 15) learns and does of our member's loans goes through
// loans/public.ts: the loan facts, the payoff certificate, and a full prepayment whose money arrived
// through the partner. Here the test is the interprovincial worker: it calls the public functions,
// commits the planned items with shared/tx.ts commit, and compares with what our own HTTP API says
// about the same loans (GET /v1/loans/{id}, its schedule, its payoff certificate, the member's own
// full prepayment, the archive). Loans are real: applied, approved and disbursed over HTTP; an overdue
// one is disbursed in the past (its approval back-dated in the store first, issue 14) and the daily
// run is invoked for today on that loan alone.
import { describe, expect, it } from 'vitest';
import { SELLER, disbursementPaid } from '../support/seller.ts';
import { randomUUID } from 'node:crypto';
import { call, memberToken, staffToken, auditorToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount, periodFlows, type Account } from '../../shared/ledger/ledger.ts';
import { addMonths, businessDate, now, periodOf } from '../../shared/clock.ts';
import { fenToYuan, yuanToFen } from '../../shared/money.ts';
import { runDailyForLoan } from '../../functions/loans/usecases/batch.ts';
import { getLoan as storedLoan, loanWriteItems } from '../../functions/loans/store.ts';
import { monthlyDueDate } from '../../functions/loans/domain/amortization.ts';
import { borrowerFlags, loanFactsOfAccount, loanTotals, payoffCertificateOfAccount, planPartnerFullPrepayment, type LoanFacts } from '../../functions/loans/public.ts';

const PARTNER = '110000';
const today = businessDate();
const newBranch = () => `LP${randomUUID().slice(0, 8)}`;

/** An account with six consecutive monthly remittances up to last month (eligible for a loan). */
async function depositor(branch: string, monthlyFen = 100_000): Promise<Account> {
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId('1990-03-15', 'M') });
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

const application = (accountNo: string, amount: string) => ({
  accountNo,
  amount,
  housePrice: '2000000',
  firstHome: true,
  termMonths: 12,
  monthlyIncome: '20000',
  borrowerCategory: 'TALENT',
  location: 'DISTRICT',
  repaymentMethod: 'EQUAL_INSTALLMENT',
});

async function applied(a: Account, amount = '50000'): Promise<string> {
  const res = await call('POST', '/v1/loans', { token: await memberToken(a.accountNo), body: application(a.accountNo, amount) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.loanId as string;
}

/** Approves and disburses on `disbursedOn` (≤ today; a past one: the approval back-dated to it first). */
async function disbursed(branch: string, loanId: string, disbursedOn = today, dueDay?: number) {
  expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: await staffToken(branch) })).status).toBe(200);
  if (disbursedOn < today) {
    await commit({
      plan: async () => {
        const loan = (await storedLoan(loanId))!;
        return { items: loanWriteItems(loan, { ...loan, appliedOn: disbursedOn, decision: { ...loan.decision!, on: disbursedOn } }), body: null };
      },
    });
  }
  const res = await call('POST', `/v1/loans/${loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn, ...(dueDay ? { dueDay } : {}) } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await disbursementPaid(loanId, await staffToken(branch));
  return loanId;
}

/**
 * A loan whose installment 1 fell due on the 20th two months ago (disbursed a month before it) and
 * was never paid: after the daily run of today it is OVERDUE with penalty interest to today.
 */
async function overdueLoan(branch: string, a: Account): Promise<string> {
  const due1 = `${addMonths(periodOf(today), -2)}-20`;
  const loanId = await disbursed(branch, await applied(a), monthlyDueDate(due1, -1, 20), 20);
  await runDailyForLoan(loanId, today);
  return loanId;
}

const getLoan = async (loanId: string, branch: string) => {
  const res = await call('GET', `/v1/loans/${loanId}`, { token: await staffToken(branch) });
  expect(res.status).toBe(200);
  return res.body;
};
const getSchedule = async (loanId: string, branch: string) => (await call('GET', `/v1/loans/${loanId}/schedule`, { token: await staffToken(branch) })).body.installments as any[];
const routeCertificate = async (loanId: string, a: Account) => call('GET', `/v1/loans/${loanId}/payoff-certificate`, { token: await memberToken(a.accountNo) });

/** The facts as GET /v1/loans/{id} states them (the payoff amount of the day aside). */
const factsOfRoute = (v: any) => ({ loanId: v.loanId, status: v.status, principal: v.principal, outstandingPrincipal: v.outstandingPrincipal, overdueInstallments: v.overdue.installments });
const withoutPayoff = ({ payoffAmountToday: _p, ...rest }: LoanFacts) => rest;

const plan = (a: Pick<Account, 'accountNo'>, loanId: string, amountFen: number, trackingId = `T-${randomUUID()}`, bankRef = `BR-${randomUUID().slice(0, 8)}`) =>
  planPartnerFullPrepayment({ accountNo: a.accountNo, loanId, amountFen, bankRef, partner: PARTNER, trackingId, today, at: now() });

describe('loan facts for a partner (BALANCE_INQUIRY, DEPOSIT_CERTIFICATE)', () => {
  it('are the numbers GET /v1/loans/{id} shows, and the payoff amount of the day is what our own full prepayment pays', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    expect(await loanFactsOfAccount(a.accountNo, today)).toEqual([]);
    const loanId = await applied(a);
    expect(await loanFactsOfAccount(a.accountNo, today)).toEqual([]); // APPLIED: not a loan of the member yet

    const due1 = `${addMonths(periodOf(today), -2)}-20`;
    await disbursed(branch, loanId, monthlyDueDate(due1, -1, 20), 20);
    await runDailyForLoan(loanId, today);
    const view = await getLoan(loanId, branch);
    expect(view.status).toBe('ACTIVE');
    expect(view.overdue.installments).toBeGreaterThanOrEqual(1);
    const [facts, ...more] = await loanFactsOfAccount(a.accountNo, today);
    expect(more).toEqual([]);
    expect(withoutPayoff(facts)).toEqual(factsOfRoute(view));
    // overdue installments with their penalty, the rest of the principal with interest to the day
    expect(yuanToFen(facts.payoffAmountToday)).toBeGreaterThan(yuanToFen(view.outstandingPrincipal) + yuanToFen(view.overdue.penaltyInterest));
    expect(yuanToFen(view.overdue.penaltyInterest)).toBeGreaterThan(0);

    // the member's own full prepayment of today takes exactly that amount and closes the loan
    const paid = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: await memberToken(a.accountNo), body: { full: true, source: 'BANK' } });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(paid.body).toMatchObject({ kind: 'FULL', loanStatus: 'CLOSED', amount: facts.payoffAmountToday });

    const closedView = await getLoan(loanId, branch);
    expect(await loanFactsOfAccount(a.accountNo, today)).toEqual([{ ...factsOfRoute(closedView), payoffAmountToday: '0.00' }]);
    expect(closedView).toMatchObject({ status: 'CLOSED', outstandingPrincipal: '0.00', overdue: { installments: 0 } });
  });

  it('list the member’s loans as borrower only, oldest first; another member’s loan is not theirs', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const b = await depositor(branch);
    const rejected = await applied(a, '40000');
    expect((await call('POST', `/v1/loans/${rejected}/reject`, { token: await staffToken(branch), body: { note: 'no' } })).status).toBe(200);
    const first = await disbursed(branch, await applied(a, '30000'));
    const bLoan = await disbursed(branch, await applied(b, '20000'));
    // closed by the member's own full prepayment; then a second loan, disbursed today
    expect((await call('POST', `/v1/loans/${first}/prepayments`, { token: await memberToken(a.accountNo), body: { full: true, source: 'BANK' } })).status).toBe(201);
    const second = await disbursed(branch, await applied(a, '45000'));

    const facts = await loanFactsOfAccount(a.accountNo, today);
    expect(facts.map((f) => f.loanId)).toEqual([first, second]);
    expect(facts.map(withoutPayoff)).toEqual([factsOfRoute(await getLoan(first, branch)), factsOfRoute(await getLoan(second, branch))]);
    // disbursed today: no interest has run yet, the payoff amount is the principal
    expect(facts[1]).toMatchObject({ status: 'ACTIVE', principal: '45000.00', outstandingPrincipal: '45000.00', payoffAmountToday: '45000.00', overdueInstallments: 0 });
    expect((await loanFactsOfAccount(b.accountNo, today)).map((f) => f.loanId)).toEqual([bLoan]);
  });
});

describe('the payoff certificate for a partner (LOAN_PAYOFF_CERTIFICATE)', () => {
  it('is the certificate of GET /v1/loans/{id}/payoff-certificate (same number); without a loan id the loan closed last; none while nothing is CLOSED', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const stranger = await depositor(branch);
    const first = await disbursed(branch, await applied(a, '30000'));
    expect(await payoffCertificateOfAccount(a.accountNo)).toBeUndefined();
    expect(await payoffCertificateOfAccount(a.accountNo, first)).toBeUndefined(); // ACTIVE
    expect((await routeCertificate(first, a)).body.code).toBe('INVALID_STATE');

    expect((await call('POST', `/v1/loans/${first}/prepayments`, { token: await memberToken(a.accountNo), body: { full: true, source: 'BANK' } })).status).toBe(201);
    const route = await routeCertificate(first, a);
    expect(route.status, JSON.stringify(route.body)).toBe(200);
    const loanView = await getLoan(first, branch);
    const expected = { certificateNo: route.body.certificateNo, loanId: first, principal: '30000.00', disbursedOn: loanView.disbursedOn, closedOn: loanView.paidOffOn };
    expect(route.body).toMatchObject({ ...expected, accountNo: a.accountNo, paidOffOn: today });
    expect(route.body.certificateNo).toMatch(/^JQ[0-9A-Z]{20,}$/);
    expect((await routeCertificate(first, a)).body.certificateNo).toBe(route.body.certificateNo); // stable
    expect(await payoffCertificateOfAccount(a.accountNo, first)).toEqual(expected);
    expect(await payoffCertificateOfAccount(a.accountNo)).toEqual(expected);
    // not the stranger's loan, nor an unknown one
    expect(await payoffCertificateOfAccount(stranger.accountNo, first)).toBeUndefined();
    expect(await payoffCertificateOfAccount(stranger.accountNo)).toBeUndefined();
    expect(await payoffCertificateOfAccount(a.accountNo, `L${randomUUID()}`)).toBeUndefined();

    // a second loan: while ACTIVE the latest CLOSED one is still the first; once closed, it is the second
    const second = await disbursed(branch, await applied(a, '45000'));
    expect(await payoffCertificateOfAccount(a.accountNo)).toEqual(expected);
    expect(await payoffCertificateOfAccount(a.accountNo, second)).toBeUndefined();
    expect((await call('POST', `/v1/loans/${second}/prepayments`, { token: await memberToken(a.accountNo), body: { full: true, source: 'BANK' } })).status).toBe(201);
    const secondRoute = (await routeCertificate(second, a)).body;
    expect(secondRoute.certificateNo).not.toBe(expected.certificateNo);
    const latest = await payoffCertificateOfAccount(a.accountNo);
    expect(latest).toEqual({ certificateNo: secondRoute.certificateNo, loanId: second, principal: '45000.00', disbursedOn: secondRoute.disbursedOn, closedOn: secondRoute.closedOn });
    expect(await payoffCertificateOfAccount(a.accountNo, first)).toEqual(expected);
  });
});

describe('a partner’s full prepayment (FULL_PREPAYMENT) is one of our full prepayments', () => {
  it('refuses a wrong amount (AMOUNT_MISMATCH naming the payoff amount) and a loan that is not the member’s active loan (NO_ACTIVE_LOAN), changing nothing', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const other = await depositor(branch);
    const loanId = await overdueLoan(branch, a);
    const pending = await applied(other); // APPLIED, not ACTIVE
    const [facts] = await loanFactsOfAccount(a.accountNo, today);
    const payoffFen = yuanToFen(facts.payoffAmountToday);
    const before = { loan: await getLoan(loanId, branch), schedule: await getSchedule(loanId, branch), flags: await borrowerFlags(a.accountNo), totals: await loanTotals([branch]) };

    for (const amountFen of [payoffFen - 1, payoffFen + 1, yuanToFen(facts.outstandingPrincipal)]) {
      const p = await plan(a, loanId, amountFen);
      expect(p).toEqual({ ok: false, code: 'AMOUNT_MISMATCH', message: expect.stringContaining(facts.payoffAmountToday) });
      if (!p.ok) expect(p.message).toContain(`结清金额为${facts.payoffAmountToday}元`);
    }
    for (const [acc, id] of [[other, loanId], [a, `L${randomUUID()}`], [other, pending]] as const) {
      expect(await plan(acc, id, payoffFen)).toEqual({ ok: false, code: 'NO_ACTIVE_LOAN', message: expect.stringContaining(id) });
    }
    expect({ loan: await getLoan(loanId, branch), schedule: await getSchedule(loanId, branch), flags: await borrowerFlags(a.accountNo), totals: await loanTotals([branch]) }).toEqual(before);
    expect((await getLoan(pending, branch)).status).toBe('APPLIED');
  });

  it('of the payoff amount of the day closes the loan once the items commit: schedule paid, flags cleared, fund flows, the route’s certificate, archived by the partner; planned again it answers the same', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const loanId = await overdueLoan(branch, a);
    const [facts] = await loanFactsOfAccount(a.accountNo, today);
    expect(facts.overdueInstallments).toBeGreaterThanOrEqual(1);
    const payoffFen = yuanToFen(facts.payoffAmountToday);
    const flowsBefore = await periodFlows(periodOf(today), branch);
    const trackingId = `T-${randomUUID()}`;
    const bankRef = `BR-${randomUUID().slice(0, 8)}`;

    const planned = await plan(a, loanId, payoffFen, trackingId, bankRef);
    if (!planned.ok) throw new Error(JSON.stringify(planned));
    expect(planned.result).toEqual({ loanId, paidAmount: facts.payoffAmountToday, closedOn: today, certificateNo: expect.stringMatching(/^JQ/) });
    expect(planned.items.length).toBeGreaterThan(0);
    expect((await getLoan(loanId, branch)).status).toBe('ACTIVE'); // planned, not committed
    await commit({ plan: async () => ({ items: planned.items, body: null }) });

    const view = await getLoan(loanId, branch);
    expect(view).toMatchObject({ status: 'CLOSED', outstandingPrincipal: '0.00', paidOffOn: today, overdue: { installments: 0, penaltyInterest: '0.00' }, nextDue: null });
    expect((await getSchedule(loanId, branch)).every((r) => r.status === 'PAID')).toBe(true);
    expect(await borrowerFlags(a.accountNo)).toEqual({ hasOverdueLoan: false });
    expect(await loanTotals([branch])).toEqual({ outstandingPrincipalFen: 0, overduePrincipalFen: 0, activeLoans: 0 });
    // the money paid reaches the fund as principal, interest and penalty interest repaid
    const flows = await periodFlows(periodOf(today), branch);
    const delta = (k: string) => (flows[k] ?? 0) - (flowsBefore[k] ?? 0);
    expect(delta('LOAN_REPAYMENT') + delta('LOAN_INTEREST') + delta('PENALTY_INTEREST')).toBe(payoffFen);
    expect(delta('LOAN_REPAYMENT')).toBe(yuanToFen(facts.outstandingPrincipal));
    expect(delta('PENALTY_INTEREST')).toBeGreaterThan(0);

    // the certificate: the route's, and the partner's, the same number as the result
    const route = await routeCertificate(loanId, a);
    expect(route.status).toBe(200);
    expect(route.body.certificateNo).toBe(planned.result.certificateNo);
    const certificate = { certificateNo: planned.result.certificateNo, loanId, principal: view.principal, disbursedOn: view.disbursedOn, closedOn: today };
    expect(await payoffCertificateOfAccount(a.accountNo)).toEqual(certificate);
    expect(await payoffCertificateOfAccount(a.accountNo, loanId)).toEqual(certificate);
    expect(await loanFactsOfAccount(a.accountNo, today)).toEqual([{ ...factsOfRoute(view), payoffAmountToday: '0.00' }]);

    // the archive: a PREPAYMENT by the partner, with what it submitted
    const archive = await call('GET', `/v1/archive/LOAN/${loanId}`, { token: await auditorToken() });
    expect(archive.status).toBe(200);
    const byPartner = archive.body.records.filter((r: any) => r.actor.role === 'partner');
    expect(byPartner).toHaveLength(1);
    expect(byPartner[0]).toMatchObject({ action: 'PREPAYMENT', actor: { sub: PARTNER, role: 'partner' }, submitted: { trackingId, bankRef, loanId, amountFen: payoffFen, full: true, source: 'BANK' }, decision: { status: 'CLOSED' } });

    // planned again for the same trackingId (a redelivery): the same result, nothing to commit; another trackingId: no active loan
    expect(await plan(a, loanId, payoffFen, trackingId, bankRef)).toEqual({ ok: true, items: [], result: planned.result });
    expect((await plan(a, loanId, payoffFen)).ok).toBe(false);
    expect(await plan(a, loanId, payoffFen)).toMatchObject({ ok: false, code: 'NO_ACTIVE_LOAN' });
    // the member has no active loan any more: they may apply again
    expect((await getLoan(await applied(a, '1000'), branch)).status).toBe('APPLIED');
  });

  it('of a loan disbursed today pays exactly its principal (no interest yet)', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const loanId = await disbursed(branch, await applied(a, '36000.50'));
    const planned = await plan(a, loanId, 3_600_050);
    if (!planned.ok) throw new Error(JSON.stringify(planned));
    expect(planned.result.paidAmount).toBe(fenToYuan(3_600_050));
    await commit({ plan: async () => ({ items: planned.items, body: null }) });
    expect((await getLoan(loanId, branch)).status).toBe('CLOSED');
    expect((await routeCertificate(loanId, a)).body.certificateNo).toBe(planned.result.certificateNo);
  });
});
