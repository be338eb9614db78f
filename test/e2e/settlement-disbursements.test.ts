// Loan disbursements pay the seller (api.md v1.1 "Banks and settlement"; issue 16 item 3): the
// disbursement orders a payment to `payee` from the PAYMENT account serving the loan's branch; the
// bank simulator of the local runtime receives it signed and settles it (a payee account ending in
// 0000 fails), and the result is recorded on the loan: SETTLED, or FAILED with the bank's reason and
// the disbursement's fund flow reversed exactly once (the result delivered twice changes nothing).
import { randomInt, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { baseUrl, call, memberToken, staffToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { pollUntil } from './deposits-fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { ledgerWrite, mustGetAccount, periodFlows } from '../../shared/ledger/ledger.ts';
import { yuanToFen } from '../../shared/money.ts';
import { readArchive } from '../../shared/archive.ts';
import { getPayment } from '../../functions/settlement/store.ts';

const digits = (n: number) => Array.from({ length: n }, (_x, i) => (i === 0 ? randomInt(1, 10) : randomInt(0, 10))).join('');
/** What the simulator received: `{ order, timesReceived, result?, delivery }` per payment. */
const simulatorPayments = async () => ((await (await fetch(`${baseUrl()}/_local/bank/payments`)).json()) as { payments: any[] }).payments;
const resendResult = async (paymentId: string) => (await fetch(`${baseUrl()}/_local/bank/payments/${encodeURIComponent(paymentId)}/resend-result`, { method: 'POST' })).json() as Promise<{ centerStatus: number }>;

/** An approved loan of a fresh branch (a borrower with six months of deposits). */
async function approvedLoan() {
  const branch = `SD${randomUUID().slice(0, 8)}`;
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId('1995-03-15', 'M') });
  const current = periodOf(businessDate());
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: 300_000, type: 'REMITTANCE' as const, period: addMonths(current, i - 6), ref: 'fixture-remittance', valueDate: businessDate() }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  const body = { accountNo: acc.accountNo, housePrice: '2000000', firstHome: true, termMonths: 240, monthlyIncome: '20000', borrowerCategory: 'STANDARD', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT', amount: '300000' };
  const applied = await call('POST', '/v1/loans', { token: await memberToken(acc.accountNo), body });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  const loanId = applied.body.loanId as string;
  const staff = await staffToken(branch);
  expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: staff, body: {} })).status).toBe(200);
  return { branch, loanId, staff, borrower: acc.accountNo };
}

const disbursementFlow = async (branch: string) => (await periodFlows(periodOf(businessDate()), branch)).LOAN_DISBURSEMENT ?? 0;

describe('a loan disbursement pays the seller through the bank', () => {
  it('needs a payee: without one, or with a malformed account, 400 and nothing changes', async () => {
    const { loanId, staff } = await approvedLoan();
    for (const body of [{ disbursedOn: businessDate() }, { disbursedOn: businessDate(), payee: { name: '卖方' } }, { disbursedOn: businessDate(), payee: { name: '卖方', bankAccount: '6222-0202' } }, { disbursedOn: businessDate(), payee: { name: '', bankAccount: digits(16) } }]) {
      const res = await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await call('GET', `/v1/loans/${loanId}`, { token: staff })).body).toMatchObject({ status: 'APPROVED', payment: null });
  });

  it('the simulator receives the signed order of the principal to the seller and settles it; the loan shows its payment SETTLED', async () => {
    const { branch, loanId, staff, borrower } = await approvedLoan();
    const payee = { name: '杭州安居置业有限公司（滨江）', bankAccount: digits(19) };
    const flowBefore = await disbursementFlow(branch);
    const disbursed = await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { disbursedOn: businessDate(), payee } });
    expect(disbursed.status, JSON.stringify(disbursed.body)).toBe(200);
    expect(disbursed.body).toMatchObject({ status: 'ACTIVE', payee, payment: { paymentId: expect.any(String), status: 'ORDERED' } });
    const paymentId = disbursed.body.payment.paymentId as string;
    expect(await disbursementFlow(branch)).toBe(flowBefore + yuanToFen(disbursed.body.principal));

    // the order, recorded in the disbursement's transaction
    expect(await getPayment(paymentId)).toMatchObject({ paymentId, payeeName: payee.name, payeeAccount: payee.bankAccount, amountFen: yuanToFen(disbursed.body.principal), purpose: 'LOAN_DISBURSEMENT', reference: loanId, source: { kind: 'LOAN_DISBURSEMENT', id: loanId }, branch });

    // the simulator got it once (it refuses unsigned orders) and settled it
    const got = await pollUntil(simulatorPayments, (ps) => ps.some((p) => p.order.paymentId === paymentId && p.delivery?.delivered), 30_000);
    const mine = got.filter((p) => p.order.paymentId === paymentId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ timesReceived: 1, order: { paymentId, payeeName: payee.name, payeeAccount: payee.bankAccount, amount: disbursed.body.principal, purpose: 'LOAN_DISBURSEMENT', reference: loanId }, result: { status: 'SETTLED' } });

    // the result is recorded on the loan (settlement's result commit, loans planDisbursementPaymentResult); its owner sees it too
    const settled = await pollUntil(async () => (await call('GET', `/v1/loans/${loanId}`, { token: staff })).body, (l) => l.payment?.status === 'SETTLED', 30_000);
    expect(settled.payment).toMatchObject({ paymentId, status: 'SETTLED', bankRef: mine[0].result.bankRef });
    expect((await call('GET', `/v1/loans/${loanId}`, { token: await memberToken(borrower) })).body.payment).toMatchObject({ paymentId, status: 'SETTLED' });
    expect(await disbursementFlow(branch)).toBe(flowBefore + yuanToFen(disbursed.body.principal));
  });

  it('a payee account that does not exist: FAILED with the bank\'s reason on the loan, the fund flow reversed once; the result delivered again changes nothing', async () => {
    const { branch, loanId, staff } = await approvedLoan();
    const payee = { name: '错误账户置业有限公司', bankAccount: `${digits(15)}0000` };
    const flowBefore = await disbursementFlow(branch);
    const disbursed = await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { disbursedOn: businessDate(), payee } });
    expect(disbursed.status, JSON.stringify(disbursed.body)).toBe(200);
    const paymentId = disbursed.body.payment.paymentId as string;
    const got = await pollUntil(simulatorPayments, (ps) => ps.some((p) => p.order.paymentId === paymentId && p.delivery?.delivered), 30_000);
    expect(got.find((p) => p.order.paymentId === paymentId)).toMatchObject({ result: { status: 'FAILED', failure: { code: 'ACCOUNT_NOT_FOUND' } } });

    // FAILED with the reason, and the flow of the disbursement reversed
    const failed = await pollUntil(async () => (await call('GET', `/v1/loans/${loanId}`, { token: staff })).body, (l) => l.payment?.status === 'FAILED', 30_000);
    expect(failed.payment).toMatchObject({ paymentId, status: 'FAILED', failure: { code: 'ACCOUNT_NOT_FOUND', message: expect.stringContaining(payee.bankAccount) } });
    expect(await disbursementFlow(branch)).toBe(flowBefore);
    const archived = (await readArchive('LOAN', loanId)).filter((r) => r.action === 'DISBURSEMENT_PAYMENT_FAILED');
    expect(archived).toHaveLength(1);

    // the bank sends the same result again: 200, nothing changes
    expect((await resendResult(paymentId)).centerStatus).toBe(200);
    expect(await disbursementFlow(branch)).toBe(flowBefore);
    expect((await call('GET', `/v1/loans/${loanId}`, { token: staff })).body).toEqual(failed);
    expect((await readArchive('LOAN', loanId)).filter((r) => r.action === 'DISBURSEMENT_PAYMENT_FAILED')).toHaveLength(1);
  });
});
