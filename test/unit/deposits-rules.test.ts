// Golden values of domain.md §2 written literally; the pure rules of the deposits domain.
import { describe, it, expect } from 'vitest';
import { monthlyShares, shareFen, ratesFor, withRateChange, nextUnpaidPeriod, remittanceLines, chunked, LINES_PER_CHUNK, totalFen, assertRemittablePeriod, baseProblem, lastSettledYearOn, assertSettleableYear, overlaps } from '../../functions/deposits/domain/rules.ts';
import { applyPostings, withInterestSettled, accrue, interestOnFenDays, type Account } from '../../shared/ledger/account.ts';
import { policyOn } from '../../shared/policy.ts';

const policy = policyOn('2025-06-01');
const RATE = { annualRate: policy.interest.annualRate, dayBasis: policy.interest.dayBasis };

describe('monthly deposit (月缴存额)', () => {
  it('base 8,000.00 at 12% + 12% → 960.00 + 960.00 = 1,920.00', () => {
    expect(monthlyShares(800_000, 12, 12)).toEqual({ employerFen: 96_000, employeeFen: 96_000, monthlyFen: 192_000 });
  });
  it('base 6,543.21 at 12% → 785.19 per side (785.1852 rounded half-up)', () => {
    expect(shareFen(654_321, 12)).toBe(78_519);
    expect(monthlyShares(654_321, 12, 12).monthlyFen).toBe(157_038);
  });
  it('rounds half-up at exactly half a fen: 2,000.10 × 5% = 100.005 → 100.01', () => {
    expect(shareFen(200_010, 5)).toBe(10_001);
  });
});

describe('base range (缴存基数)', () => {
  it('accepts 2,000.00 and 24,000.00, refuses 1,999.99 and 24,000.01 without clamping', () => {
    expect(baseProblem(200_000, policy)).toBeUndefined();
    expect(baseProblem(2_400_000, policy)).toBeUndefined();
    expect(baseProblem(199_999, policy)).toMatch(/between/);
    expect(baseProblem(2_400_001, policy)).toMatch(/between/);
  });
});

describe('ratios per period', () => {
  const unit = { startPeriod: '2025-01', lastRemittedPeriod: '2025-03', rateHistory: [{ fromPeriod: '2025-01', employerRatePercent: 12, employeeRatePercent: 12 }] };
  it('a change takes effect from the next unpaid period and earlier periods keep their ratios', () => {
    expect(nextUnpaidPeriod(unit)).toBe('2025-04');
    const history = withRateChange(unit, { employerRatePercent: 8 });
    expect(ratesFor(history, '2025-03')).toMatchObject({ employerRatePercent: 12, employeeRatePercent: 12 });
    expect(ratesFor(history, '2025-04')).toMatchObject({ employerRatePercent: 8, employeeRatePercent: 12 });
    const again = withRateChange({ ...unit, rateHistory: history }, { employeeRatePercent: 5 });
    expect(again).toEqual([
      { fromPeriod: '2025-01', employerRatePercent: 12, employeeRatePercent: 12 },
      { fromPeriod: '2025-04', employerRatePercent: 8, employeeRatePercent: 5 },
    ]);
  });
  it('a unit never remitted changes from its start period', () => {
    expect(nextUnpaidPeriod({ startPeriod: '2025-06' })).toBe('2025-06');
  });
});

describe('remittance list (清册)', () => {
  const employees = [
    { accountNo: '200000000002', status: 'NORMAL', monthlyBaseFen: 800_000, startPeriod: '2025-01' },
    { accountNo: '100000000001', status: 'NORMAL', monthlyBaseFen: 654_321, startPeriod: '2025-01' },
    { accountNo: '300000000003', status: 'SEALED', monthlyBaseFen: 800_000, startPeriod: '2025-01' },
    { accountNo: '400000000004', status: 'NORMAL', monthlyBaseFen: 800_000, startPeriod: '2025-06' },
  ];
  it('lists the NORMAL employees owed for the period with each share rounded', () => {
    const lines = remittanceLines(employees, { fromPeriod: '2025-01', employerRatePercent: 12, employeeRatePercent: 12 }, '2025-05');
    expect(lines).toEqual([
      { accountNo: '100000000001', employerFen: 78_519, employeeFen: 78_519 },
      { accountNo: '200000000002', employerFen: 96_000, employeeFen: 96_000 },
    ]);
    expect(totalFen(lines)).toBe(349_038);
  });
  it('5,000 lines make 125 chunks of at most 40, each fitting one transaction of ≤ 100 items', () => {
    const chunks = chunked(Array.from({ length: 5000 }, (_, i) => i), LINES_PER_CHUNK);
    expect(chunks).toHaveLength(125);
    expect(Math.max(...chunks.map((c) => c.length))).toBe(40);
    expect(2 * LINES_PER_CHUNK + 4).toBeLessThanOrEqual(100);
  });
  it('periods: not before the start, REGULAR not in the future, BACKPAY only in the past', () => {
    const unit = { startPeriod: '2025-01' };
    expect(() => assertRemittablePeriod(unit, '2024-12', 'REGULAR', '2025-06')).toThrow(/before/);
    expect(() => assertRemittablePeriod(unit, '2025-07', 'REGULAR', '2025-06')).toThrow(/not begun/);
    expect(() => assertRemittablePeriod(unit, '2025-06', 'BACKPAY', '2025-06')).toThrow(/past/);
    expect(() => assertRemittablePeriod(unit, '2025-06', 'REGULAR', '2025-06')).not.toThrow();
    expect(() => assertRemittablePeriod(unit, '2025-02', 'BACKPAY', '2025-06')).not.toThrow();
  });
  it('deferral ranges overlap when they share a month', () => {
    expect(overlaps({ fromPeriod: '2022-06', toPeriod: '2022-12' }, { fromPeriod: '2022-12', toPeriod: '2023-02' })).toBe(true);
    expect(overlaps({ fromPeriod: '2022-06', toPeriod: '2022-12' }, { fromPeriod: '2023-01', toPeriod: '2023-02' })).toBe(false);
  });
});

describe('interest (结息, 积数法) at 1.50% / 360', () => {
  const opened: Account = {
    accountNo: '100000000001', idNumber: 'x', name: 'x', kind: 'FLEXIBLE', branch: 'B', status: 'NORMAL', statusCode: '01',
    monthlyBaseFen: 800_000, employerRatePercent: 0, employeeRatePercent: 12, monthlyAmountFen: 96_000,
    balanceFen: 0, version: 0, accrualYear: 2025, accrualFenDays: 0, accrualDate: '2024-07-01', unsettledAccruals: {}, paidPeriods: [],
    openedOn: '2024-07-01', createdAt: '', updatedAt: '',
  };
  // 2024-07-01 +100,000.00; 2024-10-01 +50,000.00; 2025-01-01 −30,000.00; settled on 2025-07-01:
  //   10,000,000 fen × 92 days (Jul 1 → Oct 1)  =   920,000,000
  //   15,000,000 fen × 92 days (Oct 1 → Jan 1)  = 1,380,000,000
  //   12,000,000 fen × 181 days (Jan 1 → Jul 1) = 2,172,000,000
  //   Σ = 4,472,000,000 fen·days × 0.015 / 360 = 186,333.33 fen → 1,863.33 yuan
  const postings = [
    { amountFen: 10_000_000, type: 'DEPOSIT' as const, ref: 'a', valueDate: '2024-07-01' },
    { amountFen: 5_000_000, type: 'DEPOSIT' as const, ref: 'b', valueDate: '2024-10-01' },
    { amountFen: -3_000_000, type: 'WITHDRAWAL' as const, ref: 'c', valueDate: '2025-01-01' },
  ];
  it('keeps Σ balance × days at every posting', () => {
    const { account } = applyPostings(opened, postings, 'now', (s) => `e${s}`);
    expect(account.accrualFenDays).toBe(920_000_000 + 1_380_000_000);
    expect(accrue(account, '2025-07-01').unsettledAccruals).toEqual({ '2025': 4_472_000_000 });
  });
  it('settles the year once: 1,863.33, and nothing is left for that year', () => {
    const { account } = applyPostings(opened, postings, 'now', (s) => `e${s}`);
    const settled = withInterestSettled(account, '2025-07-01', RATE, 'INTEREST-2025', 2025);
    expect(settled.interestFen).toBe(186_333);
    expect(settled.posting).toMatchObject({ amountFen: 186_333, type: 'INTEREST', valueDate: '2025-07-01', entryKey: 'INTEREST-2025' });
    expect(withInterestSettled(settled.account, '2025-07-01', RATE, 'INTEREST-2025', 2025).interestFen).toBe(0);
  });
  it('rounds half-up to the fen: 36,000 fen·days → 1.5 → 2 fen; 35,999 → 1 fen', () => {
    expect(interestOnFenDays(36_000, RATE.annualRate, RATE.dayBasis)).toBe(2);
    expect(interestOnFenDays(35_999, RATE.annualRate, RATE.dayBasis)).toBe(1);
  });
  it('never negative: a debit value-dated before the credit that funded it gives 0 interest, and a closing pays the whole balance', () => {
    expect(interestOnFenDays(-1_000_000, RATE.annualRate, RATE.dayBasis)).toBe(0);
    expect(interestOnFenDays(0, RATE.annualRate, RATE.dayBasis)).toBe(0);
  });
  it('the scheduled run settles the year ending on the latest June 30; a year settles only once it ended', () => {
    expect(lastSettledYearOn('2026-06-30', policy)).toBe(2026);
    expect(lastSettledYearOn('2026-06-29', policy)).toBe(2025);
    expect(lastSettledYearOn('2026-07-01', policy)).toBe(2026);
    expect(() => assertSettleableYear(2027, '2026-07-01', policy)).toThrow(/not come/);
    expect(() => assertSettleableYear(2015, '2026-07-01', policy)).toThrow(/policy/);
    expect(() => assertSettleableYear(2026, '2026-07-01', policy)).not.toThrow();
  });
});
