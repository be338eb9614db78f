// The pure rules of paying a withdrawal through a bank (issue 16): which withdrawals are paid by a
// payment order, to whom, what the bank's result does to the record and to its claim, and the posting
// that gives a failed payment's money back.
import { describe, expect, it } from 'vitest';
import {
  assertAwaitingResult,
  claimCounts,
  decideApplication,
  failureOf,
  newWithdrawal,
  payeeNameOf,
  paysToBank,
  reversalPosting,
  withClaim,
  withClaimDecided,
  withClaimPaymentFailed,
  withPaymentOrdered,
  withPaymentResult,
  type Withdrawal,
  type WithdrawalApplication,
} from '../../functions/withdrawals/domain/withdrawal.ts';
import { applicationView, withdrawalView } from '../../functions/withdrawals/domain/views.ts';
import { policyOn } from '../../shared/policy.ts';
import type { Account } from '../../shared/ledger/account.ts';
import { flexibleAccount } from '../support/accounts.ts';

const TODAY = '2026-11-27';
const AT = '2026-11-27T02:00:00.000Z';
const policy = policyOn(TODAY);
const PAYEE = '6222021234567890123';
const BANK = { sub: 'bank:SIMBANK', role: 'bank' };

const account = (over: Partial<Account> = {}): Account => flexibleAccount({ accrualDate: TODAY, ...over });

/** A withdrawal decided and built as the application use case does. */
function withdrawal(body: WithdrawalApplication, acc = account(), over: Partial<Withdrawal> = {}): Withdrawal {
  const decision = decideApplication({ account: acc, loanFlags: { hasOverdueLoan: false }, body, claim: undefined, today: TODAY, policy });
  return { ...newWithdrawal({ withdrawalId: 'W1', body, decision, evidenceSha256: 'h', submittedBy: { sub: 'm', role: 'member' }, at: AT, today: TODAY, policy, entryIds: ['E1'], branch: acc.branch, accountStatus: acc }), ...over };
}

const rent: WithdrawalApplication = { accountNo: '123456789012', reason: 'RENT', amount: 150_000, payeeBankAccount: PAYEE, evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' } };
const purchase: WithdrawalApplication = { accountNo: '123456789012', reason: 'PURCHASE', amount: 1_000_000, payeeBankAccount: PAYEE, evidence: { contractNo: 'HT-1', propertyCertificateNo: 'ZH-1', price: '300000', purchaseDate: '2026-10-01' } };

describe('which withdrawals a payment order pays', () => {
  it('a PAID withdrawal with a payee and an amount: yes; pending, rejected, already ordered: no', () => {
    const w = withdrawal(rent);
    expect(w.status).toBe('PAID');
    expect(paysToBank(w)).toBe(true);
    expect(paysToBank({ ...w, status: 'PENDING_REVIEW' })).toBe(false);
    expect(paysToBank({ ...w, status: 'REJECTED' })).toBe(false);
    expect(paysToBank(withPaymentOrdered(w, 'P1'))).toBe(false);
  });

  it('our own loan (even with a payee sent along), a partner’s purchase, no payee or nothing to pay: no', () => {
    const w = withdrawal(rent);
    expect(paysToBank({ ...w, loanRepayment: { loanId: 'L1', recalculation: 'REDUCE_TERM', installmentsPaid: [], principalPrepaidFen: 150_000, outstandingPrincipalFen: 0, loanStatus: 'CLOSED' } })).toBe(false);
    expect(paysToBank({ ...w, channel: { partner: '310000', trackingId: 'T1' } })).toBe(false);
    expect(paysToBank({ ...w, payeeBankAccount: undefined })).toBe(false);
    // an empty account still closes (amount 0.00): nothing to pay
    const empty = withdrawal({ accountNo: '123456789012', reason: 'RETIREMENT', full: true, payeeBankAccount: PAYEE, evidence: { retirementDate: '2026-06-30' } }, account({ balanceFen: 0, accrualFenDays: 0 }));
    expect(empty.amountFen).toBe(0);
    expect(paysToBank(empty)).toBe(false);
  });

  it('the payee is the account holder; for a DEATH withdrawal the heir', () => {
    expect(payeeNameOf(withdrawal(rent), '张三')).toBe('张三');
    const death = withdrawal({ accountNo: '123456789012', reason: 'DEATH', full: true, payeeBankAccount: PAYEE, evidence: { heirIdNumber: '11010519491231002X', heirName: '李四', deathCertificateNo: 'SW-1' } });
    expect(payeeNameOf(death, '张三')).toBe('李四');
  });

  it('a closing withdrawal records the status it closed the account from (NORMAL or SEALED, with its code)', () => {
    const retire: WithdrawalApplication = { accountNo: '123456789012', reason: 'RETIREMENT', full: true, payeeBankAccount: PAYEE, evidence: { retirementDate: '2026-06-30' } };
    expect(withdrawal(retire, account({ status: 'SEALED', statusCode: '02' })).closedFrom).toEqual({ status: 'SEALED', statusCode: '02' });
    expect(withdrawal(retire).closedFrom).toEqual({ status: 'NORMAL', statusCode: '01' });
    expect(withdrawal(rent).closedFrom).toBeUndefined();
  });
});

describe('the bank’s result', () => {
  const ordered = withPaymentOrdered(withdrawal(rent), 'P1');

  it('applies only while the withdrawal is PAID with that payment ORDERED', () => {
    expect(() => assertAwaitingResult(ordered, 'P1')).not.toThrow();
    expect(() => assertAwaitingResult(ordered, 'P2')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => assertAwaitingResult(withdrawal(rent), 'P1')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    const settled = withPaymentResult(ordered, { paymentId: 'P1', status: 'SETTLED', bankRef: 'B1', at: AT }, BANK);
    expect(() => assertAwaitingResult(settled, 'P1')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    const failed = withPaymentResult(ordered, { paymentId: 'P1', status: 'FAILED', bankRef: 'B1', failure: { code: 'ACCOUNT_NOT_FOUND', message: '收款账户不存在' }, at: AT }, BANK);
    expect(() => assertAwaitingResult(failed, 'P1')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
  });

  it('SETTLED: still PAID, payment SETTLED; the answer shows { paymentId, status }', () => {
    expect(applicationView(ordered).payment).toEqual({ paymentId: 'P1', status: 'ORDERED' });
    const settled = withPaymentResult(ordered, { paymentId: 'P1', status: 'SETTLED', bankRef: 'B1', at: AT }, BANK);
    expect(settled.status).toBe('PAID');
    expect(settled.decisions).toEqual(ordered.decisions);
    expect(withdrawalView(settled).payment).toEqual({ paymentId: 'P1', status: 'SETTLED' });
  });

  it('FAILED: PAYMENT_FAILED with the bank’s reason, a decision by the bank; the member sees why', () => {
    const failed = withPaymentResult(ordered, { paymentId: 'P1', status: 'FAILED', bankRef: 'B1', failure: { code: 'ACCOUNT_NOT_FOUND', message: '收款账户不存在' }, at: AT }, BANK);
    expect(failed.status).toBe('PAYMENT_FAILED');
    expect(failed.decisions.at(-1)).toEqual({ action: 'PAYMENT_FAILED', by: BANK, at: AT, note: 'ACCOUNT_NOT_FOUND: 收款账户不存在' });
    expect(applicationView(failed)).toMatchObject({ status: 'PAYMENT_FAILED', payment: { paymentId: 'P1', status: 'FAILED', failure: { code: 'ACCOUNT_NOT_FOUND', message: '收款账户不存在' } } });
    // no reason given: UNKNOWN; a long one is bounded
    expect(failureOf({})).toEqual({ code: 'UNKNOWN', message: expect.any(String) });
    expect(failureOf({ failure: { code: 'X', message: 'y'.repeat(1000) } }).message).toHaveLength(200);
  });

  it('a closing withdrawal whose payment failed no longer says the account is closed', () => {
    const retire = withPaymentOrdered(withdrawal({ accountNo: '123456789012', reason: 'RETIREMENT', full: true, payeeBankAccount: PAYEE, evidence: { retirementDate: '2026-06-30' } }), 'P1');
    expect(applicationView(retire)).toMatchObject({ accountClosed: true });
    expect(applicationView(withPaymentResult(retire, { paymentId: 'P1', status: 'FAILED', bankRef: 'B', at: AT }, BANK))).toMatchObject({ accountClosed: false, status: 'PAYMENT_FAILED' });
  });

  it('the money back: +amount REVERSAL, ref the withdrawal, value-dated the day it was paid, keyed by the payment, memo naming the failure', () => {
    const p = reversalPosting({ withdrawalId: 'W1', amountFen: 150_000, paidOn: '2026-11-20' }, { paymentId: 'P1', failure: { code: 'ACCOUNT_NOT_FOUND', message: '收款账户不存在' } }, TODAY);
    expect(p).toEqual({ amountFen: 150_000, type: 'REVERSAL', ref: 'W1', valueDate: '2026-11-20', entryKey: 'REVERSAL-P1', memo: 'PAYMENT_FAILED P1 ACCOUNT_NOT_FOUND: 收款账户不存在' });
    // never value-dated after today
    expect(reversalPosting({ withdrawalId: 'W1', amountFen: 1, paidOn: '2026-12-01' }, { paymentId: 'P1' }, TODAY).valueDate).toBe(TODAY);
  });
});

describe('a failed payment’s claim', () => {
  it('no longer counts against the cap nor for the fraud rules (paid at once, or approved after review)', () => {
    const w = withPaymentOrdered(withdrawal(purchase), 'P1');
    const c1 = withClaim(undefined, { kind: 'PROPERTY', docNo: 'ZH-1' }, w, TODAY);
    expect(c1.paidFen).toBe(1_000_000);
    const c2 = withClaimPaymentFailed(c1, w);
    expect(c2).toMatchObject({ paidFen: 0, version: 2, claims: [{ withdrawalId: 'W1', status: 'PAYMENT_FAILED' }] });
    expect(c2.claims.filter(claimCounts)).toEqual([]);
    // the property's cap is whole again: the same amount is paid at once, and no fraud rule trips
    const again = decideApplication({ account: account({ balanceFen: 50_000_000 }), loanFlags: { hasOverdueLoan: false }, body: { ...purchase, amount: 30_000_000 }, claim: c2, today: TODAY, policy });
    expect(again).toMatchObject({ status: 'PAID', amountFen: 30_000_000, reviewReasons: [] });
    // approved after review, then failed
    const pending = { ...w, status: 'PENDING_REVIEW' as const };
    const reviewed = withClaimDecided(withClaim(undefined, { kind: 'PROPERTY', docNo: 'ZH-1' }, pending, TODAY), { ...w, status: 'PAID' });
    expect(withClaimPaymentFailed(reviewed, w).paidFen).toBe(0);
    // an entry that was not counted (pending) takes nothing off
    const stillPending = withClaim(undefined, { kind: 'PROPERTY', docNo: 'ZH-1' }, pending, TODAY);
    expect(withClaimPaymentFailed(stillPending, w).paidFen).toBe(0);
  });
});
