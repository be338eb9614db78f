// The deposit facts a partner center (and a certificate) states of an account, and the certificate
// record: pure rules of functions/deposits/domain/certificate.ts and the items that issue it.
import { describe, it, expect } from 'vitest';
import { depositFacts, lastCountedPeriod, monthsCovered, newDepositCertificate } from '../../functions/deposits/domain/certificate.ts';
import { depositCertificateItems, depositCertificateNoOf } from '../../functions/deposits/public.ts';
import type { Account } from '../../shared/ledger/account.ts';

const account = (over: Partial<Account> = {}): Account => ({
  accountNo: '100000000017',
  idNumber: '330102199001011234',
  name: '张三',
  kind: 'EMPLOYEE',
  unitId: 'U-1',
  branch: 'SC',
  status: 'NORMAL',
  statusCode: '01',
  monthlyBaseFen: 800_000,
  employerRatePercent: 12,
  employeeRatePercent: 12,
  monthlyAmountFen: 192_000,
  balanceFen: 12_345_678,
  version: 3,
  accrualYear: 2027,
  accrualFenDays: 0,
  accrualDate: '2026-07-01',
  unsettledAccruals: {},
  lastPaidPeriod: '2026-11',
  paidPeriods: ['2024-01:2024-06', '2024-09:2026-11'],
  openedOn: '2024-01-05',
  createdAt: '2024-01-05T00:00:00.000Z',
  updatedAt: '2026-11-20T00:00:00.000Z',
  ...over,
});

describe('deposit facts', () => {
  it('states what GET /v1/accounts shows (yuan strings), the months deposited and the consecutive months up to the last paid period', () => {
    expect(depositFacts(account(), [], '2026-12-02')).toEqual({
      status: 'NORMAL',
      balance: '123456.78',
      monthlyBase: '8000.00',
      monthlyAmount: '1920.00',
      lastPaidPeriod: '2026-11',
      openedOn: '2024-01-05',
      monthsDeposited: 6 + 27, // 2024-01…06 and 2024-09…2026-11
      consecutiveMonths: 27, // back from 2026-11 to 2024-09: the gap of 2024-07/08 breaks it
    });
  });

  it('months of the unit’s approved deferral (缓缴) count as continuous, as for loan eligibility', () => {
    expect(depositFacts(account(), ['2024-07:2024-08'], '2026-12-02').consecutiveMonths).toBe(6 + 2 + 27);
    // a deferral after the last paid month does not extend the count (counted up to the last paid period)
    expect(depositFacts(account({ paidPeriods: ['2026-01:2026-09'], lastPaidPeriod: '2026-09' }), ['2026-10:2026-12'], '2026-12-02').consecutiveMonths).toBe(9);
  });

  it('no contribution yet: 0 months, no last paid period', () => {
    expect(depositFacts(account({ paidPeriods: [], lastPaidPeriod: undefined }), [], '2026-12-02')).toMatchObject({ lastPaidPeriod: null, monthsDeposited: 0, consecutiveMonths: 0 });
  });

  it('counts back from the last paid range when the account keeps no lastPaidPeriod, never from after this month', () => {
    expect(lastCountedPeriod({ paidPeriods: ['2025-01:2025-12'], lastPaidPeriod: undefined }, '2026-12-02')).toBe('2025-12');
    expect(lastCountedPeriod({ paidPeriods: ['2026-01:2027-03'], lastPaidPeriod: '2027-03' }, '2026-12-02')).toBe('2026-12');
    expect(depositFacts(account({ paidPeriods: ['2026-01:2027-03'], lastPaidPeriod: '2027-03' }), [], '2026-12-02').consecutiveMonths).toBe(12);
    expect(lastCountedPeriod({ paidPeriods: [], lastPaidPeriod: undefined }, '2026-12-02')).toBeNull();
  });

  it('monthsCovered sums inclusive ranges across years', () => {
    expect(monthsCovered(['2023-11:2024-02'])).toBe(4);
    expect(monthsCovered(['2024-05:2024-05', '2024-07:2024-08'])).toBe(3);
    expect(monthsCovered([])).toBe(0);
  });

  it('a frozen or sealed account states its status', () => {
    expect(depositFacts(account({ status: 'FROZEN' }), [], '2026-12-02').status).toBe('FROZEN');
    expect(depositFacts(account({ status: 'SEALED' }), [], '2026-12-02').status).toBe('SEALED');
  });
});

describe('deposit certificate (缴存证明)', () => {
  const facts = depositFacts(account(), [], '2026-12-02');
  const at = new Date('2026-12-02T03:04:05.000Z');
  const loans = [{ loanId: 'L1', status: 'ACTIVE', principal: '300000.00', outstandingPrincipal: '250000.00', payoffAmountToday: '250321.10', overdueInstallments: 0, note: undefined }];

  it('states the facts and loans given, the purpose, issued when and to whom', () => {
    const c = newDepositCertificate({ certificateNo: 'DC1', accountNo: '100000000017', facts, loans, purpose: '异地购房贷款', issuedTo: { partner: '110000' }, trackingId: 'T-1', today: '2026-12-02', at });
    expect(c).toEqual({
      certificateNo: 'DC1',
      accountNo: '100000000017',
      facts,
      loans: [{ loanId: 'L1', status: 'ACTIVE', principal: '300000.00', outstandingPrincipal: '250000.00', payoffAmountToday: '250321.10', overdueInstallments: 0 }],
      purpose: '异地购房贷款',
      issuedTo: { partner: '110000' },
      trackingId: 'T-1',
      issuedOn: '2026-12-02',
      issuedAt: '2026-12-02T03:04:05.000Z',
    });
    expect(c.facts).not.toBe(facts); // a copy: what was stated is what is stored
  });

  it('without purpose or tracking id, to a member at the counter', () => {
    const c = newDepositCertificate({ certificateNo: 'DC2', accountNo: '100000000017', facts, loans: [], issuedTo: { sub: 'member-100000000017' }, today: '2026-12-02', at });
    expect(c).not.toHaveProperty('purpose');
    expect(c).not.toHaveProperty('trackingId');
    expect(c.issuedTo).toEqual({ sub: 'member-100000000017' });
    expect(c.loans).toEqual([]);
  });

  it('the number derives from the tracking id (a redelivery plans the same number); the record is put only if new', () => {
    const input = { accountNo: '100000000017', facts, loans, issuedTo: { partner: '110000' }, trackingId: 'T-42', today: '2026-12-02', at };
    const a = depositCertificateItems(input);
    const b = depositCertificateItems({ ...input, at: new Date('2026-12-03T00:00:00.000Z') });
    expect(a.certificateNo).toBe(depositCertificateNoOf('T-42'));
    expect(b.certificateNo).toBe(a.certificateNo);
    expect(depositCertificateItems({ ...input, trackingId: 'T-43' }).certificateNo).not.toBe(a.certificateNo);
    expect(a.items).toHaveLength(1);
    const put = a.items[0].Put!;
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put.Item).toMatchObject({ pk: `DCERT#${a.certificateNo}`, certificateNo: a.certificateNo, accountNo: '100000000017', facts, trackingId: 'T-42' });
  });

  it('without a tracking id every certificate gets a new number', () => {
    const input = { accountNo: '100000000017', facts, loans: [], issuedTo: { sub: 'staff-1' }, today: '2026-12-02', at };
    const numbers = new Set(Array.from({ length: 20 }, () => depositCertificateItems(input).certificateNo));
    expect(numbers.size).toBe(20);
  });
});
