// Prepayment (提前还款, domain.md §4): partial prepayment recalculates the rest of the schedule from
// the outstanding principal; full prepayment pays it off. Pure functions, integer fen.
//
// REDUCE_PAYMENT keeps the number of remaining installments and recomputes the payment: the result is
//   exactly scheduleFor(method, { principal: remaining, term: remainingInstallments }).
// REDUCE_TERM keeps the payment and shortens the term:
//   - 等额本息: every installment but the last pays the old M (interest = round(balance × r),
//     principal = M − interest); the term is the smallest n for which the last installment
//     (remaining balance + its interest) is ≤ M; that last installment absorbs the residue.
//   - 等额本金: every installment but the last repays the old monthly principal part; n = ceil(P / part)
//     (the smallest n whose last principal ≤ part); the last repays the remainder.
//   The term never exceeds remainingInstallments: if the kept payment would need more (only possible
//   when nothing or almost nothing was prepaid, since the old schedule's last installment may exceed
//   M by rounding fen), installment number remainingInstallments takes the whole remaining balance,
//   just as the old schedule's last installment did.
//   So "last ≤ kept" holds only when the term actually shrank; when the cap binds, the last installment
//   may exceed the kept payment/part but never the old schedule's last one. E.g. 等额本金 100000 fen over
//   313 months: part 319, old last 472; 304 paid, 151 prepaid → 2873 fen need ceil(2873/319) = 10 > 9
//   installments, so the 9th repays 321. (等额本金: the cap binds iff the prepayment is smaller than the
//   old last principal's excess over the part, ≤ n/2 fen; for real loans, P ≥ n(n−1)/2 fen, that is less
//   than one part.)
import {
  assertFen,
  buildSchedule,
  dueDates,
  exactMonthlyRate,
  monthlyInterestFen,
  scheduleFor,
  type Installment,
  type RepaymentMethod,
} from './amortization.ts';

export type RecalculationMode = 'REDUCE_TERM' | 'REDUCE_PAYMENT';

export interface PrepaymentRecalcInput {
  /** Outstanding principal AFTER the prepayment has been applied, fen. */
  remainingPrincipalFen: number;
  annualRate: string;
  method: RepaymentMethod;
  mode: RecalculationMode;
  /** Installments left on the schedule before the prepayment. */
  remainingInstallments: number;
  /** EQUAL_INSTALLMENT: the current monthly payment M; EQUAL_PRINCIPAL: the current monthly principal part. */
  currentPaymentFen: number;
  /** Due date of the first installment of the new schedule, 'YYYY-MM-DD'. */
  firstDueDate: string;
  /** Loan's due day (1–31); defaults to the day of firstDueDate. */
  dueDay?: number;
}

/**
 * The new schedule for the installments after a partial prepayment. Installment numbers restart at 1
 * (the caller offsets them by the installments already settled). A zero remaining principal gives [].
 */
export function recalculateAfterPrepayment(input: PrepaymentRecalcInput): Installment[] {
  const { remainingPrincipalFen, annualRate, method, mode, remainingInstallments, currentPaymentFen, firstDueDate, dueDay } = input;
  assertFen(remainingPrincipalFen, 'remainingPrincipalFen');
  assertFen(currentPaymentFen, 'currentPaymentFen');
  if (!Number.isSafeInteger(remainingInstallments) || remainingInstallments < 1) {
    throw new RangeError(`remainingInstallments must be an integer ≥ 1: ${remainingInstallments}`);
  }
  if (remainingPrincipalFen === 0) return [];

  if (mode === 'REDUCE_PAYMENT') {
    return scheduleFor(method, { principalFen: remainingPrincipalFen, annualRate, termMonths: remainingInstallments, firstDueDate, dueDay });
  }
  if (mode !== 'REDUCE_TERM') throw new RangeError(`unknown recalculation mode: ${String(mode)}`);

  const rate = exactMonthlyRate(annualRate);
  const kept = currentPaymentFen;
  const n = reducedTerm(remainingPrincipalFen, annualRate, method, kept, remainingInstallments);
  const dates = dueDates(firstDueDate, n, dueDay);
  if (method === 'EQUAL_INSTALLMENT') return buildSchedule(remainingPrincipalFen, rate, dates, (interest) => kept - interest);
  if (method === 'EQUAL_PRINCIPAL') return buildSchedule(remainingPrincipalFen, rate, dates, () => kept);
  throw new RangeError(`unknown repayment method: ${String(method)}`);
}

/**
 * REDUCE_TERM's new number of installments (see the header), capped at maxInstallments.
 * Throws when the kept payment cannot shrink the balance (M ≤ interest, or a zero principal part).
 */
export function reducedTerm(
  principalFen: number,
  annualRate: string,
  method: RepaymentMethod,
  keptPaymentFen: number,
  maxInstallments: number,
): number {
  assertFen(principalFen, 'principalFen');
  if (principalFen === 0) return 0;
  if (method === 'EQUAL_PRINCIPAL') {
    if (keptPaymentFen <= 0) throw new RangeError('the kept monthly principal part must be positive');
    return Math.min(Math.ceil(principalFen / keptPaymentFen), maxInstallments);
  }
  if (method !== 'EQUAL_INSTALLMENT') throw new RangeError(`unknown repayment method: ${String(method)}`);
  const rate = exactMonthlyRate(annualRate);
  let balance = principalFen;
  for (let n = 1; n <= maxInstallments; n++) {
    const interest = monthlyInterestFen(balance, rate);
    if (balance + interest <= keptPaymentFen || n === maxInstallments) return n;
    const principal = keptPaymentFen - interest;
    if (principal <= 0) throw new RangeError('the kept payment does not cover the interest: cannot reduce the term');
    balance -= principal;
  }
  return maxInstallments;
}
