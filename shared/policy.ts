// The single, versioned policy module: every business number of docs/domain.md lives here and nowhere
// else. Rates are decimal strings holding fractions ('0.026' = 2.60%), money is integer fen, ratios
// of contribution are whole percent numbers (12 = 12%).
//
// Versions (sorted by effectiveFrom; policyOn(date) returns the latest one with effectiveFrom ≤ date):
//  - 2016-02-21: the deposit-rate regime (银发〔2016〕43号: 1.50% p.a.), from which the system is able to
//    migrate history. domain.md does not document the loan rates in force before 2025-05-08, so this
//    version carries the 2025-05-08 loan rates as a stand-in (rateEffectiveFrom says so). This is
//    harmless for the system as specified: existing loans reprice on the next January 1, so every loan
//    in the books from 2026-01-01 runs at the 2025-05-08 rates; no loan is quoted in the past.
//  - 2025-05-08: the PBoC loan rates of 2025-05-08 (domain.md §4). Deposit rules unchanged.
// A future change (e.g. a new average wage, new loan rates) is a new entry appended to `policies`.

export type WithdrawalReason =
  | 'PURCHASE'
  | 'BUILD_REPAIR'
  | 'RETIREMENT'
  | 'INCAPACITY'
  | 'EMIGRATION'
  | 'HPF_LOAN_REPAYMENT'
  | 'COMMERCIAL_LOAN_REPAYMENT'
  | 'RENT'
  | 'DEATH'
  | 'ELEVATOR_RETROFIT'
  | 'OFFSITE_PURCHASE';

export const WITHDRAWAL_REASONS = [
  'PURCHASE',
  'BUILD_REPAIR',
  'RETIREMENT',
  'INCAPACITY',
  'EMIGRATION',
  'HPF_LOAN_REPAYMENT',
  'COMMERCIAL_LOAN_REPAYMENT',
  'RENT',
  'DEATH',
  'ELEVATOR_RETROFIT',
  'OFFSITE_PURCHASE',
] as const satisfies readonly WithdrawalReason[];

export type ProductCapKey = 'TALENT' | 'GRASSROOTS_CIVIL_SERVANT' | 'STANDARD_DISTRICT' | 'STANDARD_COUNTY';

export interface WithdrawalReasonRule {
  /** JGJ/T 320 element 204008 code ('71', '72' are local codes). */
  code: string;
  /** Withdraws the full balance (interest settled to date) and closes the account. */
  closesAccount: boolean;
  /**
   * No limit on the number of withdrawals or their amount other than the balance (the seed center's
   * relaxed policy). For a reason that is also `purchaseType` (OFFSITE_PURCHASE) the spending cap per
   * property still applies: domain.md lists it among both.
   */
  unlimited: boolean;
  /** Capped by the documented spending less what was already withdrawn for the same property. */
  purchaseType: boolean;
}

export interface Policy {
  /** YYYY-MM-DD */
  effectiveFrom: string;
  contribution: {
    /** Employer and employee ratio each, whole percent, inclusive (Art. 18). */
    minRatePercent: number;
    maxRatePercent: number;
    /** Flexible employment: combined rate, whole percent, inclusive. */
    flexibleMinRatePercent: number;
    flexibleMaxRatePercent: number;
    /** The unit remits within this many days of its pay day (Art. 19). */
    remitWithinDaysOfPayDay: number;
  };
  base: {
    /** Local minimum wage (floor of the monthly base). */
    floorFen: number;
    /** averageWageFen × capMultiple. */
    capFen: number;
    /** Previous-year local average monthly wage. */
    averageWageFen: number;
    capMultiple: number;
  };
  interest: {
    /** Deposit interest, fraction p.a. */
    annualRate: string;
    /** Interest = Σ balance·days × annualRate / dayBasis. */
    dayBasis: number;
    /** Annual settlement date (month 1–12, day), covering July 1 – June 30. */
    settlementMonth: number;
    settlementDay: number;
    /** Date the deposit rate took effect. */
    effectiveFrom: string;
  };
  withdrawals: {
    reasons: Record<WithdrawalReason, WithdrawalReasonRule>;
    /** Staff decide a PENDING_REVIEW withdrawal within this many days (Art. 25). */
    reviewDecisionDays: number;
    /** The same property used twice within this many months is an audit finding. */
    propertyRepeatWindowMonths: number;
    /** A purchase withdrawal's purchase date must be within this many years. */
    purchaseWithinYears: number;
  };
  loans: {
    /** Annual rates, fractions. "upTo5Years" means termMonths ≤ 60. */
    rates: {
      firstHome: { upTo5Years: string; over5Years: string };
      secondHome: { upTo5Years: string; over5Years: string };
    };
    /** Date from which `rates` are the real rates in force (see the header comment). */
    rateEffectiveFrom: string;
    productCapFen: Record<ProductCapKey, number>;
    /** A co-borrowing spouse raises the product cap by this fraction (cap × (1 + 0.5)). */
    coBorrowerCapRaise: string;
    /** Limit = balanceMultiple × (combined) account balance. */
    balanceMultiple: number;
    /** Fractions of the house price. */
    loanToValue: { firstHome: string; secondHome: string };
    /** First monthly payment ≤ incomeShare × monthly income. */
    incomeShare: string;
    maxTermMonths: number;
    /** Months of consecutive deposits required (deferred months count). */
    minConsecutiveDepositMonths: number;
    /** Statutory retirement age by gender (see the comment on the values). */
    retirementAge: { M: number; F: number };
    /** Borrower's age at maturity ≤ retirementAge + this. */
    maturityAgeOverRetirement: number;
    /** Penalty interest per day = overdue amount × annual rate × penaltyMultiplier / penaltyDayBasis. */
    penaltyMultiplier: string;
    penaltyDayBasis: number;
    /** Loan decision within this many days (Art. 26). */
    approvalDays: number;
    /** Audit finding at this many consecutive / cumulative overdue installments. */
    overdueFindingConsecutive: number;
    overdueFindingCumulative: number;
  };
  supervision: {
    /** 个贷率 thresholds, fractions of the deposit balance. */
    personalLoanRatioWarning: string;
    personalLoanRatioAlert: string;
    /** Finding when deposits stop within this many months after a loan disbursement. */
    depositsStoppedAfterLoanMonths: number;
    /** Finding when a unit has no remittance (and no deferral) for this many months. */
    unitNoRemittanceMonths: number;
  };
  ledger: {
    /** Number of shards of the fund's control totals. */
    controlTotalShards: number;
  };
  /** Unit registration (domain.md §2). Added beyond the original shape so that no number is a literal. */
  unit: {
    /** Pay day of month, inclusive range. */
    payDayMin: number;
    payDayMax: number;
    /** A new unit registers within this many days of its founding (Art. 14). */
    registrationWithinDays: number;
  };
}

/** JGJ/T 320 account status codes (domain.md §2). CLOSED is 04 (transferred out) or 05 (withdrawn and closed). */
export const ACCOUNT_STATUS_CODES = {
  NORMAL: '01',
  SEALED: '02',
  CLOSED_TRANSFERRED: '04',
  CLOSED_WITHDRAWN: '05',
  FROZEN: '06',
} as const;

/** JGJ/T 320 repayment method codes (domain.md §4). */
export const REPAYMENT_METHOD_CODES = { EQUAL_INSTALLMENT: '01', EQUAL_PRINCIPAL: '02' } as const;

const withdrawalReasons: Record<WithdrawalReason, WithdrawalReasonRule> = {
  PURCHASE: { code: '01', closesAccount: false, unlimited: false, purchaseType: true },
  BUILD_REPAIR: { code: '02', closesAccount: false, unlimited: false, purchaseType: false },
  RETIREMENT: { code: '03', closesAccount: true, unlimited: false, purchaseType: false },
  INCAPACITY: { code: '04', closesAccount: true, unlimited: false, purchaseType: false },
  EMIGRATION: { code: '05', closesAccount: true, unlimited: false, purchaseType: false },
  HPF_LOAN_REPAYMENT: { code: '06', closesAccount: false, unlimited: true, purchaseType: false },
  COMMERCIAL_LOAN_REPAYMENT: { code: '06', closesAccount: false, unlimited: true, purchaseType: false },
  RENT: { code: '07', closesAccount: false, unlimited: true, purchaseType: false },
  DEATH: { code: '08', closesAccount: true, unlimited: false, purchaseType: false },
  ELEVATOR_RETROFIT: { code: '71', closesAccount: false, unlimited: true, purchaseType: false },
  OFFSITE_PURCHASE: { code: '72', closesAccount: false, unlimited: true, purchaseType: true },
};

const AVERAGE_WAGE_FEN = 800_000; // 8,000.00 yuan
const CAP_MULTIPLE = 3; // 建金管〔2005〕5号

/** PBoC 2025-05-08 provident fund loan rates. */
const LOAN_RATES_2025_05_08 = {
  firstHome: { upTo5Years: '0.021', over5Years: '0.026' },
  secondHome: { upTo5Years: '0.02525', over5Years: '0.03075' },
};

const base2016: Policy = {
  effectiveFrom: '2016-02-21',
  contribution: {
    minRatePercent: 5,
    maxRatePercent: 12,
    flexibleMinRatePercent: 10,
    flexibleMaxRatePercent: 24,
    remitWithinDaysOfPayDay: 5,
  },
  base: {
    floorFen: 200_000, // 2,000.00 yuan: local minimum wage
    capFen: AVERAGE_WAGE_FEN * CAP_MULTIPLE, // 24,000.00 yuan
    averageWageFen: AVERAGE_WAGE_FEN,
    capMultiple: CAP_MULTIPLE,
  },
  interest: {
    annualRate: '0.015', // 1.50% p.a., 银发〔2016〕43号
    dayBasis: 360,
    settlementMonth: 6,
    settlementDay: 30,
    effectiveFrom: '2016-02-21',
  },
  withdrawals: {
    reasons: withdrawalReasons,
    reviewDecisionDays: 3,
    propertyRepeatWindowMonths: 12,
    purchaseWithinYears: 1,
  },
  loans: {
    // Stand-in: domain.md gives no loan rates before 2025-05-08 (see the header comment).
    rates: LOAN_RATES_2025_05_08,
    rateEffectiveFrom: '2025-05-08',
    productCapFen: {
      TALENT: 100_000_000, // 1,000,000.00 yuan
      GRASSROOTS_CIVIL_SERVANT: 80_000_000, // 800,000.00 yuan
      STANDARD_DISTRICT: 60_000_000, // 600,000.00 yuan
      STANDARD_COUNTY: 50_000_000, // 500,000.00 yuan
    },
    coBorrowerCapRaise: '0.5',
    balanceMultiple: 20,
    loanToValue: { firstHome: '0.8', secondHome: '0.7' },
    incomeShare: '0.5',
    maxTermMonths: 360,
    minConsecutiveDepositMonths: 6,
    // Kept simple and documented: the pre-2025 statutory ages (men 60, women 55 — the cadre age; many
    // centers use it for female borrowers). The 2025 reform (全国人大常委会 2024-09-13, from 2025-01-01)
    // raises them gradually over 15 years (men to 63, women to 55/58); a future version may model that.
    retirementAge: { M: 60, F: 55 },
    maturityAgeOverRetirement: 5,
    penaltyMultiplier: '1.5',
    penaltyDayBasis: 360,
    approvalDays: 15,
    overdueFindingConsecutive: 3,
    overdueFindingCumulative: 6,
  },
  supervision: {
    personalLoanRatioWarning: '0.85',
    personalLoanRatioAlert: '0.95',
    depositsStoppedAfterLoanMonths: 6,
    unitNoRemittanceMonths: 3,
  },
  ledger: { controlTotalShards: 16 },
  unit: { payDayMin: 1, payDayMax: 28, registrationWithinDays: 30 },
};

const loanRates2025: Policy = {
  ...base2016,
  effectiveFrom: '2025-05-08',
  loans: { ...base2016.loans, rates: LOAN_RATES_2025_05_08, rateEffectiveFrom: '2025-05-08' },
};

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** All policy versions, sorted by effectiveFrom ascending. Frozen. */
export const policies: readonly Policy[] = deepFreeze(
  [base2016, loanRates2025].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1)),
);

/** The newest version (for things like static schema bounds that are not tied to a date). */
export const latestPolicy: Policy = policies[policies.length - 1];

/** The policy version in force on `date` (YYYY-MM-DD). Throws on a malformed date or one before the first version. */
export function policyOn(date: string): Policy {
  if (typeof date !== 'string' || !/^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/.test(date)) {
    throw new Error(`policyOn needs a YYYY-MM-DD date, got: ${String(date)}`);
  }
  let found: Policy | undefined;
  for (const p of policies) {
    if (p.effectiveFrom <= date) found = p;
    else break;
  }
  if (!found) throw new Error(`no policy in force on ${date} (first version: ${policies[0].effectiveFrom})`);
  return found;
}

/** "Term ≤ 5 years" in the rate table, in months. */
export const SHORT_TERM_MAX_MONTHS = 5 * 12;

/** The annual loan rate (fraction string) for a first/second home and a term; ≤ 60 months is "≤ 5 years". */
export function loanAnnualRate(policy: Policy, opts: { firstHome: boolean; termMonths: number }): string {
  if (!Number.isSafeInteger(opts.termMonths) || opts.termMonths < 1) {
    throw new Error(`termMonths must be a positive integer, got: ${opts.termMonths}`);
  }
  const table = opts.firstHome ? policy.loans.rates.firstHome : policy.loans.rates.secondHome;
  return opts.termMonths <= SHORT_TERM_MAX_MONTHS ? table.upTo5Years : table.over5Years;
}

/** The product-cap key for a borrower category and location (TALENT and civil servants ignore location). */
export function productCapKey(
  category: 'STANDARD' | 'TALENT' | 'GRASSROOTS_CIVIL_SERVANT',
  location: 'DISTRICT' | 'COUNTY',
): ProductCapKey {
  if (category === 'TALENT') return 'TALENT';
  if (category === 'GRASSROOTS_CIVIL_SERVANT') return 'GRASSROOTS_CIVIL_SERVANT';
  return location === 'DISTRICT' ? 'STANDARD_DISTRICT' : 'STANDARD_COUNTY';
}
