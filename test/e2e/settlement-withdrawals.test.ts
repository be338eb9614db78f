// Withdrawals paid through the bank (issue 16 items 3–4), over HTTP against the local runtime and its
// bank simulator: a withdrawal paid to a bank account is paid by a payment order in the debit's
// commit; the simulator receives it signed and settles it (SETTLED on the withdrawal), or — a payee
// account ending in 0000 — fails it: the money comes back once as a REVERSAL entry, the withdrawal
// becomes PAYMENT_FAILED with the bank's reason, the archive records it, and the result delivered
// again changes nothing. A closing withdrawal whose payment failed re-opens the account as it was.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { baseUrl, call, memberToken, staffToken, auditorToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { pollUntil } from './deposits-fixtures.ts';
import { addDays, addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { commit } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';

const T = businessDate();
const PAYEE = '6222021234567890123';
const FAILING = '6222021234567890000'; // the simulator: ACCOUNT_NOT_FOUND
const rent = () => ({ housingKind: 'COMMERCIAL', noHouseCertificateNo: `WF-${randomUUID().slice(0, 6)}` });
const newBranch = (tag: string) => `${tag}${randomUUID().slice(0, 8)}`;

/** What the simulator received: `{ order, timesReceived, result?, delivery }` per payment. */
const simulatorPayments = async () => ((await (await fetch(`${baseUrl()}/_local/bank/payments`)).json()) as { payments: any[] }).payments;
const received = (paymentId: string) => pollUntil(simulatorPayments, (ps) => ps.some((p) => p.order.paymentId === paymentId && p.delivery?.delivered), 30_000).then((ps) => ps.filter((p) => p.order.paymentId === paymentId));
const resendResult = async (paymentId: string) => {
  const res = await fetch(`${baseUrl()}/_local/bank/payments/${encodeURIComponent(paymentId)}/resend-result`, { method: 'POST' });
  return { status: res.status, body: (await res.json()) as { centerStatus: number } };
};

const getWithdrawal = async (withdrawalId: string, accountNo: string) => call('GET', `/v1/withdrawals/${withdrawalId}`, { token: await memberToken(accountNo) });
const settledOrFailed = (withdrawalId: string, accountNo: string) =>
  pollUntil(async () => (await getWithdrawal(withdrawalId, accountNo)).body, (w) => w.payment?.status !== 'ORDERED', 30_000);
const accountOf = async (accountNo: string) => (await call('GET', `/v1/accounts/${accountNo}`, { token: await memberToken(accountNo) })).body;
const entriesOf = async (accountNo: string) => (await call('GET', `/v1/accounts/${accountNo}/entries?limit=100`, { token: await memberToken(accountNo) })).body.items as any[];
/** Every payment order of a status (oldest first, all pages). */
async function paymentsWith(status: 'ORDERED' | 'SETTLED' | 'FAILED'): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null | undefined;
  const token = await auditorToken();
  do {
    const page = await call('GET', `/v1/bank/payments?status=${status}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}
const archiveOf = async (withdrawalId: string) => (await call('GET', `/v1/archive/WITHDRAWAL/${withdrawalId}`, { token: await auditorToken() })).body.records as any[];

describe('a withdrawal paid through the bank', () => {
  it('is PAID at once with its payment ORDERED; the simulator receives the order signed, once, and settles it: the withdrawal shows SETTLED', async () => {
    const branch = newBranch('SW');
    const acc = await openFundedAccount({ branch, balanceFen: 500_000, name: '王五' });
    const token = await memberToken(acc.accountNo);
    const res = await call('POST', '/v1/withdrawals', { token, body: { accountNo: acc.accountNo, reason: 'RENT', amount: '1500.00', payeeBankAccount: PAYEE, evidence: rent() } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'PAID', amount: '1500.00', payment: { paymentId: expect.any(String), status: 'ORDERED' } });
    const { withdrawalId } = res.body;
    const paymentId = res.body.payment.paymentId as string;

    // the order, as the bank got it (the simulator refuses unsigned orders): from our PAYMENT account,
    // to the member's payee account, the amount, the reason as purpose, the withdrawal as reference
    const mine = await received(paymentId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ timesReceived: 1, order: { paymentId, payeeName: '王五', payeeAccount: PAYEE, amount: '1500.00', purpose: 'RENT', reference: withdrawalId }, result: { status: 'SETTLED' } });

    const w = await settledOrFailed(withdrawalId, acc.accountNo);
    expect(w).toMatchObject({ withdrawalId, status: 'PAID', payment: { paymentId, status: 'SETTLED' } });
    expect(w.payment).not.toHaveProperty('failure');
    // the lists show it too; the money left once
    const listed = (await call('GET', `/v1/accounts/${acc.accountNo}/withdrawals`, { token: await staffToken(branch) })).body.items;
    expect(listed.find((x: any) => x.withdrawalId === withdrawalId)).toMatchObject({ status: 'PAID', payment: { paymentId, status: 'SETTLED' } });
    expect((await accountOf(acc.accountNo)).balance).toBe('3500.00');
    expect((await entriesOf(acc.accountNo)).filter((e) => e.ref === withdrawalId).map((e) => [e.type, e.amount])).toEqual([['WITHDRAWAL', '-1500.00']]);
    // the settlement's own view of the order: SETTLED, paying this withdrawal
    expect((await paymentsWith('SETTLED')).find((p) => p.paymentId === paymentId)).toMatchObject({ source: { kind: 'WITHDRAWAL', id: withdrawalId }, amount: '1500.00', reference: withdrawalId });
    // a second delivery of the result changes nothing
    expect((await resendResult(paymentId)).body.centerStatus).toBe(200);
    expect((await getWithdrawal(withdrawalId, acc.accountNo)).body).toEqual(w);
  });

  it('to an account the bank does not know: PAYMENT_FAILED with the bank’s reason, the money back exactly once (one REVERSAL), archived; the result again changes nothing', async () => {
    const branch = newBranch('SF');
    const acc = await openFundedAccount({ branch, balanceFen: 500_000 });
    const token = await memberToken(acc.accountNo);
    const before = await accountOf(acc.accountNo);
    const res = await call('POST', '/v1/withdrawals', { token, body: { accountNo: acc.accountNo, reason: 'RENT', amount: '1200.00', payeeBankAccount: FAILING, evidence: rent() } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'PAID', payment: { status: 'ORDERED' } });
    const { withdrawalId } = res.body;
    const paymentId = res.body.payment.paymentId as string;

    const mine = await received(paymentId);
    expect(mine[0]).toMatchObject({ order: { payeeAccount: FAILING, amount: '1200.00' }, result: { status: 'FAILED', failure: { code: 'ACCOUNT_NOT_FOUND' } } });
    const reason = mine[0].result.failure;

    const w = await settledOrFailed(withdrawalId, acc.accountNo);
    expect(w).toMatchObject({ withdrawalId, status: 'PAYMENT_FAILED', amount: '1200.00', payment: { paymentId, status: 'FAILED', failure: reason } });
    expect(w.decisions.at(-1)).toMatchObject({ action: 'PAYMENT_FAILED', by: { role: 'bank' } });

    // the balance exactly as before; one WITHDRAWAL and one REVERSAL of the same amount
    const after = await accountOf(acc.accountNo);
    expect(after.balance).toBe(before.balance);
    expect(after.status).toBe('NORMAL');
    const mineEntries = (await entriesOf(acc.accountNo)).filter((e) => e.ref === withdrawalId);
    expect(mineEntries.map((e) => [e.type, e.amount]).sort()).toEqual([['REVERSAL', '1200.00'], ['WITHDRAWAL', '-1200.00']]);

    // the archive: submitted by the member, the failure recorded with the bank as actor and its reason
    const records = await archiveOf(withdrawalId);
    expect(records.map((r) => r.action)).toEqual(['SUBMIT', 'PAYMENT_FAILED']);
    expect(records[1]).toMatchObject({ actor: { role: 'bank' }, submitted: { paymentId, status: 'FAILED', failure: reason }, decision: { status: 'PAYMENT_FAILED', failure: reason } });

    // the same result delivered again: 200, and nothing changes (no second REVERSAL, no second record)
    expect((await resendResult(paymentId)).body.centerStatus).toBe(200);
    expect((await accountOf(acc.accountNo)).balance).toBe(before.balance);
    expect((await entriesOf(acc.accountNo)).filter((e) => e.type === 'REVERSAL')).toHaveLength(1);
    expect((await archiveOf(withdrawalId)).map((r) => r.action)).toEqual(['SUBMIT', 'PAYMENT_FAILED']);
    expect((await getWithdrawal(withdrawalId, acc.accountNo)).body).toEqual(w);

    // the member may withdraw again to a correct account
    const again = await call('POST', '/v1/withdrawals', { token, body: { accountNo: acc.accountNo, reason: 'RENT', amount: '1200.00', payeeBankAccount: PAYEE, evidence: rent() } });
    expect(again.body).toMatchObject({ status: 'PAID', payment: { status: 'ORDERED' } });
  });

  it('a purchase whose payment failed no longer counts against the property: the same amount again is paid at once, no fraud rule', async () => {
    const branch = newBranch('SP');
    const acc = await openFundedAccount({ branch, balanceFen: 10_000_000 });
    const token = await memberToken(acc.accountNo);
    const evidence = { contractNo: 'HT-1', propertyCertificateNo: `ZH-${randomUUID().slice(0, 8)}`, price: '50000', purchaseDate: addDays(T, -10) };
    const first = await call('POST', '/v1/withdrawals', { token, body: { accountNo: acc.accountNo, reason: 'PURCHASE', amount: '50000', payeeBankAccount: FAILING, evidence } });
    expect(first.body).toMatchObject({ status: 'PAID', payment: { status: 'ORDERED' } });
    expect((await settledOrFailed(first.body.withdrawalId, acc.accountNo)).status).toBe('PAYMENT_FAILED');
    const second = await call('POST', '/v1/withdrawals', { token, body: { accountNo: acc.accountNo, reason: 'PURCHASE', amount: '50000', payeeBankAccount: PAYEE, evidence } });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body).toMatchObject({ status: 'PAID', amount: '50000.00', payment: { status: 'ORDERED' } });
    expect((await settledOrFailed(second.body.withdrawalId, acc.accountNo)).payment.status).toBe('SETTLED');
    expect((await accountOf(acc.accountNo)).balance).toBe('50000.00');
  });

  it('a closing withdrawal (retirement) whose payment failed re-opens the account as it was, with the whole amount back', async () => {
    const branch = newBranch('SR');
    const acc = await openFundedAccount({ branch, balanceFen: 2_000_000, status: 'SEALED' });
    const token = await memberToken(acc.accountNo);
    const res = await call('POST', '/v1/withdrawals', { token, body: { accountNo: acc.accountNo, reason: 'RETIREMENT', full: true, payeeBankAccount: FAILING, evidence: { retirementDate: addDays(T, -1) } } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'PAID', accountClosed: true, payment: { status: 'ORDERED' } });
    const paid = res.body.amount as string; // balance + interest to date
    const closed = await accountOf(acc.accountNo);
    // the account may already be re-opened if the bank was quick; either way it ends re-opened
    const w = await settledOrFailed(res.body.withdrawalId, acc.accountNo);
    expect(w).toMatchObject({ status: 'PAYMENT_FAILED', accountClosed: false, payment: { status: 'FAILED', failure: { code: 'ACCOUNT_NOT_FOUND' } } });
    const reopened = await accountOf(acc.accountNo);
    expect(reopened).toMatchObject({ status: 'SEALED', balance: paid });
    expect(reopened).not.toHaveProperty('closedOn');
    expect(['CLOSED', 'SEALED']).toContain(closed.status);
    const entries = (await entriesOf(acc.accountNo)).filter((e) => e.ref === res.body.withdrawalId);
    expect(entries.map((e) => [e.type, e.amount]).sort()).toEqual([['REVERSAL', paid], ['WITHDRAWAL', `-${paid}`]]);
    // the member may close it again, to a correct account
    const again = await call('POST', '/v1/withdrawals', { token, body: { accountNo: acc.accountNo, reason: 'RETIREMENT', full: true, payeeBankAccount: PAYEE, evidence: { retirementDate: addDays(T, -1) } } });
    expect(again.body).toMatchObject({ status: 'PAID', accountClosed: true, amount: paid, payment: { status: 'ORDERED' } });
    expect((await settledOrFailed(again.body.withdrawalId, acc.accountNo)).payment.status).toBe('SETTLED');
    expect((await accountOf(acc.accountNo)).status).toBe('CLOSED');
  });

  it('a PENDING_REVIEW withdrawal is ordered when staff approve it, not before', async () => {
    const branch = newBranch('SA');
    const [a, b] = [await openFundedAccount({ branch, balanceFen: 1_000_000 }), await openFundedAccount({ branch, balanceFen: 1_000_000 })];
    const evidence = { contractNo: 'HT-1', propertyCertificateNo: `ZH-${randomUUID().slice(0, 8)}`, price: '900000', purchaseDate: addDays(T, -10) };
    const wa = await call('POST', '/v1/withdrawals', { token: await memberToken(a.accountNo), body: { accountNo: a.accountNo, reason: 'PURCHASE', amount: '1000', payeeBankAccount: PAYEE, evidence } });
    expect(wa.body).toMatchObject({ status: 'PAID', payment: { status: 'ORDERED' } });
    // another account claims the same property: review
    const wb = await call('POST', '/v1/withdrawals', { token: await memberToken(b.accountNo), body: { accountNo: b.accountNo, reason: 'PURCHASE', amount: '2000', payeeBankAccount: PAYEE, evidence } });
    expect(wb.body).toMatchObject({ status: 'PENDING_REVIEW' });
    expect(wb.body).not.toHaveProperty('payment');
    expect((await simulatorPayments()).some((p) => p.order.reference === wb.body.withdrawalId)).toBe(false);

    const approved = await call('POST', `/v1/withdrawals/${wb.body.withdrawalId}/approve`, { token: await staffToken(branch), body: { note: '同一家庭共有产权' } });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'PAID', payment: { paymentId: expect.any(String), status: 'ORDERED' } });
    const paymentId = approved.body.payment.paymentId as string;
    const mine = await received(paymentId);
    expect(mine[0]).toMatchObject({ timesReceived: 1, order: { reference: wb.body.withdrawalId, amount: '2000.00', purpose: 'PURCHASE' } });
    expect((await settledOrFailed(wb.body.withdrawalId, b.accountNo)).payment).toEqual({ paymentId, status: 'SETTLED' });
  });

  it('HPF_LOAN_REPAYMENT of one of our loans orders nothing (the money goes to the loan)', async () => {
    const branch = newBranch('SL');
    const borrower = await depositor(branch, 200_000);
    const loanId = await loanOf(branch, borrower);
    const res = await call('POST', '/v1/withdrawals', { token: await memberToken(borrower.accountNo), body: { accountNo: borrower.accountNo, reason: 'HPF_LOAN_REPAYMENT', amount: '500', payeeBankAccount: PAYEE, evidence: { loanId } } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'PAID', loanRepayment: { loanId } });
    expect(res.body).not.toHaveProperty('payment');
    expect((await getWithdrawal(res.body.withdrawalId, borrower.accountNo)).body).not.toHaveProperty('payment');
    const orders = [...(await paymentsWith('ORDERED')), ...(await paymentsWith('SETTLED')), ...(await paymentsWith('FAILED'))];
    expect(orders.length).toBeGreaterThan(0); // the loan's disbursement to the seller, at least
    expect(orders.some((p) => p.reference === res.body.withdrawalId || p.source?.id === res.body.withdrawalId)).toBe(false);
    expect((await simulatorPayments()).some((p) => p.order.reference === res.body.withdrawalId)).toBe(false);
  });
});

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

/** 100,000.00 over 12 months, applied by the member, approved and disbursed today by staff (to a seller). */
async function loanOf(branch: string, account: Account): Promise<string> {
  const staff = await staffToken(branch);
  const applied = await call('POST', '/v1/loans', {
    token: await memberToken(account.accountNo),
    body: { accountNo: account.accountNo, housePrice: '2000000', firstHome: true, termMonths: 12, monthlyIncome: '40000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT', amount: '100000' },
  });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  const loanId = applied.body.loanId as string;
  expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: staff })).status).toBe(200);
  const disbursed = await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { disbursedOn: T, payee: { name: '杭州安居置业有限公司', bankAccount: PAYEE } } });
  expect(disbursed.status, JSON.stringify(disbursed.body)).toBe(200);
  return loanId;
}
