// Loan quote (domain.md §4 "Amount"): the lowest of four limits, all reported, the binding one named.
// Pure: every policy number comes in as a parameter (rates/ratios as decimal strings, amounts in fen).
import { D, roundFen } from '../../../shared/money.ts';
import { annuityFactor, assertFen, firstPaymentFen, monthlyRate, parseRate, type RepaymentMethod } from './amortization.ts';

export type BorrowerCategory = 'STANDARD' | 'TALENT' | 'GRASSROOTS_CIVIL_SERVANT';
export type LoanLocation = 'DISTRICT' | 'COUNTY';

/** Product caps in fen, as the policy module holds them. */
export interface ProductCaps {
  TALENT: number;
  /** Established civil servants working outside the urban planning area (domain.md §4). */
  GRASSROOTS_CIVIL_SERVANT: number;
  STANDARD_DISTRICT: number;
  STANDARD_COUNTY: number;
}

/** The product cap (before any co-borrower raise) for a borrower category and location. */
export function productCapFen(category: BorrowerCategory, location: LoanLocation, caps: ProductCaps): number {
  switch (category) {
    case 'TALENT':
      return caps.TALENT;
    case 'GRASSROOTS_CIVIL_SERVANT':
      return caps.GRASSROOTS_CIVIL_SERVANT;
    case 'STANDARD':
      if (location === 'DISTRICT') return caps.STANDARD_DISTRICT;
      if (location === 'COUNTY') return caps.STANDARD_COUNTY;
      throw new RangeError(`unknown location: ${String(location)}`);
    default:
      throw new RangeError(`unknown borrower category: ${String(category)}`);
  }
}

export interface QuoteInput {
  /** Product cap already chosen by category and location (see productCapFen), fen. */
  productCapFen: number;
  /** A co-borrowing spouse raises the product cap by capRaise. */
  coBorrower: boolean;
  /** Cap raise for a co-borrower, decimal string, e.g. '0.5'. */
  capRaise: string;
  /** Borrower's (plus co-borrower's) account balance, fen. */
  combinedBalanceFen: number;
  /** Balance multiple, e.g. 20 (a decimal string is accepted too). */
  balanceMultiple: number | string;
  housePriceFen: number;
  /** Loan-to-value ratio, decimal string: '0.8' first home, '0.7' second home. */
  ltv: string;
  termMonths: number;
  /** Annual rate, decimal string, e.g. '0.026'. */
  annualRate: string;
  monthlyIncomeFen: number;
  /** Share of monthly income the first payment may take, decimal string, e.g. '0.5'. */
  incomeShare: string;
  method: RepaymentMethod;
}

export type LimitKey = 'productCap' | 'balanceMultiple' | 'loanToValue' | 'repaymentCapacity';

export interface LoanQuote {
  maxAmountFen: number;
  annualRate: string;
  limits: Record<LimitKey, number>;
  /** The lowest limit; ties go to the first in the order productCap, balanceMultiple, loanToValue, repaymentCapacity. */
  binding: LimitKey;
}

export const LIMIT_ORDER: readonly LimitKey[] = ['productCap', 'balanceMultiple', 'loanToValue', 'repaymentCapacity'];

/**
 * The payment limit: incomeShare × monthly income, as an exact decimal. A payment (integer fen) fits
 * when payment ≤ limit, i.e. payment ≤ floor(limit).
 */
export function paymentLimitFen(monthlyIncomeFen: number, incomeShare: string): number {
  assertFen(monthlyIncomeFen, 'monthlyIncomeFen');
  return new D(monthlyIncomeFen).times(parseRate(incomeShare, 'incomeShare')).floor().toNumber();
}

/**
 * Repayment capacity: the largest principal P (fen) whose first monthly payment, computed exactly as
 * the schedule generator does, is ≤ incomeShare × income. Exact to the fen:
 * firstPayment(P) ≤ limit < firstPayment(P + 1).
 *
 * The first payment is non-decreasing in P, so an analytic estimate (P ≈ limit / (first-payment factor))
 * is corrected by an exponential bracket and a binary search over integers.
 */
export function repaymentCapacityFen(args: {
  monthlyIncomeFen: number;
  incomeShare: string;
  annualRate: string;
  termMonths: number;
  method: RepaymentMethod;
}): number {
  const { monthlyIncomeFen, incomeShare, annualRate, termMonths, method } = args;
  const limit = paymentLimitFen(monthlyIncomeFen, incomeShare);
  const pay = (p: number): number => firstPaymentFen(method, p, annualRate, termMonths);
  const fits = (p: number): boolean => pay(p) <= limit;

  // Analytic estimate: first payment ≈ P × factor.
  const r = monthlyRate(annualRate);
  const factor =
    termMonths === 1 ? r.plus(1) : method === 'EQUAL_INSTALLMENT' ? annuityFactor(r, termMonths) : new D(1).div(termMonths).plus(r);
  const estimate = Math.max(0, new D(limit).div(factor).floor().toNumber());

  // Bracket [lo, hi) with fits(lo) and !fits(hi), then bisect.
  let lo: number;
  let hi: number;
  if (fits(estimate)) {
    lo = estimate;
    let step = 1;
    hi = lo + step;
    while (fits(hi)) {
      lo = hi;
      step *= 2;
      hi = lo + step;
    }
  } else {
    hi = estimate;
    let step = 1;
    lo = Math.max(0, hi - step);
    while (lo > 0 && !fits(lo)) {
      hi = lo;
      step *= 2;
      lo = Math.max(0, hi - step);
    }
    // pay(0) = 0 ≤ limit, so lo = 0 always fits.
  }
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Quote the maximum loan: the four limits in fen, the minimum, and which one binds. */
export function quoteLoan(input: QuoteInput): LoanQuote {
  assertFen(input.productCapFen, 'productCapFen');
  assertFen(input.combinedBalanceFen, 'combinedBalanceFen');
  assertFen(input.housePriceFen, 'housePriceFen');
  parseRate(input.annualRate);

  const productCap = input.coBorrower
    ? input.productCapFen + roundFen(new D(input.productCapFen).times(parseRate(input.capRaise, 'capRaise')))
    : input.productCapFen;
  const balanceMultiple = roundFen(new D(input.combinedBalanceFen).times(parseRate(String(input.balanceMultiple), 'balanceMultiple')));
  const loanToValue = roundFen(new D(input.housePriceFen).times(parseRate(input.ltv, 'ltv')));
  const repaymentCapacity = repaymentCapacityFen(input);

  const limits: Record<LimitKey, number> = { productCap, balanceMultiple, loanToValue, repaymentCapacity };
  let binding: LimitKey = LIMIT_ORDER[0];
  for (const key of LIMIT_ORDER) if (limits[key] < limits[binding]) binding = key;
  return { maxAmountFen: limits[binding], annualRate: input.annualRate, limits, binding };
}
