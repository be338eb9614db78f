// A partner's full prepayment (跨省通办 FULL_PREPAYMENT, issue 15) under redelivery and races: the
// interprovincial worker may plan and commit the same partner request more than once, at the same
// time, or while the member pays the loan off themselves. The loan closes exactly once and the money
// reaches the fund once: the planned items are conditioned on the loan's version and on the
// trackingId's record. Loans are real (applied, approved and disbursed over HTTP); the worker is
// played in-process (plan through loans/public.ts, commit with shared/tx.ts) against the same store.
import { describe, expect, it } from 'vitest';
import { SELLER, disbursementPaid } from '../support/seller.ts';
import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { call, memberToken, staffToken, auditorToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { ddb } from '../../shared/ddb.ts';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerWrite, mustGetAccount, periodFlows, type Account } from '../../shared/ledger/ledger.ts';
import { addMonths, businessDate, now, periodOf } from '../../shared/clock.ts';
import { yuanToFen } from '../../shared/money.ts';
import { runDailyForLoan } from '../../functions/loans/usecases/batch.ts';
import { getLoan as storedLoan, loanWriteItems, loansOfBorrower } from '../../functions/loans/store.ts';
import { monthlyDueDate } from '../../functions/loans/domain/amortization.ts';
import { loanFactsOfAccount, planPartnerFullPrepayment, type PartnerFullPrepaymentPlan } from '../../functions/loans/public.ts';

const PARTNER = '440300';
const today = businessDate();
const newBranch = () => `LR${randomUUID().slice(0, 8)}`;

async function depositor(branch: string, birthDate = '1991-06-15', gender: 'M' | 'F' = 'F'): Promise<Account> {
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId(birthDate, gender) });
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: 100_000, type: 'REMITTANCE' as const, period: addMonths(periodOf(today), i - 6), ref: 'fixture-remittance', valueDate: today }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}

/** Applied, approved and disbursed (in the past when the first installment should be overdue today). */
async function activeLoan(branch: string, a: Account, overdue: boolean): Promise<string> {
  const body = { accountNo: a.accountNo, amount: '40000', housePrice: '2000000', firstHome: true, termMonths: 24, monthlyIncome: '20000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_PRINCIPAL' };
  const applied = await call('POST', '/v1/loans', { token: await memberToken(a.accountNo), body });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  const loanId = applied.body.loanId as string;
  expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: await staffToken(branch) })).status).toBe(200);
  const disbursedOn = overdue ? monthlyDueDate(`${addMonths(periodOf(today), -2)}-20`, -1, 20) : today;
  if (overdue) {
    await commit({
      plan: async () => {
        const loan = (await storedLoan(loanId))!;
        return { items: loanWriteItems(loan, { ...loan, appliedOn: disbursedOn, decision: { ...loan.decision!, on: disbursedOn } }), body: null };
      },
    });
  }
  const res = await call('POST', `/v1/loans/${loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn, dueDay: 20 } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  // the bank's result changes the loan's record: planned items are committed only after it
  await disbursementPaid(loanId, await staffToken(branch));
  if (overdue) await runDailyForLoan(loanId, today);
  return loanId;
}

const planFor = (a: Account, loanId: string, amountFen: number, trackingId: string) =>
  planPartnerFullPrepayment({ accountNo: a.accountNo, loanId, amountFen, bankRef: `BR-${trackingId}`, partner: PARTNER, trackingId, today, at: now() });

/** The worker: plan and commit in one transaction, re-planned on a lost race (what commit does). */
const worker = (a: Account, loanId: string, amountFen: number, trackingId: string) =>
  commit<PartnerFullPrepaymentPlan>({
    plan: async () => {
      const p = await planFor(a, loanId, amountFen, trackingId);
      return { items: p.ok ? p.items : [], body: p.ok ? { ...p, items: [] } : p };
    },
  }).then((o) => o.body);

const repaidFen = (before: Record<string, number>, after: Record<string, number>) =>
  ['LOAN_REPAYMENT', 'LOAN_INTEREST', 'PENALTY_INTEREST'].reduce((s, k) => s + (after[k] ?? 0) - (before[k] ?? 0), 0);

const partnerRecords = async (loanId: string) => ((await call('GET', `/v1/archive/LOAN/${loanId}`, { token: await auditorToken() })).body.records as any[]).filter((r) => r.actor.role === 'partner');

describe('a partner’s full prepayment under redelivery and races', () => {
  it('the same request committed by six workers at once closes the loan once; every worker gets the same result', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const loanId = await activeLoan(branch, a, true);
    const [facts] = await loanFactsOfAccount(a.accountNo, today);
    const payoffFen = yuanToFen(facts.payoffAmountToday);
    const flowsBefore = await periodFlows(periodOf(today), branch);
    const trackingId = `T-${randomUUID()}`;

    const results = await Promise.all(Array.from({ length: 6 }, () => worker(a, loanId, payoffFen, trackingId)));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const first = results[0] as Extract<PartnerFullPrepaymentPlan, { ok: true }>;
    expect(first.result).toEqual({ loanId, paidAmount: facts.payoffAmountToday, closedOn: today, certificateNo: expect.stringMatching(/^JQ/) });
    for (const r of results) expect(r).toEqual(first);

    expect((await storedLoan(loanId))!.status).toBe('CLOSED');
    expect(repaidFen(flowsBefore, await periodFlows(periodOf(today), branch))).toBe(payoffFen);
    expect(await partnerRecords(loanId)).toHaveLength(1);
  });

  it('items planned before another copy committed cannot commit afterwards (a stale plan is refused by its conditions, nothing twice)', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const loanId = await activeLoan(branch, a, true);
    const [facts] = await loanFactsOfAccount(a.accountNo, today);
    const payoffFen = yuanToFen(facts.payoffAmountToday);
    const trackingId = `T-${randomUUID()}`;
    const [p1, p2] = await Promise.all([planFor(a, loanId, payoffFen, trackingId), planFor(a, loanId, payoffFen, trackingId)]);
    if (!p1.ok || !p2.ok) throw new Error('both plans should be ok');
    const flowsBefore = await periodFlows(periodOf(today), branch);
    await ddb.send(new TransactWriteCommand({ TransactItems: p1.items }));
    await expect(ddb.send(new TransactWriteCommand({ TransactItems: p2.items }))).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(repaidFen(flowsBefore, await periodFlows(periodOf(today), branch))).toBe(payoffFen);
    expect(await partnerRecords(loanId)).toHaveLength(1);
    // planned again now: the same result and nothing to commit
    expect(await planFor(a, loanId, payoffFen, trackingId)).toEqual({ ok: true, items: [], result: p1.result });
  });

  it('raced against the member’s own full prepayment: exactly one of them closes the loan, the other is refused', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const loanId = await activeLoan(branch, a, false);
    const [facts] = await loanFactsOfAccount(a.accountNo, today);
    const payoffFen = yuanToFen(facts.payoffAmountToday);
    expect(payoffFen).toBe(4_000_000); // disbursed today: the principal
    const flowsBefore = await periodFlows(periodOf(today), branch);
    const [partner, member] = await Promise.all([
      worker(a, loanId, payoffFen, `T-${randomUUID()}`),
      call('POST', `/v1/loans/${loanId}/prepayments`, { token: await memberToken(a.accountNo), body: { full: true, source: 'BANK' } }),
    ]);
    const partnerClosed = partner.ok;
    const memberClosed = member.status === 201;
    expect([partnerClosed, memberClosed].filter(Boolean)).toHaveLength(1);
    if (!partnerClosed) expect(partner).toMatchObject({ ok: false, code: 'NO_ACTIVE_LOAN' });
    if (!memberClosed) expect([member.status, member.body.code]).toEqual([409, 'INVALID_STATE']);
    expect((await storedLoan(loanId))!.status).toBe('CLOSED');
    expect(repaidFen(flowsBefore, await periodFlows(periodOf(today), branch))).toBe(payoffFen);
    expect(await partnerRecords(loanId)).toHaveLength(partnerClosed ? 1 : 0);
  });

  it('a 360-month loan pays off in one transaction with room to spare for the worker’s own items', async () => {
    const branch = newBranch();
    const a = await depositor(branch, '1995-03-15', 'M');
    const body = { accountNo: a.accountNo, amount: '100000', housePrice: '2000000', firstHome: true, termMonths: 360, monthlyIncome: '20000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT' };
    const applied = await call('POST', '/v1/loans', { token: await memberToken(a.accountNo), body });
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    const loanId = applied.body.loanId as string;
    expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: await staffToken(branch) })).status).toBe(200);
    expect((await call('POST', `/v1/loans/${loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn: today } })).status).toBe(200);
    const p = await planFor(a, loanId, 10_000_000, `T-${randomUUID()}`);
    if (!p.ok) throw new Error(JSON.stringify(p));
    expect(p.items.length).toBeLessThanOrEqual(60); // the transaction holds 100
    await ddb.send(new TransactWriteCommand({ TransactItems: p.items }));
    const closed = await call('GET', `/v1/loans/${loanId}/schedule`, { token: await staffToken(branch) });
    expect(closed.body.installments.every((r: any) => r.status === 'PAID')).toBe(true);
    expect((await storedLoan(loanId))!).toMatchObject({ status: 'CLOSED', outstandingPrincipalFen: 0, certificateNo: p.result.certificateNo });
  });

  it('the borrower index: a new loan is found by its borrower at once, consistently, and never by its co-borrower or another member', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const b = await depositor(branch);
    const stranger = await depositor(branch);
    expect(await loansOfBorrower(a.accountNo)).toEqual([]);
    const consent = await call('POST', '/v1/co-borrower-consents', { token: await memberToken(b.accountNo), body: { borrowerAccountNo: a.accountNo } });
    expect(consent.status, JSON.stringify(consent.body)).toBe(201);
    const res = await call('POST', '/v1/loans', {
      token: await memberToken(a.accountNo),
      body: { accountNo: a.accountNo, coBorrowerAccountNo: b.accountNo, amount: '10000', housePrice: '2000000', firstHome: true, termMonths: 12, monthlyIncome: '20000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await loansOfBorrower(a.accountNo)).map((l) => [l.loanId, l.status, l.coBorrowerAccountNo])).toEqual([[res.body.loanId, 'APPLIED', b.accountNo]]);
    expect(await loansOfBorrower(b.accountNo)).toEqual([]); // the co-borrower is not the borrower
    expect(await loansOfBorrower(stranger.accountNo)).toEqual([]);
    // disbursed: a loan of the borrower's facts, not of the co-borrower's
    expect((await call('POST', `/v1/loans/${res.body.loanId}/approve`, { token: await staffToken(branch) })).status).toBe(200);
    expect((await call('POST', `/v1/loans/${res.body.loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn: today } })).status).toBe(200);
    expect((await loanFactsOfAccount(a.accountNo, today)).map((f) => f.loanId)).toEqual([res.body.loanId]);
    expect(await loanFactsOfAccount(b.accountNo, today)).toEqual([]);
  });
});
