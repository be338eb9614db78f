// Amortization: the repayment schedules of a loan (domain.md §4 "Schedules"). Pure functions: no I/O.
//
// Conventions (Fineract-style, money in integer fen, half-up at the named points only):
// - monthly rate r = annual / 12, never rounded: monthly interest round(balance × r) is computed as the
//   exact rational balance·A / (12·10^k) for annualRate = A / 10^k, rounded half-up in integer
//   arithmetic. (Pre-dividing r to 40 digits would mis-round exact ties: 240 fen × 0.025/12 is exactly
//   0.5 fen → 1, but 240 × 0.0020833…3 = 0.4999… → 0.) M is likewise the exact rational
//   P·A·(D+A)^n / (D·((D+A)^n − D^n)) with D = 12·10^k, in BigInt, rounded half-up once;
// - 等额本息 EQUAL_INSTALLMENT (JGJ/T 320 code 01): M = round(P·r·(1+r)^n / ((1+r)^n − 1));
//   each month interest = round(balance × r), principal = M − interest; the LAST installment's
//   principal is the whole remaining balance (payment = remaining + interest). r = 0 → M = round(P/n).
// - 等额本金 EQUAL_PRINCIPAL (code 02): principal = round(P / n), the last takes the remainder;
//   interest = round(balance × r).
// - Degenerate inputs (a tiny principal spread over many months, e.g. 540 fen over 360 months, where
//   (n−1)·round(P/n) > P) never drive the balance negative: a non-last principal is capped at the
//   remaining balance, so later rows carry 0 principal. Real loans (P ≥ n(n−1)/2 fen) never hit the cap.
// - Due dates: monthly from firstDueDate on the due day (default: firstDueDate's day), clamped to the
//   month's end (due day 31 → Feb 28/29, Apr 30, then back to the 31st).
import { D, roundFen, type Dec } from '../../../shared/money.ts';

export type RepaymentMethod = 'EQUAL_INSTALLMENT' | 'EQUAL_PRINCIPAL';

export interface Installment {
  /** 1-based installment number within this schedule. */
  no: number;
  /** 'YYYY-MM-DD' */
  dueDate: string;
  paymentFen: number;
  principalFen: number;
  interestFen: number;
  /** Outstanding principal after this installment is paid. */
  remainingPrincipalFen: number;
}

export interface ScheduleInput {
  /** Loan principal, integer fen, ≥ 0. */
  principalFen: number;
  /** Annual rate as a decimal string, e.g. '0.026' for 2.60%. */
  annualRate: string;
  /** Number of monthly installments, integer ≥ 1. */
  termMonths: number;
  /** Due date of installment 1, 'YYYY-MM-DD'. */
  firstDueDate: string;
  /**
   * Day of month the installments fall due (1–31), clamped to each month's end. Defaults to the day of
   * firstDueDate. When given, firstDueDate must already be that (clamped) day of its month.
   */
  dueDay?: number;
}

// ---------------------------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------------------------

const RATE_PATTERN = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** Parse a non-negative decimal rate string ('0.026') into a Decimal. Throws RangeError otherwise. */
export function parseRate(annualRate: string, what = 'annualRate'): Dec {
  if (typeof annualRate !== 'string' || !RATE_PATTERN.test(annualRate)) {
    throw new RangeError(`${what} must be a non-negative decimal string like '0.026': ${String(annualRate)}`);
  }
  return new D(annualRate);
}

export function assertFen(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer (fen): ${value}`);
  }
}

function assertTerm(termMonths: number, what = 'termMonths'): void {
  if (!Number.isSafeInteger(termMonths) || termMonths < 1) {
    throw new RangeError(`${what} must be an integer ≥ 1: ${termMonths}`);
  }
}

/**
 * Monthly rate r = annual / 12 as a Decimal (40 significant digits). For estimates only (the quote's
 * analytic start point); amounts are computed from exactMonthlyRate.
 */
export function monthlyRate(annualRate: string): Dec {
  return parseRate(annualRate).div(12);
}

/**
 * The monthly rate as an exact reduced fraction num/den (annualRate = A / 10^k → A / (12·10^k)),
 * for exact monthly interest and payment.
 */
export interface ExactMonthlyRate {
  num: bigint;
  den: bigint;
  /** num and den as numbers when both are safe integers (fast path), else null. */
  numN: number | null;
  denN: number | null;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function exactMonthlyRate(annualRate: string): ExactMonthlyRate {
  if (typeof annualRate !== 'string' || !RATE_PATTERN.test(annualRate)) parseRate(annualRate); // throws
  const [whole, frac = ''] = annualRate.split('.');
  let num = BigInt(whole + frac);
  let den = 12n * 10n ** BigInt(frac.length);
  const g = num === 0n ? den : gcd(num, den);
  num /= g;
  den /= g;
  const safe = (x: bigint): number | null => (x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : null);
  return { num, den, numN: safe(num), denN: safe(den) };
}

/** Monthly interest on a balance: round(balance × annual / 12), exact rational, half-up to the fen. */
export function monthlyInterestFen(balanceFen: number, rate: ExactMonthlyRate): number {
  if (balanceFen === 0 || rate.num === 0n) return 0;
  const { numN, denN } = rate;
  if (numN !== null && denN !== null) {
    // half-up: floor((2·b·num + den) / (2·den)), exact while the numerator is a safe integer
    const x = 2 * balanceFen * numN + denN;
    if (Number.isSafeInteger(x) && Number.isSafeInteger(2 * denN)) {
      const y = 2 * denN;
      return (x - (x % y)) / y;
    }
  }
  const x = 2n * BigInt(balanceFen) * rate.num + rate.den;
  return Number(x / (2n * rate.den));
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month1: number): number {
  if (month1 === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month1 - 1];
}

function parseDate(date: string): { y: number; m: number; d: number } {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new RangeError(`date must be 'YYYY-MM-DD': ${date}`);
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) throw new RangeError(`not a calendar date: ${date}`);
  return { y, m, d };
}

const TWO_DIGITS = Array.from({ length: 32 }, (_, i) => String(i).padStart(2, '0'));

function fmtDate(y: number, m: number, d: number): string {
  return `${y < 1000 ? String(y).padStart(4, '0') : y}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}`;
}

/**
 * The date `monthsAhead` months after the month of `fromDate`, on `dueDay` clamped to that month's end.
 * monthlyDueDate('2025-01-31', 1, 31) → '2025-02-28'; monthlyDueDate('2025-01-31', 2, 31) → '2025-03-31'.
 */
export function monthlyDueDate(fromDate: string, monthsAhead: number, dueDay?: number): string {
  const { y, m, d } = parseDate(fromDate);
  const day = dueDay ?? d;
  if (!Number.isInteger(day) || day < 1 || day > 31) throw new RangeError(`dueDay must be 1–31: ${day}`);
  if (!Number.isInteger(monthsAhead)) throw new RangeError(`monthsAhead must be an integer: ${monthsAhead}`);
  const index = y * 12 + (m - 1) + monthsAhead;
  const year = Math.floor(index / 12);
  const month1 = index - year * 12 + 1;
  return fmtDate(year, month1, Math.min(day, daysInMonth(year, month1)));
}

/** All due dates of a schedule; validates firstDueDate against dueDay. */
export function dueDates(firstDueDate: string, count: number, dueDay?: number): string[] {
  const first = parseDate(firstDueDate);
  const day = dueDay ?? first.d;
  if (!Number.isInteger(day) || day < 1 || day > 31) throw new RangeError(`dueDay must be 1–31: ${day}`);
  const clamped = Math.min(day, daysInMonth(first.y, first.m));
  if (clamped !== first.d) {
    throw new RangeError(`firstDueDate ${firstDueDate} does not fall on due day ${day} of its month`);
  }
  const out = new Array<string>(count);
  let year = first.y;
  let month1 = first.m;
  for (let i = 0; i < count; i++) {
    out[i] = fmtDate(year, month1, Math.min(day, daysInMonth(year, month1)));
    month1 += 1;
    if (month1 > 12) {
      month1 = 1;
      year += 1;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Payment formulas (shared by the generators, the quote and the prepayment recalculation)
// ---------------------------------------------------------------------------------------------

/** Annuity factor a = r(1+r)^n / ((1+r)^n − 1); 1/n when r = 0. Decimal (40 digits): for estimates only. */
export function annuityFactor(r: Dec, n: number): Dec {
  assertTerm(n);
  if (r.isZero()) return new D(1).div(n);
  const g = r.plus(1).pow(n);
  return r.times(g).div(g.minus(1));
}

/**
 * 等额本息 monthly payment M = round(P·r·(1+r)^n / ((1+r)^n − 1)), r = 0 → round(P/n), computed as
 * the exact rational P·a·(d+a)^n / (d·((d+a)^n − d^n)) for r = a/d, rounded half-up once.
 */
export function equalInstallmentPaymentFen(principalFen: number, rate: ExactMonthlyRate, n: number): number {
  assertFen(principalFen, 'principalFen');
  assertTerm(n);
  const p = BigInt(principalFen);
  let num: bigint;
  let den: bigint;
  if (rate.num === 0n) {
    num = p;
    den = BigInt(n);
  } else {
    const bn = BigInt(n);
    const g = (rate.den + rate.num) ** bn;
    num = p * rate.num * g;
    den = rate.den * (g - rate.den ** bn);
  }
  return Number((2n * num + den) / (2n * den));
}

/** 等额本金 monthly principal part = round(P / n). */
export function equalPrincipalPartFen(principalFen: number, n: number): number {
  assertFen(principalFen, 'principalFen');
  assertTerm(n);
  return roundFen(new D(principalFen).div(n));
}

/**
 * The first installment's payment exactly as the generators compute it (used by the quote's
 * repayment-capacity search). Equals scheduleFor(method, …)[0].paymentFen for every input.
 */
export function firstPaymentFen(method: RepaymentMethod, principalFen: number, annualRate: string, termMonths: number): number {
  const rate = exactMonthlyRate(annualRate);
  assertFen(principalFen, 'principalFen');
  assertTerm(termMonths);
  const interest = monthlyInterestFen(principalFen, rate);
  if (termMonths === 1) return principalFen + interest; // the last installment takes everything
  if (method === 'EQUAL_INSTALLMENT') {
    const m = equalInstallmentPaymentFen(principalFen, rate, termMonths);
    return Math.min(m, principalFen + interest);
  }
  return Math.min(equalPrincipalPartFen(principalFen, termMonths), principalFen) + interest;
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/**
 * Core loop shared by all generators: `count` installments; every non-last installment repays
 * `principalOf(interest)` (capped at the balance), the last one repays the whole remaining balance.
 */
export function buildSchedule(
  principalFen: number,
  rate: ExactMonthlyRate,
  dates: string[],
  principalOf: (interestFen: number) => number,
): Installment[] {
  const count = dates.length;
  const rows = new Array<Installment>(count);
  let balance = principalFen;
  for (let i = 0; i < count; i++) {
    const interest = monthlyInterestFen(balance, rate);
    let principal: number;
    if (i === count - 1) {
      principal = balance;
    } else {
      principal = principalOf(interest);
      if (principal > balance) principal = balance;
      if (principal < 0) throw new RangeError('installment does not cover the interest due');
    }
    balance -= principal;
    rows[i] = {
      no: i + 1,
      dueDate: dates[i],
      paymentFen: principal + interest,
      principalFen: principal,
      interestFen: interest,
      remainingPrincipalFen: balance,
    };
  }
  return rows;
}

/** 等额本息 schedule. */
export function equalInstallmentSchedule(input: ScheduleInput): Installment[] {
  const { principalFen, annualRate, termMonths, firstDueDate, dueDay } = input;
  assertFen(principalFen, 'principalFen');
  assertTerm(termMonths);
  const rate = exactMonthlyRate(annualRate);
  const m = equalInstallmentPaymentFen(principalFen, rate, termMonths);
  return buildSchedule(principalFen, rate, dueDates(firstDueDate, termMonths, dueDay), (interest) => m - interest);
}

/** 等额本金 schedule. */
export function equalPrincipalSchedule(input: ScheduleInput): Installment[] {
  const { principalFen, annualRate, termMonths, firstDueDate, dueDay } = input;
  assertFen(principalFen, 'principalFen');
  assertTerm(termMonths);
  const rate = exactMonthlyRate(annualRate);
  const part = equalPrincipalPartFen(principalFen, termMonths);
  return buildSchedule(principalFen, rate, dueDates(firstDueDate, termMonths, dueDay), () => part);
}

/** Dispatch on the repayment method. */
export function scheduleFor(method: RepaymentMethod, input: ScheduleInput): Installment[] {
  switch (method) {
    case 'EQUAL_INSTALLMENT':
      return equalInstallmentSchedule(input);
    case 'EQUAL_PRINCIPAL':
      return equalPrincipalSchedule(input);
    default:
      throw new RangeError(`unknown repayment method: ${String(method)}`);
  }
}

/** Sum of interest over a schedule, fen. */
export function totalInterestFen(rows: readonly Installment[]): number {
  let sum = 0;
  for (const row of rows) sum += row.interestFen;
  return sum;
}
