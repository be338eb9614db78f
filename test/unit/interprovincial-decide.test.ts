// What we answer to partners' requests (domain.md §5), against the pure rules: identity, refusals of
// each type and the ledger effect of a transfer out / closing withdrawal with interest to date.
import { describe, it, expect } from 'vitest';
import { decide, monthsDeposited, type Decision } from '../../functions/interprovincial/domain/decide.ts';
import { policyOn } from '../../shared/policy.ts';
import type { Account } from '../../shared/ledger/account.ts';
import type { InboundRequest, RequestType } from '../../functions/interprovincial/domain/types.ts';

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

const rejected = (d: Decision) => (d.status === 'REJECTED' ? d.rejection.code : `COMPLETED`);

describe('inter-provincial decisions', () => {
  it('identity: no account and a wrong name give the same generic rejection', () => {
    const none = decide(req('BALANCE_INQUIRY'), undefined, today, policy, noLoan);
    const wrongName = decide(req('BALANCE_INQUIRY', { name: '李四' }), account(), today, policy, noLoan);
    expect(none).toEqual(wrongName);
    expect(rejected(none)).toBe('MEMBER_NOT_MATCHED');
  });

  it('transfer out: interest to today, the whole balance leaves, the account closes with code 04', () => {
    const d = decide(req('TRANSFER_REQUEST'), account(), today, policy, noLoan);
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
    expect(rejected(decide(req('TRANSFER_REQUEST'), account({ status: 'NORMAL', unitId: 'U1' }), today, policy, noLoan))).toBe('ACCOUNT_ACTIVE_UNDER_UNIT');
    expect(rejected(decide(req('TRANSFER_REQUEST'), account({ status: 'FROZEN' }), today, policy, noLoan))).toBe('ACCOUNT_FROZEN');
    expect(rejected(decide(req('TRANSFER_REQUEST'), account({ status: 'CLOSED' }), today, policy, noLoan))).toBe('ACCOUNT_CLOSED');
    expect(rejected(decide(req('TRANSFER_REQUEST'), account(), today, policy, loanFlags({ activeLoanId: 'L1' })))).toBe('LOAN_OUTSTANDING');
    expect(rejected(decide(req('TRANSFER_REQUEST'), account({ status: 'NORMAL' }), today, policy, noLoan))).toBe('COMPLETED');
  });

  it('an empty account closes without a posting', () => {
    const d = decide(req('TRANSFER_REQUEST'), account({ balanceFen: 0 }), today, policy, noLoan);
    expect(d.status === 'COMPLETED' && d.effect?.postings).toEqual([]);
    expect(d.status === 'COMPLETED' && d.result).toEqual({ amount: '0.00', interest: '0.00', closedOn: today });
  });

  it('retirement withdrawal closes with code 05; a future retirement date or a loan is refused', () => {
    const d = decide(req('RETIREMENT_WITHDRAWAL', { retirementDate: '2025-11-30' }), account(), today, policy, noLoan);
    expect(d.status === 'COMPLETED' && d.effect?.changes).toEqual({ status: 'CLOSED', statusCode: '05', closedOn: today });
    expect(d.status === 'COMPLETED' && d.effect?.postings[0]).toMatchObject({ amountFen: -10_076_250, type: 'WITHDRAWAL' });
    expect(rejected(decide(req('RETIREMENT_WITHDRAWAL', { retirementDate: '2026-01-01' }), account(), today, policy, noLoan))).toBe('RETIREMENT_DATE_INVALID');
    expect(rejected(decide(req('RETIREMENT_WITHDRAWAL', { retirementDate: '2025-11-30' }), account(), today, policy, loanFlags({ activeLoanId: 'L1' })))).toBe('LOAN_OUTSTANDING');
  });

  it('purchase withdrawal debits the amount within the price, the balance and one year of the purchase', () => {
    const p = { amount: '30000', contractNo: 'HT-1', propertyCertificateNo: 'P-1', price: '800000', purchaseDate: '2025-03-01' };
    const d = decide(req('PURCHASE_WITHDRAWAL', p), account(), today, policy, noLoan);
    expect(d).toMatchObject({ status: 'COMPLETED', result: { amount: '30000.00', balance: '70000.00' }, effect: { postings: [{ amountFen: -3_000_000, type: 'WITHDRAWAL', entryKey: 'WITHDRAWAL-T1' }] } });
    expect(rejected(decide(req('PURCHASE_WITHDRAWAL', { ...p, amount: '100000.01' }), account(), today, policy, noLoan))).toBe('INSUFFICIENT_BALANCE');
    expect(rejected(decide(req('PURCHASE_WITHDRAWAL', { ...p, price: '20000' }), account(), today, policy, noLoan))).toBe('AMOUNT_EXCEEDS_PRICE');
    expect(rejected(decide(req('PURCHASE_WITHDRAWAL', { ...p, purchaseDate: '2024-12-30' }), account(), today, policy, noLoan))).toBe('PURCHASE_DATE_INVALID');
    expect(rejected(decide(req('PURCHASE_WITHDRAWAL', { ...p, purchaseDate: '2024-12-31' }), account(), today, policy, noLoan))).toBe('COMPLETED');
    expect(rejected(decide(req('PURCHASE_WITHDRAWAL', p), account(), today, policy, loanFlags({ hasOverdueLoan: true, activeLoanId: 'L1' })))).toBe('OVERDUE_LOAN');
    expect(rejected(decide(req('PURCHASE_WITHDRAWAL', p), account({ status: 'FROZEN' }), today, policy, noLoan))).toBe('ACCOUNT_FROZEN');
  });

  it('inquiries and certificates carry no effect', () => {
    const b = decide(req('BALANCE_INQUIRY'), account(), today, policy, loanFlags({ activeLoanId: 'L1' }));
    expect(b).toMatchObject({ status: 'COMPLETED', result: { balance: '100000.00', monthlyAmount: '960.00', lastPaidPeriod: '2025-06', hasHpfLoan: true, status: 'SEALED', idNumberMasked: '510104********0078' } });
    expect(b.status === 'COMPLETED' && b.effect).toBeUndefined();
    const c = decide(req('DEPOSIT_CERTIFICATE'), account(), today, policy, noLoan);
    expect(c).toMatchObject({ status: 'COMPLETED', result: { monthsDeposited: 16, firstPaidPeriod: '2024-01', lastPaidPeriod: '2025-06', monthlyBase: '8000.00', balance: '100000.00', hasHpfLoan: false } });
    expect(monthsDeposited([])).toBe(0);
  });

  it('payoff certificate only without an active loan; full prepayment is not handled over this channel', () => {
    expect(decide(req('LOAN_PAYOFF_CERTIFICATE'), account(), today, policy, noLoan)).toMatchObject({ status: 'COMPLETED', result: { certificate: 'NO_OUTSTANDING_HPF_LOAN' } });
    expect(rejected(decide(req('LOAN_PAYOFF_CERTIFICATE'), account(), today, policy, loanFlags({ activeLoanId: 'L1' })))).toBe('LOAN_OUTSTANDING');
    expect(rejected(decide(req('FULL_PREPAYMENT'), account(), today, policy, loanFlags({ activeLoanId: 'L1' })))).toBe('FULL_PREPAYMENT_NOT_SUPPORTED');
    expect(rejected(decide(req('FULL_PREPAYMENT'), account(), today, policy, noLoan))).toBe('NO_ACTIVE_LOAN');
  });
});
