import { describe, expect, it } from 'vitest';
import { D } from '../../shared/money.ts';
import {
  ACCOUNT_STATUS_CODES,
  latestPolicy,
  loanAnnualRate,
  policies,
  policyOn,
  productCapKey,
  REPAYMENT_METHOD_CODES,
  SHORT_TERM_MAX_MONTHS,
  WITHDRAWAL_REASONS,
  type WithdrawalReason,
} from '../../shared/policy.ts';

describe('policy versions', () => {
  it('are sorted by effectiveFrom and frozen', () => {
    const dates = policies.map((p) => p.effectiveFrom);
    expect([...dates].sort()).toEqual(dates);
    expect(dates).toEqual(['2016-02-21', '2025-05-08']);
    expect(Object.isFrozen(policies)).toBe(true);
    expect(Object.isFrozen(policies[1].loans.rates.firstHome)).toBe(true);
    expect(() => {
      (policies[1].base as { capFen: number }).capFen = 1;
    }).toThrow();
    expect(latestPolicy).toBe(policies[policies.length - 1]);
  });

  it('policyOn picks the version in force on a date', () => {
    expect(() => policyOn('2016-02-20')).toThrow(/no policy in force/);
    expect(policyOn('2016-02-21').effectiveFrom).toBe('2016-02-21');
    expect(policyOn('2020-07-01').effectiveFrom).toBe('2016-02-21');
    expect(policyOn('2025-05-07').effectiveFrom).toBe('2016-02-21');
    expect(policyOn('2025-05-08').effectiveFrom).toBe('2025-05-08');
    expect(policyOn('2099-12-31').effectiveFrom).toBe('2025-05-08');
  });

  it('policyOn refuses malformed dates', () => {
    for (const bad of ['2025-5-8', '20250508', '2025-13-01', '', '2025-05-08T00:00:00Z']) {
      expect(() => policyOn(bad)).toThrow(/YYYY-MM-DD/);
    }
  });
});

describe('policy values (domain.md)', () => {
  const p = policyOn('2025-06-30');

  it('contribution and base', () => {
    expect(p.contribution).toEqual({
      minRatePercent: 5,
      maxRatePercent: 12,
      flexibleMinRatePercent: 10,
      flexibleMaxRatePercent: 24,
      remitWithinDaysOfPayDay: 5,
    });
    expect(p.base.floorFen).toBe(200_000);
    expect(p.base.averageWageFen).toBe(800_000);
    expect(p.base.capMultiple).toBe(3);
    expect(p.base.capFen).toBe(2_400_000);
    expect(p.base.capFen).toBe(p.base.averageWageFen * p.base.capMultiple);
    expect(p.unit).toEqual({ payDayMin: 1, payDayMax: 28, registrationWithinDays: 30 });
  });

  it('interest: 1.50% p.a. since 2016-02-21, /360, settled June 30', () => {
    expect(p.interest).toEqual({
      annualRate: '0.015',
      dayBasis: 360,
      settlementMonth: 6,
      settlementDay: 30,
      effectiveFrom: '2016-02-21',
    });
    expect(policyOn('2016-02-21').interest.annualRate).toBe('0.015');
  });

  it('withdrawal reasons: codes, closing, unlimited, purchase-type', () => {
    const r = p.withdrawals.reasons;
    expect(Object.keys(r).sort()).toEqual([...WITHDRAWAL_REASONS].sort());
    const codes = Object.fromEntries(WITHDRAWAL_REASONS.map((k) => [k, r[k].code]));
    expect(codes).toEqual({
      PURCHASE: '01',
      BUILD_REPAIR: '02',
      RETIREMENT: '03',
      INCAPACITY: '04',
      EMIGRATION: '05',
      HPF_LOAN_REPAYMENT: '06',
      COMMERCIAL_LOAN_REPAYMENT: '06',
      RENT: '07',
      DEATH: '08',
      ELEVATOR_RETROFIT: '71',
      OFFSITE_PURCHASE: '72',
    });
    const where = (f: (k: WithdrawalReason) => boolean) => WITHDRAWAL_REASONS.filter(f).sort();
    expect(where((k) => r[k].closesAccount)).toEqual(['DEATH', 'EMIGRATION', 'INCAPACITY', 'RETIREMENT']);
    expect(where((k) => r[k].unlimited)).toEqual(
      ['COMMERCIAL_LOAN_REPAYMENT', 'ELEVATOR_RETROFIT', 'HPF_LOAN_REPAYMENT', 'OFFSITE_PURCHASE', 'RENT'],
    );
    expect(where((k) => r[k].purchaseType)).toEqual(['OFFSITE_PURCHASE', 'PURCHASE']);
    expect(p.withdrawals.reviewDecisionDays).toBe(3);
    expect(p.withdrawals.propertyRepeatWindowMonths).toBe(12);
    expect(p.withdrawals.purchaseWithinYears).toBe(1);
  });

  it('loans', () => {
    const l = p.loans;
    expect(l.rates).toEqual({
      firstHome: { upTo5Years: '0.021', over5Years: '0.026' },
      secondHome: { upTo5Years: '0.02525', over5Years: '0.03075' },
    });
    expect(l.rateEffectiveFrom).toBe('2025-05-08');
    expect(l.productCapFen).toEqual({
      TALENT: 100_000_000,
      GRASSROOTS_CIVIL_SERVANT: 80_000_000,
      STANDARD_DISTRICT: 60_000_000,
      STANDARD_COUNTY: 50_000_000,
    });
    // a co-borrowing spouse raises the cap by half: 600,000 → 900,000
    expect(new D(l.productCapFen.STANDARD_DISTRICT).times(new D(1).plus(l.coBorrowerCapRaise)).toNumber()).toBe(90_000_000);
    expect(l.balanceMultiple).toBe(20);
    expect(l.loanToValue).toEqual({ firstHome: '0.8', secondHome: '0.7' });
    expect(l.incomeShare).toBe('0.5');
    expect(l.maxTermMonths).toBe(360);
    expect(l.minConsecutiveDepositMonths).toBe(6);
    expect(l.retirementAge).toEqual({ M: 60, F: 55 });
    expect(l.maturityAgeOverRetirement).toBe(5);
    expect(l.penaltyMultiplier).toBe('1.5');
    expect(l.penaltyDayBasis).toBe(360);
    expect(l.approvalDays).toBe(15);
    expect(l.overdueFindingConsecutive).toBe(3);
    expect(l.overdueFindingCumulative).toBe(6);
  });

  it('supervision and ledger', () => {
    expect(p.supervision).toEqual({
      personalLoanRatioWarning: '0.85',
      personalLoanRatioAlert: '0.95',
      depositsStoppedAfterLoanMonths: 6,
      unitNoRemittanceMonths: 3,
    });
    expect(p.ledger.controlTotalShards).toBe(16);
  });

  it('every rate string is a plain decimal fraction that Decimal parses exactly', () => {
    const rates = [
      p.interest.annualRate,
      ...Object.values(p.loans.rates).flatMap((t) => [t.upTo5Years, t.over5Years]),
      p.loans.coBorrowerCapRaise,
      p.loans.loanToValue.firstHome,
      p.loans.loanToValue.secondHome,
      p.loans.incomeShare,
      p.supervision.personalLoanRatioWarning,
      p.supervision.personalLoanRatioAlert,
    ];
    for (const r of rates) {
      expect(r).toMatch(/^0\.[0-9]+$/);
      expect(new D(r).toString()).toBe(r);
    }
  });

  it('codes', () => {
    expect(ACCOUNT_STATUS_CODES).toEqual({ NORMAL: '01', SEALED: '02', CLOSED_TRANSFERRED: '04', CLOSED_WITHDRAWN: '05', FROZEN: '06' });
    expect(REPAYMENT_METHOD_CODES).toEqual({ EQUAL_INSTALLMENT: '01', EQUAL_PRINCIPAL: '02' });
  });
});

describe('loanAnnualRate', () => {
  const p = policyOn('2025-05-08');
  it('≤ 60 months is the "≤ 5 years" rate', () => {
    expect(SHORT_TERM_MAX_MONTHS).toBe(60);
    expect(loanAnnualRate(p, { firstHome: true, termMonths: 12 })).toBe('0.021');
    expect(loanAnnualRate(p, { firstHome: true, termMonths: 60 })).toBe('0.021');
    expect(loanAnnualRate(p, { firstHome: true, termMonths: 61 })).toBe('0.026');
    expect(loanAnnualRate(p, { firstHome: true, termMonths: 360 })).toBe('0.026');
    expect(loanAnnualRate(p, { firstHome: false, termMonths: 60 })).toBe('0.02525');
    expect(loanAnnualRate(p, { firstHome: false, termMonths: 61 })).toBe('0.03075');
  });
  it('refuses non-positive or fractional terms', () => {
    expect(() => loanAnnualRate(p, { firstHome: true, termMonths: 0 })).toThrow();
    expect(() => loanAnnualRate(p, { firstHome: true, termMonths: 12.5 })).toThrow();
  });
});

describe('productCapKey', () => {
  it('maps category and location', () => {
    expect(productCapKey('TALENT', 'COUNTY')).toBe('TALENT');
    expect(productCapKey('GRASSROOTS_CIVIL_SERVANT', 'DISTRICT')).toBe('GRASSROOTS_CIVIL_SERVANT');
    expect(productCapKey('STANDARD', 'DISTRICT')).toBe('STANDARD_DISTRICT');
    expect(productCapKey('STANDARD', 'COUNTY')).toBe('STANDARD_COUNTY');
  });
});
