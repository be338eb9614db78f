// What we answer to partners' requests (domain.md §5, api.md "Inter-provincial services, completed"),
// against the pure rules: identity (NOT_FOUND / NAME_MISMATCH for the inquiry and the certificate,
// MEMBER_NOT_MATCHED for the others), every result shape and every rejection code of each type, the
// ledger effect of a transfer out / closing withdrawal, and the cancel of a transfer request.
import { describe, it, expect } from 'vitest';
import {
  balanceInquiryResult,
  cancelDecision,
  decideClosing,
  depositCertificateResult,
  identityRejection,
  monthsDeposited,
  payoffCertificateDecision,
  prepaymentDecision,
  purchaseDecision,
  REJECTIONS,
  type Decision,
  type DepositFact,
  type LoanFact,
} from '../../functions/interprovincial/domain/decide.ts';
import { policyOn } from '../../shared/policy.ts';
import type { Account } from '../../shared/ledger/account.ts';
import { REQUEST_TYPES, type InboundRequest, type RequestType } from '../../functions/interprovincial/domain/types.ts';
import { inboundBody } from '../../functions/interprovincial/schemas.ts';

const today = '2025-12-31';
const policy = policyOn(today);
const idNumber = '510104199001010078';

// 100,000.00 yuan since 2025-07-01: 183 days to 2025-12-31 → 10,000,000 × 183 × 1.5% / 360 = 76,250 fen
const noLoan = { hasOverdueLoan: false };
const loanFlags = (f: { activeLoanId?: string; hasOverdueLoan?: boolean }) => ({ hasOverdueLoan: false, ...f });
const account = (over: Partial<Account> = {}): Account => ({
  accountNo: '123456789012',
  idNumber,
  name: '张三',
  kind: 'FLEXIBLE',
  branch: 'SC',
  status: 'SEALED',
  statusCode: '02',
  monthlyBaseFen: 800_000,
  employerRatePercent: 0,
  employeeRatePercent: 12,
  monthlyAmountFen: 96_000,
  balanceFen: 10_000_000,
  version: 3,
  accrualYear: 2026,
  accrualFenDays: 0,
  accrualDate: '2025-07-01',
  unsettledAccruals: {},
  paidPeriods: ['2024-01:2024-12', '2025-03:2025-06'],
  lastPaidPeriod: '2025-06',
  openedOn: '2024-01-01',
  createdAt: '2024-01-01T00:00:00Z',
  updatedAt: '2025-07-01T00:00:00Z',
  ...over,
});

const req = (type: RequestType, payload: Record<string, unknown> = {}): Pick<InboundRequest, 'trackingId' | 'type' | 'payload'> => ({
  trackingId: 'T1',
  type,
  payload: { idNumber, name: '张三', ...payload },
});

const code = (d: Decision | undefined) => (d === undefined ? 'MATCHED' : d.status === 'REJECTED' ? d.rejection.code : d.status);

const facts: DepositFact = { status: 'SEALED', balance: '100000.00', monthlyBase: '8000.00', monthlyAmount: '960.00', lastPaidPeriod: '2025-06', openedOn: '2024-01-01', monthsDeposited: 16, consecutiveMonths: 4 };
const loan: LoanFact & { extra?: string } = { loanId: 'L1', status: 'ACTIVE', principal: '500000.00', outstandingPrincipal: '480000.00', payoffAmountToday: '480812.34', overdueInstallments: 1, extra: 'not for partners' };

describe('identity', () => {
  it('BALANCE_INQUIRY and DEPOSIT_CERTIFICATE: NOT_FOUND without such an ID number, NAME_MISMATCH when the name differs', () => {
    for (const type of ['BALANCE_INQUIRY', 'DEPOSIT_CERTIFICATE'] as const) {
      expect(code(identityRejection(type, { idNumber, name: '张三' }, undefined))).toBe('NOT_FOUND');
      expect(code(identityRejection(type, { idNumber, name: '李四' }, account()))).toBe('NAME_MISMATCH');
      expect(code(identityRejection(type, { idNumber: '11010519491231002X', name: '张三' }, account()))).toBe('NOT_FOUND');
      expect(code(identityRejection(type, { idNumber, name: '张三' }, account()))).toBe('MATCHED');
    }
    expect(identityRejection('BALANCE_INQUIRY', { idNumber, name: '张三' }, undefined)).toEqual({ status: 'REJECTED', rejection: { code: 'NOT_FOUND', message: REJECTIONS.NOT_FOUND } });
  });

  it('the other types keep one answer for an unknown member and a wrong name (MEMBER_NOT_MATCHED)', () => {
    for (const type of REQUEST_TYPES.filter((t) => t !== 'BALANCE_INQUIRY' && t !== 'DEPOSIT_CERTIFICATE' && t !== 'TRANSFER_CANCEL')) {
      const none = identityRejection(type, { idNumber, name: '张三' }, undefined);
      const wrongName = identityRejection(type, { idNumber, name: '李四' }, account());
      expect(none, type).toEqual(wrongName);
      expect(code(none), type).toBe('MEMBER_NOT_MATCHED');
    }
    expect(code(decideClosing(req('TRANSFER_REQUEST', { name: '李四' }), account(), today, policy, noLoan))).toBe('MEMBER_NOT_MATCHED');
  });
});

describe('BALANCE_INQUIRY and DEPOSIT_CERTIFICATE', () => {
  it('the balance inquiry is exactly the deposit facts api.md names and each loan\'s six facts', () => {
    expect(balanceInquiryResult(facts, [loan])).toEqual({
      status: 'SEALED',
      balance: '100000.00',
      monthlyBase: '8000.00',
      monthlyAmount: '960.00',
      lastPaidPeriod: '2025-06',
      loans: [{ loanId: 'L1', status: 'ACTIVE', principal: '500000.00', outstandingPrincipal: '480000.00', payoffAmountToday: '480812.34', overdueInstallments: 1 }],
    });
    expect(balanceInquiryResult({ ...facts, lastPaidPeriod: null }, []).loans).toEqual([]);
  });

  it('the deposit certificate states its number, the deposit history and the loans used', () => {
    expect(depositCertificateResult('DC-1', facts, [loan, { ...loan, loanId: 'L0', status: 'CLOSED', outstandingPrincipal: '0.00', payoffAmountToday: '0.00', overdueInstallments: 0 }])).toEqual({
      certificateNo: 'DC-1',
      status: 'SEALED',
      openedOn: '2024-01-01',
      monthsDeposited: 16,
      consecutiveMonths: 4,
      monthlyBase: '8000.00',
      monthlyAmount: '960.00',
      balance: '100000.00',
      lastPaidPeriod: '2025-06',
      loans: [
        { loanId: 'L1', status: 'ACTIVE', principal: '500000.00', outstandingPrincipal: '480000.00', payoffAmountToday: '480812.34', overdueInstallments: 1 },
        { loanId: 'L0', status: 'CLOSED', principal: '500000.00', outstandingPrincipal: '0.00', payoffAmountToday: '0.00', overdueInstallments: 0 },
      ],
    });
    expect(monthsDeposited(['2024-01:2024-12', '2025-03:2025-06'])).toBe(16);
    expect(monthsDeposited([])).toBe(0);
  });
});

describe('TRANSFER_REQUEST and RETIREMENT_WITHDRAWAL', () => {
  it('transfer out: interest to today, the whole balance leaves, the account closes with code 04', () => {
    const d = decideClosing(req('TRANSFER_REQUEST'), account(), today, policy, noLoan);
    expect(d).toEqual({
      status: 'COMPLETED',
      result: { amount: '100762.50', interest: '762.50', closedOn: today },
      effect: {
        settleInterestTo: today,
        postings: [{ amountFen: -10_076_250, type: 'TRANSFER_OUT', ref: 'T1', valueDate: today, entryKey: 'TRANSFER_OUT-T1' }],
        changes: { status: 'CLOSED', statusCode: '04', closedOn: today },
      },
    });
  });

  it('transfer out is refused when active under a unit, frozen, closed or with a loan; a flexible NORMAL account may leave', () => {
    expect(code(decideClosing(req('TRANSFER_REQUEST'), account({ status: 'NORMAL', unitId: 'U1' }), today, policy, noLoan))).toBe('ACCOUNT_ACTIVE_UNDER_UNIT');
    expect(code(decideClosing(req('TRANSFER_REQUEST'), account({ status: 'FROZEN' }), today, policy, noLoan))).toBe('ACCOUNT_FROZEN');
    expect(code(decideClosing(req('TRANSFER_REQUEST'), account({ status: 'CLOSED' }), today, policy, noLoan))).toBe('ACCOUNT_CLOSED');
    expect(code(decideClosing(req('TRANSFER_REQUEST'), account(), today, policy, loanFlags({ activeLoanId: 'L1' })))).toBe('LOAN_OUTSTANDING');
    expect(code(decideClosing(req('TRANSFER_REQUEST'), account({ status: 'NORMAL' }), today, policy, noLoan))).toBe('COMPLETED');
  });

  it('an empty account closes without a posting', () => {
    const d = decideClosing(req('TRANSFER_REQUEST'), account({ balanceFen: 0 }), today, policy, noLoan);
    expect(d.status === 'COMPLETED' && d.effect?.postings).toEqual([]);
    expect(d.status === 'COMPLETED' && d.result).toEqual({ amount: '0.00', interest: '0.00', closedOn: today });
  });

  it('retirement withdrawal closes with code 05; closed, frozen, a future retirement date or a loan is refused', () => {
    const d = decideClosing(req('RETIREMENT_WITHDRAWAL', { retirementDate: '2025-11-30' }), account(), today, policy, noLoan);
    expect(d.status === 'COMPLETED' && d.effect?.changes).toEqual({ status: 'CLOSED', statusCode: '05', closedOn: today });
    expect(d.status === 'COMPLETED' && d.effect?.postings[0]).toMatchObject({ amountFen: -10_076_250, type: 'WITHDRAWAL' });
    expect(code(decideClosing(req('RETIREMENT_WITHDRAWAL', { retirementDate: '2026-01-01' }), account(), today, policy, noLoan))).toBe('RETIREMENT_DATE_INVALID');
    expect(code(decideClosing(req('RETIREMENT_WITHDRAWAL', { retirementDate: '2025-11-30' }), account(), today, policy, loanFlags({ activeLoanId: 'L1' })))).toBe('LOAN_OUTSTANDING');
    expect(code(decideClosing(req('RETIREMENT_WITHDRAWAL', { retirementDate: '2025-11-30' }), account({ status: 'CLOSED' }), today, policy, noLoan))).toBe('ACCOUNT_CLOSED');
    expect(code(decideClosing(req('RETIREMENT_WITHDRAWAL', { retirementDate: '2025-11-30' }), account({ status: 'FROZEN' }), today, policy, noLoan))).toBe('ACCOUNT_FROZEN');
  });
});

describe('LOAN_PAYOFF_CERTIFICATE and FULL_PREPAYMENT', () => {
  it('the payoff certificate is the loans domain\'s, field for field; none → NO_CLOSED_LOAN', () => {
    const cert = { certificateNo: 'PC-L1', loanId: 'L1', principal: '500000.00', disbursedOn: '2020-01-15', closedOn: '2025-06-30' };
    expect(payoffCertificateDecision(cert)).toEqual({ status: 'COMPLETED', result: cert });
    expect(payoffCertificateDecision(undefined)).toEqual({ status: 'REJECTED', rejection: { code: 'NO_CLOSED_LOAN', message: REJECTIONS.NO_CLOSED_LOAN } });
  });

  it('a full prepayment closes the loan → { loanId, paidAmount, closedOn, certificateNo }; AMOUNT_MISMATCH keeps the message naming the payoff amount; NO_ACTIVE_LOAN', () => {
    expect(prepaymentDecision({ ok: true, result: { loanId: 'L1', paidAmount: '480812.34', closedOn: today, certificateNo: 'PC-L1' } })).toEqual({
      status: 'COMPLETED',
      result: { loanId: 'L1', paidAmount: '480812.34', closedOn: today, certificateNo: 'PC-L1' },
    });
    const mismatch = prepaymentDecision({ ok: false, code: 'AMOUNT_MISMATCH', message: 'The payoff amount today is 480812.34' });
    expect(mismatch).toEqual({ status: 'REJECTED', rejection: { code: 'AMOUNT_MISMATCH', message: 'The payoff amount today is 480812.34' } });
    expect(code(prepaymentDecision({ ok: false, code: 'NO_ACTIVE_LOAN', message: 'none' }))).toBe('NO_ACTIVE_LOAN');
  });
});

describe('PURCHASE_WITHDRAWAL', () => {
  it('PAID completes with { withdrawalId, amount }; PENDING_REVIEW keeps the request processing; REJECTED carries the withdrawal\'s own code', () => {
    expect(purchaseDecision({ withdrawalId: 'W1', status: 'PAID', amount: '30000.00' })).toEqual({ status: 'COMPLETED', result: { withdrawalId: 'W1', amount: '30000.00' } });
    expect(purchaseDecision({ withdrawalId: 'W1', status: 'PENDING_REVIEW', amount: '30000.00' })).toEqual({ status: 'PROCESSING', withdrawalId: 'W1' });
    for (const c of ['POLICY_VIOLATION', 'INSUFFICIENT_BALANCE', 'INVALID_STATE', 'NOT_ELIGIBLE', 'REVIEW_REJECTED']) {
      expect(purchaseDecision({ withdrawalId: 'W1', status: 'REJECTED', amount: '30000.00', rejection: { code: c, message: `m ${c}` } })).toEqual({ status: 'REJECTED', rejection: { code: c, message: `m ${c}` } });
    }
  });
});

describe('TRANSFER_CANCEL', () => {
  const original = (over: Partial<InboundRequest> = {}): InboundRequest => ({
    trackingId: 'T-ORIG',
    partner: 'P1',
    requestId: 'R-1',
    type: 'TRANSFER_REQUEST',
    payload: { idNumber, name: '张三' },
    requestHash: 'h',
    status: 'RECEIVED',
    receivedAt: '2025-12-31T00:00:00Z',
    updatedAt: '2025-12-31T00:00:00Z',
    ...over,
  });

  it('a request not accepted yet (RECEIVED, PROCESSING) is cancelled: the cancel completes, the original is to be rejected', () => {
    for (const status of ['RECEIVED', 'PROCESSING'] as const) {
      const c = cancelDecision('R-1', original({ status }));
      expect(c.kind).toBe('CANCEL_ORIGINAL');
      expect(c.decision).toEqual({ status: 'COMPLETED', result: { requestId: 'R-1', trackingId: 'T-ORIG', status: 'CANCELLED' } });
      expect(c.kind === 'CANCEL_ORIGINAL' && c.original.status).toBe(status);
    }
    expect(REJECTIONS.CANCELLED).toBeTruthy();
  });

  it('an accepted transfer → ALREADY_ACCEPTED; one refused → ALREADY_REJECTED; one already cancelled → completed again', () => {
    expect(cancelDecision('R-1', original({ status: 'COMPLETED' }))).toEqual({ kind: 'ANSWER', decision: { status: 'REJECTED', rejection: { code: 'ALREADY_ACCEPTED', message: REJECTIONS.ALREADY_ACCEPTED } } });
    expect(code(cancelDecision('R-1', original({ status: 'REJECTED', rejection: { code: 'LOAN_OUTSTANDING', message: 'x' } })).decision)).toBe('ALREADY_REJECTED');
    expect(cancelDecision('R-1', original({ status: 'REJECTED', rejection: { code: 'CANCELLED', message: 'x' } })).decision).toEqual({ status: 'COMPLETED', result: { requestId: 'R-1', trackingId: 'T-ORIG', status: 'CANCELLED' } });
  });

  it('a request never received: the cancel completes and reserves the id; a request of another type is not a transfer request', () => {
    expect(cancelDecision('R-9', undefined)).toEqual({ kind: 'CANCEL_UNRECEIVED', decision: { status: 'COMPLETED', result: { requestId: 'R-9', status: 'CANCELLED' } } });
    expect(code(cancelDecision('R-1', original({ type: 'BALANCE_INQUIRY', status: 'RECEIVED' })).decision)).toBe('REQUEST_NOT_FOUND');
  });
});

describe('payloads (api.md v1.1)', () => {
  const parse = (type: string, payload: Record<string, unknown>) => inboundBody.safeParse({ requestId: 'R-1', type, payload });
  const member = { idNumber, name: '张三' };
  it('FULL_PREPAYMENT adds loanId, amount, bankRef (all required); TRANSFER_CANCEL is { requestId }', () => {
    expect(parse('FULL_PREPAYMENT', { ...member, loanId: 'L1', amount: '480812.34', bankRef: 'BK-1' }).success).toBe(true);
    expect(parse('FULL_PREPAYMENT', { ...member, loanId: 'L1', bankRef: 'BK-1' }).success).toBe(false);
    expect(parse('FULL_PREPAYMENT', { ...member, loanId: 'L1', amount: '0', bankRef: 'BK-1' }).success).toBe(false);
    expect(parse('FULL_PREPAYMENT', { ...member, loanId: 'L1', amount: 480812.34, bankRef: 'BK-1' }).success).toBe(false);
    expect(parse('TRANSFER_CANCEL', { requestId: 'R-0' }).success).toBe(true);
    expect(parse('TRANSFER_CANCEL', { requestId: 'R-0', extra: 1 }).success).toBe(false);
    expect(parse('TRANSFER_CANCEL', {}).success).toBe(false);
    expect(parse('DEPOSIT_CERTIFICATE', { ...member, purpose: '异地贷款' }).success).toBe(true);
    expect(parse('LOAN_PAYOFF_CERTIFICATE', { ...member, loanId: 'L1' }).success).toBe(true);
    expect(parse('LOAN_PAYOFF_CERTIFICATE', member).success).toBe(true);
  });
});
