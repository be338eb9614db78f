// The result planners the settlement domain commits with a bank's payment result (issue 16 item 3):
// loans `planDisbursementPaymentResult` and interprovincial `planTransferPaymentResult`. Each is
// committed twice (one after the other, and two at once): it applies once. A FAILED disbursement
// payment reverses the disbursement's fund flow exactly once, and staff may pay it again to a
// corrected payee (a new order, the flow again). A transfer out pays the partner's settlement
// account in the completion's transaction; a partner without one → REJECTED NO_SETTLEMENT_ACCOUNT.
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SELLER } from '../support/seller.ts';
import { call, memberToken, staffToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { createLogger } from '../../shared/log.ts';
import { addMonths, businessDate, nowIso, periodOf } from '../../shared/clock.ts';
import { ledgerWrite, mustGetAccount, periodFlows } from '../../shared/ledger/ledger.ts';
import { readArchive } from '../../shared/archive.ts';
import { yuanToFen } from '../../shared/money.ts';
import { planDisbursementPaymentResult } from '../../functions/loans/public.ts';
import { planTransferPaymentResult } from '../../functions/interprovincial/public.ts';
import { payDisbursementAgain } from '../../functions/loans/usecases/disbursement-payments.ts';
import { getLoan as storedLoan, loanWriteItems } from '../../functions/loans/store.ts';
import { registerPartner } from '../../functions/interprovincial/usecases/partners.ts';
import { processRequest, receiveRequest, transferPaymentId } from '../../functions/interprovincial/usecases/inbound.ts';
import { getRequest, newRequestItems, nonceItem } from '../../functions/interprovincial/store.ts';
import type { InboundRequest } from '../../functions/interprovincial/domain/types.ts';
import { getPayment } from '../../functions/settlement/store.ts';

const log = createLogger('test');
const flowOf = async (branch: string, period = periodOf(businessDate())) => (await periodFlows(period, branch)).LOAN_DISBURSEMENT ?? 0;

/** A loan of a fresh branch disbursed today to SELLER, its current payment replaced by `paymentId` (an order no bank knows: no real result races the test). */
async function disbursedLoan(paymentId: string) {
  const branch = `PR${randomUUID().slice(0, 8)}`;
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId('1994-05-20', 'F') });
  const current = periodOf(businessDate());
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: 250_000, type: 'REMITTANCE' as const, period: addMonths(current, i - 6), ref: 'fixture-remittance', valueDate: businessDate() }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  const body = { accountNo: acc.accountNo, housePrice: '1500000', firstHome: true, termMonths: 180, monthlyIncome: '18000', borrowerCategory: 'STANDARD', location: 'DISTRICT', repaymentMethod: 'EQUAL_PRINCIPAL', amount: '200000' };
  const applied = await call('POST', '/v1/loans', { token: await memberToken(acc.accountNo), body });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  const loanId = applied.body.loanId as string;
  const staff = await staffToken(branch);
  expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: staff, body: {} })).status).toBe(200);
  const disbursed = await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { disbursedOn: businessDate(), payee: SELLER } });
  expect(disbursed.status, JSON.stringify(disbursed.body)).toBe(200);
  await commit({
    plan: async () => {
      const loan = (await storedLoan(loanId))!;
      const d = loan.disbursement!;
      return { items: loanWriteItems(loan, { ...loan, disbursement: { ...d, payment: { ...d.payment, paymentId, status: 'ORDERED', bankRef: undefined, settledAt: undefined, failure: undefined, resultAt: undefined } } }), body: null };
    },
  });
  return { branch, loanId, staff, principalFen: yuanToFen(disbursed.body.principal) };
}

describe('planDisbursementPaymentResult', () => {
  it('FAILED: the loan shows the bank\'s reason, one archive record, the disbursement\'s flow reversed once (twice in a row and twice at once)', async () => {
    const paymentId = `P-IT-${randomUUID()}`;
    const { branch, loanId, staff, principalFen } = await disbursedLoan(paymentId);
    expect(await flowOf(branch)).toBe(principalFen);
    const result = { loanId, paymentId, status: 'FAILED' as const, bankRef: 'BR-1', failure: { code: 'ACCOUNT_NOT_FOUND', message: '收款账户不存在' }, at: nowIso() };
    // two at once: each plans from the same loan; the loan's version lets one commit, the other re-plans and finds it applied
    await Promise.all([commit({ plan: async () => ({ items: await planDisbursementPaymentResult(result), body: null }) }), commit({ plan: async () => ({ items: await planDisbursementPaymentResult(result), body: null }) })]);
    expect(await planDisbursementPaymentResult(result)).toEqual([]);
    await commit({ plan: async () => ({ items: await planDisbursementPaymentResult(result), body: null }) });
    expect(await flowOf(branch)).toBe(0);
    const loan = (await call('GET', `/v1/loans/${loanId}`, { token: staff })).body;
    expect(loan).toMatchObject({ status: 'ACTIVE', payee: SELLER, payment: { paymentId, status: 'FAILED', bankRef: 'BR-1', failure: { code: 'ACCOUNT_NOT_FOUND', message: '收款账户不存在' } } });
    expect((await readArchive('LOAN', loanId)).filter((r) => r.action === 'DISBURSEMENT_PAYMENT_FAILED')).toHaveLength(1);
    // a later SETTLED for the same order contradicts the recorded result: nothing
    expect(await planDisbursementPaymentResult({ ...result, status: 'SETTLED', bankRef: 'BR-2' })).toEqual([]);
    // another payment id, an unknown loan: nothing
    expect(await planDisbursementPaymentResult({ ...result, paymentId: 'P-OTHER' })).toEqual([]);
    expect(await planDisbursementPaymentResult({ ...result, loanId: 'L-NONE' })).toEqual([]);

    // staff pay it again to a corrected payee: a new order (attempt 2), the flow counted again; only once FAILED
    const corrected = { name: '杭州安居置业有限公司', bankAccount: '6222021234567899999' };
    const caller = { sub: 'staff-it', role: 'staff' as const, branch };
    const again = await payDisbursementAgain(caller, loanId, { payee: corrected }, undefined);
    expect(again.body).toMatchObject({ payee: corrected, payment: { status: 'ORDERED' } });
    const second = again.body.payment!.paymentId;
    expect(second).not.toBe(paymentId);
    expect(await getPayment(second)).toMatchObject({ payeeName: corrected.name, payeeAccount: corrected.bankAccount, amountFen: principalFen, source: { kind: 'LOAN_DISBURSEMENT', id: loanId }, branch });
    expect(await flowOf(branch)).toBe(principalFen);
    await expect(payDisbursementAgain(caller, loanId, { payee: corrected }, undefined)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    // the first order's late result changes nothing now
    expect(await planDisbursementPaymentResult(result)).toEqual([]);
    // staff of another branch: 404
    await expect(payDisbursementAgain({ ...caller, branch: 'ELSEWHERE' }, loanId, { payee: corrected }, undefined)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('SETTLED: the payment SETTLED, the flow unchanged; a second delivery changes nothing', async () => {
    const paymentId = `P-IT-${randomUUID()}`;
    const { branch, loanId, staff, principalFen } = await disbursedLoan(paymentId);
    const result = { loanId, paymentId, status: 'SETTLED' as const, bankRef: 'BR-S', at: nowIso() };
    for (let i = 0; i < 2; i++) await commit({ plan: async () => ({ items: await planDisbursementPaymentResult(result), body: null }) });
    expect((await call('GET', `/v1/loans/${loanId}`, { token: staff })).body.payment).toMatchObject({ paymentId, status: 'SETTLED', bankRef: 'BR-S' });
    expect(await flowOf(branch)).toBe(principalFen);
    expect(await planDisbursementPaymentResult({ ...result, status: 'FAILED' })).toEqual([]);
    expect((await readArchive('LOAN', loanId)).filter((r) => r.action === 'DISBURSEMENT_PAYMENT_SETTLED')).toHaveLength(1);
  });
});

describe('transfers out pay the receiving center', () => {
  const accept = async (center: string, secret: string, body: { requestId: string; type: 'TRANSFER_REQUEST'; payload: { idNumber: string; name: string } }) => {
    const partner = { centerCode: center, name: 'x', callbackUrl: '', sharedSecret: secret, createdAt: '', updatedAt: '' };
    const out = await receiveRequest({ partner, nonce: async () => nonceItem(center, randomBytes(16).toString('hex'), Math.floor(Date.now() / 1000)) }, body, log);
    return out.body.trackingId;
  };

  it('a completed TRANSFER_REQUEST orders the amount to the partner\'s settlement account, in its own transaction', async () => {
    const center = `TP${randomBytes(4).toString('hex')}`;
    const secret = `secret-${randomUUID()}`;
    await registerPartner(center, { name: '上海市公积金管理中心', callbackUrl: 'http://127.0.0.1:9/cb', settlementAccount: '6222020300004445556', sharedSecret: secret });
    const a = await openFundedAccount({ balanceFen: 1_234_500, status: 'SEALED', branch: `TB${randomUUID().slice(0, 6)}` });
    const requestId = `R-${randomUUID()}`;
    const trackingId = await accept(center, secret, { requestId, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } });
    await processRequest(trackingId, log);
    const r = (await getRequest(trackingId))!;
    expect(r.status).toBe('COMPLETED');
    const amountFen = yuanToFen(String(r.result!.amount));
    expect(amountFen).toBeGreaterThanOrEqual(1_234_500);
    const paymentId = transferPaymentId(trackingId);
    expect(r.payment).toMatchObject({ paymentId, amountFen, payeeAccount: '6222020300004445556' });
    expect(await getPayment(paymentId)).toMatchObject({ paymentId, payeeName: '上海市公积金管理中心', payeeAccount: '6222020300004445556', amountFen, purpose: 'TRANSFER_OUT', reference: requestId, source: { kind: 'TRANSFER_OUT', id: trackingId }, branch: a.branch });
    const seen = await call('GET', `/v1/interprovincial/requests/${trackingId}`, { token: await staffToken('*') });
    expect(seen.body.payment).toMatchObject({ paymentId, amount: r.result!.amount, payeeAccount: '6222020300004445556' });
    expect(await mustGetAccount(a.accountNo)).toMatchObject({ status: 'CLOSED', balanceFen: 0 });
  });

  it('a partner without a settlement account: REJECTED NO_SETTLEMENT_ACCOUNT, nothing moves, no order', async () => {
    const center = `TN${randomBytes(4).toString('hex')}`;
    const secret = `secret-${randomUUID()}`;
    await registerPartner(center, { name: 'No account partner', callbackUrl: 'http://127.0.0.1:9/cb', sharedSecret: secret });
    const a = await openFundedAccount({ balanceFen: 500_000, status: 'SEALED' });
    const trackingId = await accept(center, secret, { requestId: `R-${randomUUID()}`, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } });
    await processRequest(trackingId, log);
    expect(await getRequest(trackingId)).toMatchObject({ status: 'REJECTED', rejection: { code: 'NO_SETTLEMENT_ACCOUNT' } });
    expect(await mustGetAccount(a.accountNo)).toMatchObject({ status: 'SEALED', balanceFen: 500_000 });
    expect(await getPayment(transferPaymentId(trackingId))).toBeUndefined();
  });

  it('planTransferPaymentResult: FAILED with the reason on the request, archived once; committed twice (and at once) it applies once', async () => {
    const trackingId = `T-IT-${randomUUID()}`;
    const paymentId = `P-IT-${randomUUID()}`;
    const at = nowIso();
    const r: InboundRequest = {
      trackingId,
      partner: 'IT-PARTNER',
      requestId: `R-${randomUUID()}`,
      type: 'TRANSFER_REQUEST',
      payload: { idNumber: randomResidentId(), name: '王五' },
      requestHash: 'x',
      status: 'COMPLETED',
      result: { amount: '100.00', interest: '0.00', closedOn: businessDate() },
      payment: { paymentId, status: 'ORDERED', amountFen: 10_000, payeeAccount: '6222020300004445556', orderedAt: at },
      receivedAt: at,
      updatedAt: at,
      completedAt: at,
    };
    await commit({ plan: async () => ({ items: newRequestItems(r), body: null }) });
    const result = { trackingId, paymentId, status: 'FAILED' as const, bankRef: 'BR-T', failure: { code: 'ACCOUNT_NOT_FOUND', message: '收款账户不存在' }, at: nowIso() };
    await Promise.all([commit({ plan: async () => ({ items: await planTransferPaymentResult(result), body: null }) }), commit({ plan: async () => ({ items: await planTransferPaymentResult(result), body: null }) })]);
    await commit({ plan: async () => ({ items: await planTransferPaymentResult(result), body: null }) });
    expect((await getRequest(trackingId))?.payment).toMatchObject({ paymentId, status: 'FAILED', bankRef: 'BR-T', failure: { code: 'ACCOUNT_NOT_FOUND' } });
    const seen = await call('GET', `/v1/interprovincial/requests/${trackingId}`, { token: await staffToken('*') });
    expect(seen.body.payment).toMatchObject({ paymentId, status: 'FAILED', amount: '100.00', failure: { code: 'ACCOUNT_NOT_FOUND', message: '收款账户不存在' } });
    expect((await readArchive('INTERPROVINCIAL_REQUEST', trackingId)).filter((x) => x.action === 'TRANSFER_PAYMENT_FAILED')).toHaveLength(1);
    expect(await planTransferPaymentResult({ ...result, status: 'SETTLED' })).toEqual([]);
    expect(await planTransferPaymentResult({ ...result, paymentId: 'P-OTHER' })).toEqual([]);
    expect(await planTransferPaymentResult({ ...result, trackingId: 'T-NONE' })).toEqual([]);
  });
});
