// Pure rules of paying loan disbursements and transfers out through a bank (issue 16 item 3): the
// payment's result on the loan and on the partner's request, applied once; a new payment of a failed
// disbursement; the edge (payee and settlement account).
import { describe, expect, it } from 'vitest';
import { disbursementPaymentId, firstDisbursement, paymentSummary, repaidDisbursement, withPaymentResult } from '../../functions/loans/domain/disbursement.ts';
import type { Loan } from '../../functions/loans/domain/loan.ts';
import { disburseBody, disbursementPaymentBody } from '../../functions/loans/schemas.ts';
import { withTransferPaymentResult } from '../../functions/interprovincial/domain/payments.ts';
import type { InboundRequest } from '../../functions/interprovincial/domain/types.ts';
import { partnerBody } from '../../functions/interprovincial/schemas.ts';

const payee = { name: '杭州安居置业有限公司', bankAccount: '6222021234567890123' };
const at = '2026-12-02T01:00:00.000Z';
const loan = (over: Partial<Loan> = {}) => ({ loanId: 'L1', principalFen: 30_000_000, status: 'ACTIVE', disbursedOn: '2026-12-01', branch: 'SC', version: 3, ...over }) as Loan;
const disbursed = () => loan({ disbursement: firstDisbursement(loan(), payee, at) });

describe('a disbursement payment', () => {
  it('is ordered once per attempt with a deterministic id of the loan', () => {
    const d = firstDisbursement(loan(), payee, at);
    expect(d).toEqual({ payee, attempts: 1, payment: { paymentId: disbursementPaymentId('L1', 1), status: 'ORDERED', payee, amountFen: 30_000_000, orderedAt: at } });
    expect(disbursementPaymentId('L1', 1)).toBe(disbursementPaymentId('L1', 1));
    expect(disbursementPaymentId('L1', 2)).not.toBe(disbursementPaymentId('L1', 1));
    expect(disbursementPaymentId('L2', 1)).not.toBe(disbursementPaymentId('L1', 1));
  });

  it('SETTLED: the payment settled, nothing reversed', () => {
    const l = disbursed();
    const r = withPaymentResult(l, { paymentId: l.disbursement!.payment.paymentId, status: 'SETTLED', bankRef: 'B1', at });
    expect(r?.reversedFen).toBe(0);
    expect(r?.loan.disbursement?.payment).toMatchObject({ status: 'SETTLED', bankRef: 'B1', settledAt: at });
    expect(paymentSummary(r!.loan.disbursement!.payment)).toEqual({ paymentId: l.disbursement!.payment.paymentId, status: 'SETTLED', bankRef: 'B1', settledAt: at });
  });

  it('FAILED: the reason kept (or UNKNOWN), the principal to reverse; a second result, another payment or no disbursement: nothing', () => {
    const l = disbursed();
    const id = l.disbursement!.payment.paymentId;
    const failed = withPaymentResult(l, { paymentId: id, status: 'FAILED', bankRef: 'B2', failure: { code: 'ACCOUNT_NOT_FOUND', message: '收款账户不存在' }, at })!;
    expect(failed.reversedFen).toBe(30_000_000);
    expect(failed.loan.disbursement?.payment).toMatchObject({ status: 'FAILED', failure: { code: 'ACCOUNT_NOT_FOUND', message: '收款账户不存在' } });
    expect(withPaymentResult(l, { paymentId: id, status: 'FAILED', bankRef: 'B2', at })!.loan.disbursement?.payment.failure?.code).toBe('UNKNOWN');
    expect(withPaymentResult(failed.loan, { paymentId: id, status: 'FAILED', bankRef: 'B2', at })).toBeUndefined();
    expect(withPaymentResult(failed.loan, { paymentId: id, status: 'SETTLED', bankRef: 'B3', at })).toBeUndefined();
    expect(withPaymentResult(l, { paymentId: 'P-OTHER', status: 'FAILED', bankRef: 'B2', at })).toBeUndefined();
    expect(withPaymentResult(loan(), { paymentId: id, status: 'FAILED', bankRef: 'B2', at })).toBeUndefined();
  });

  it('is paid again only once FAILED: attempt 2 to the corrected payee, the failed one kept', () => {
    const l = disbursed();
    expect(() => repaidDisbursement(l, payee, at)).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => repaidDisbursement(loan(), payee, at)).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    const failed = withPaymentResult(l, { paymentId: l.disbursement!.payment.paymentId, status: 'FAILED', bankRef: 'B2', at })!.loan;
    const corrected = { name: '杭州安居置业有限公司', bankAccount: '6222021234567899999' };
    const again = repaidDisbursement(failed, corrected, at);
    expect(again.disbursement).toMatchObject({ payee: corrected, attempts: 2, payment: { paymentId: disbursementPaymentId('L1', 2), status: 'ORDERED', payee: corrected, amountFen: 30_000_000 } });
    expect(again.disbursement?.failedPayments).toEqual([failed.disbursement!.payment]);
    // the first order's late result changes nothing now
    expect(withPaymentResult(again, { paymentId: disbursementPaymentId('L1', 1), status: 'SETTLED', bankRef: 'B9', at })).toBeUndefined();
  });
});

describe('a transfer out\'s payment', () => {
  const request = (over: Partial<InboundRequest> = {}): InboundRequest => ({
    trackingId: 'T1',
    partner: 'SH',
    requestId: 'R1',
    type: 'TRANSFER_REQUEST',
    payload: { idNumber: 'x', name: 'y' },
    requestHash: 'h',
    status: 'COMPLETED',
    payment: { paymentId: 'P1', status: 'ORDERED', amountFen: 12_345, payeeAccount: '6222020300004445556', orderedAt: at },
    receivedAt: at,
    updatedAt: at,
    ...over,
  });

  it('records SETTLED or FAILED with the reason once; another payment or a request without one: nothing', () => {
    const settled = withTransferPaymentResult(request(), { paymentId: 'P1', status: 'SETTLED', bankRef: 'B1', at });
    expect(settled?.payment).toMatchObject({ status: 'SETTLED', bankRef: 'B1', settledAt: at });
    const failed = withTransferPaymentResult(request(), { paymentId: 'P1', status: 'FAILED', bankRef: 'B2', failure: { code: 'ACCOUNT_NOT_FOUND', message: 'm' }, at });
    expect(failed?.payment).toMatchObject({ status: 'FAILED', failure: { code: 'ACCOUNT_NOT_FOUND', message: 'm' } });
    expect(withTransferPaymentResult(failed!, { paymentId: 'P1', status: 'FAILED', bankRef: 'B2', at })).toBeUndefined();
    expect(withTransferPaymentResult(request(), { paymentId: 'P2', status: 'SETTLED', bankRef: 'B1', at })).toBeUndefined();
    expect(withTransferPaymentResult(request({ payment: undefined }), { paymentId: 'P1', status: 'SETTLED', bankRef: 'B1', at })).toBeUndefined();
    expect(withTransferPaymentResult(request({ status: 'REJECTED' }), { paymentId: 'P1', status: 'SETTLED', bankRef: 'B1', at })).toBeUndefined();
  });
});

describe('the edge', () => {
  it('a disbursement needs the seller: a name (a company name too) and a bank account number', () => {
    expect(disburseBody.safeParse({ disbursedOn: '2026-12-01', payee: { name: '杭州安居置业有限公司（滨江）', bankAccount: '６２２２021234567890123' } })).toMatchObject({ success: true, data: { payee: { bankAccount: '6222021234567890123' } } });
    for (const bad of [undefined, {}, { name: '卖方' }, { bankAccount: '6222021234567890123' }, { name: '卖方', bankAccount: '6222-ABCD' }, { name: '卖方', bankAccount: '6222 0212 3456 7890' }, { name: '\u200b', bankAccount: '6222021234567890123' }, { name: '卖方', bankAccount: '6222021234567890123', extra: 1 }])
      expect(disburseBody.safeParse({ disbursedOn: '2026-12-01', ...(bad ? { payee: bad } : {}) }).success, JSON.stringify(bad)).toBe(false);
    expect(disbursementPaymentBody.safeParse({ payee }).success).toBe(true);
    expect(disbursementPaymentBody.safeParse({}).success).toBe(false);
  });

  it('a partner\'s settlement account is optional, and a bank account number when given', () => {
    const base = { name: '上海', callbackUrl: 'https://p.example/cb', sharedSecret: 'a-very-long-shared-secret' };
    expect(partnerBody.safeParse(base).success).toBe(true);
    expect(partnerBody.safeParse({ ...base, settlementAccount: '6222020300004445556' })).toMatchObject({ success: true, data: { settlementAccount: '6222020300004445556' } });
    for (const bad of ['', '12', 'ABC12345678', '6222\u200b020300004445556']) expect(partnerBody.safeParse({ ...base, settlementAccount: bad }).success, bad).toBe(false);
  });
});
