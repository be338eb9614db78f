// The installments of an active loan and what happens to them (domain.md §4), pure: repayment
// allocation, overdue marking with penalty interest, monthly offset (月对冲), hardship deferral,
// prepayment, and the loan's overdue picture derived from them. Integer fen throughout.
//
// Allocation of any payment into an installment: penalty interest first, then interest, then
// principal (`paidFen` counts interest + principal; its principal part is what exceeds the interest).
import { DomainError } from '../../../shared/errors.ts';
import { addDays, daysBetween, periodOf } from '../../../shared/clock.ts';
import { derivedId } from '../../../shared/ids.ts';
import { penaltyInterestFen, riskClass, overdueAuditTriggered } from './penalty.ts';
import { recalculateAfterPrepayment, type RecalculationMode } from './prepayment.ts';
import { scheduleFor, type Installment } from './schedule.ts';
import type { Loan } from './loan.ts';

export type InstallmentStatus = 'DUE' | 'PAID' | 'OVERDUE' | 'DEFERRED';

export interface ScheduleRow extends Installment {
  status: InstallmentStatus;
  /** Paid towards paymentFen (interest first, then principal). */
  paidFen: number;
  /** Penalty interest accrued while overdue, and paid of it. */
  penaltyFen: number;
  penaltyPaidFen: number;
  /** Date the penalty has been accrued to. */
  penaltyAccruedTo?: string;
  /** Was overdue at some point (counts for the audit thresholds); a deferral clears it. */
  everOverdue: boolean;
  /** false for deferred (缓期) installments: nothing is reported to the credit bureau (征信). */
  creditReportable: boolean;
  /** The monthly offset has run for this installment (it runs at most once per installment). */
  offsetDone: boolean;
  paidOn?: string;
}

export interface PenaltyRates {
  annualRate: string;
  multiplier: string;
  dayBasis: number;
}

export interface Allocation {
  principalFen: number;
  interestFen: number;
  penaltyFen: number;
}

export const noAllocation = (): Allocation => ({ principalFen: 0, interestFen: 0, penaltyFen: 0 });
export const allocatedFen = (a: Allocation) => a.principalFen + a.interestFen + a.penaltyFen;
const addAllocation = (a: Allocation, b: Allocation): Allocation => ({ principalFen: a.principalFen + b.principalFen, interestFen: a.interestFen + b.interestFen, penaltyFen: a.penaltyFen + b.penaltyFen });

/** Schedule rows from generated installments, numbered from `firstNo`. */
export function newRows(installments: readonly Installment[], firstNo = 1): ScheduleRow[] {
  return installments.map((i, k) => ({ ...i, no: firstNo + k, status: 'DUE', paidFen: 0, penaltyFen: 0, penaltyPaidFen: 0, everOverdue: false, creditReportable: true, offsetDone: false }));
}

/** Still owed on the installment: its payment and penalty, less what was paid. */
export const owedFen = (r: ScheduleRow) => r.paymentFen - r.paidFen + r.penaltyFen - r.penaltyPaidFen;
export const principalPaidFen = (r: ScheduleRow) => Math.max(0, r.paidFen - r.interestFen);
const unpaid = (r: ScheduleRow) => r.status !== 'PAID';

/** Brings an overdue installment's penalty interest up to `date` (no-op otherwise). */
export function accruePenalty(row: ScheduleRow, date: string, rates: PenaltyRates): ScheduleRow {
  if (row.status !== 'OVERDUE') return row;
  const days = daysBetween(row.penaltyAccruedTo ?? row.dueDate, date);
  if (days <= 0) return row;
  const addFen = penaltyInterestFen({ overdueAmountFen: row.paymentFen - row.paidFen, annualRate: rates.annualRate, multiplier: rates.multiplier, dayBasis: rates.dayBasis, days });
  return { ...row, penaltyFen: row.penaltyFen + addFen, penaltyAccruedTo: date };
}

/** Pays up to `amountFen` into one installment (penalty, interest, principal). */
export function payRow(row: ScheduleRow, amountFen: number, paidOn: string): { row: ScheduleRow; paid: Allocation; restFen: number } {
  let rest = amountFen;
  const take = (owed: number) => {
    const t = Math.min(rest, Math.max(0, owed));
    rest -= t;
    return t;
  };
  const penaltyFen = take(row.penaltyFen - row.penaltyPaidFen);
  const interestFen = take(row.interestFen - row.paidFen);
  const principalFen = take(row.paymentFen - Math.max(row.paidFen, row.interestFen));
  const next: ScheduleRow = { ...row, paidFen: row.paidFen + interestFen + principalFen, penaltyPaidFen: row.penaltyPaidFen + penaltyFen };
  if (owedFen(next) === 0) Object.assign(next, { status: 'PAID', paidOn });
  return { row: next, paid: { principalFen, interestFen, penaltyFen }, restFen: rest };
}

/** Installments payable on `date`: unpaid and due on or before it, oldest first. */
export const payableOn = (rows: readonly ScheduleRow[], date: string) => rows.filter((r) => unpaid(r) && r.dueDate <= date);

/**
 * A bank repayment: pays the oldest payable installments (penalty accrued to `paidOn` first).
 * More than is payable is refused: paying ahead is a prepayment.
 */
export function repay(rows: readonly ScheduleRow[], amountFen: number, paidOn: string, rates: PenaltyRates) {
  const payable = new Set(payableOn(rows, paidOn).map((r) => r.no));
  let rest = amountFen;
  let paid = noAllocation();
  const paidNos: number[] = [];
  const next = rows.map((r) => {
    if (!payable.has(r.no) || rest === 0) return r;
    const out = payRow(accruePenalty(r, paidOn, rates), rest, paidOn);
    rest = out.restFen;
    paid = addAllocation(paid, out.paid);
    paidNos.push(r.no);
    return out.row;
  });
  if (rest > 0) {
    throw new DomainError('POLICY_VIOLATION', `The amount exceeds what is due on ${paidOn} by ${rest} fen; pay ahead with a prepayment / 还款金额超过应还金额，请办理提前还款`, [{ path: 'body.amount', message: `exceeds the amount due by ${rest} fen` }]);
  }
  return { rows: next, paid, paidNos };
}

/** Installments due before `date` and unpaid become OVERDUE (deferred ones never); penalties accrue to `date`. */
export function markOverdue(rows: readonly ScheduleRow[], date: string, rates: PenaltyRates): ScheduleRow[] {
  return rows.map((r) => {
    const row: ScheduleRow = r.status === 'DUE' && r.dueDate < date ? { ...r, status: 'OVERDUE', everOverdue: true, penaltyAccruedTo: r.dueDate } : r;
    return accruePenalty(row, date, rates);
  });
}

export interface OffsetDebit {
  no: number;
  /** Index into the accounts given (borrower 0, co-borrower 1). */
  account: number;
  amountFen: number;
}

/**
 * The monthly offset on `date`: each installment due on or before it that the offset has not run for
 * yet (a missed run catches up) is paid from the accounts' available balances in order (borrower, then
 * co-borrower), partially when short, never below zero. DEFERRED installments are left alone.
 */
export function offset(rows: readonly ScheduleRow[], date: string, availableFen: readonly number[]) {
  const available = [...availableFen];
  const debits: OffsetDebit[] = [];
  let paid = noAllocation();
  const next = rows.map((r) => {
    if (r.offsetDone || r.dueDate > date || (r.status !== 'DUE' && r.status !== 'OVERDUE')) return r;
    let takenFen = 0;
    available.forEach((bal, account) => {
      const amountFen = Math.min(bal, owedFen(r) - takenFen);
      if (amountFen <= 0) return;
      available[account] -= amountFen;
      takenFen += amountFen;
      debits.push({ no: r.no, account, amountFen });
    });
    const out = payRow(r, takenFen, date);
    paid = addAllocation(paid, out.paid);
    return { ...out.row, offsetDone: true };
  });
  return { rows: next, debits, paid };
}

/** Hardship deferral (缓期还贷): unpaid installments due in [fromPeriod, toPeriod] become DEFERRED, penalty waived. */
export function defer(rows: readonly ScheduleRow[], fromPeriod: string, toPeriod: string) {
  const deferred: number[] = [];
  const next = rows.map((r) => {
    const p = periodOf(r.dueDate);
    if (!unpaid(r) || p < fromPeriod || p > toPeriod) return r;
    deferred.push(r.no);
    const { penaltyAccruedTo: _dropped, ...rest } = r;
    return { ...rest, status: 'DEFERRED' as const, everOverdue: false, creditReportable: false, penaltyFen: r.penaltyPaidFen };
  });
  return { rows: next, deferred };
}

function refuseWhileDue(rows: readonly ScheduleRow[], today: string) {
  const due = payableOn(rows, today);
  if (due.length) {
    throw new DomainError('INVALID_STATE', `Installments ${due.map((r) => r.no).join(', ')} are due and unpaid: repay them first / 存在未还的到期期次，请先还款`);
  }
}

/** Not yet due on `today` and untouched (nothing paid, no offset, not deferred). */
const untouched = (r: ScheduleRow, today: string) => r.dueDate > today && r.status === 'DUE' && r.paidFen === 0 && !r.offsetDone;

/** The longest run of untouched installments at the end of the schedule: what a prepayment recalculates. */
function recalculable(rows: readonly ScheduleRow[], today: string): ScheduleRow[] {
  let i = rows.length;
  while (i > 0 && untouched(rows[i - 1], today)) i--;
  return rows.slice(i);
}

/**
 * Partial prepayment: the untouched installments at the end are recalculated from the principal left
 * (REDUCE_TERM keeps the payment, REDUCE_PAYMENT the number of installments). Refused while
 * installments are due and unpaid, or when the amount is not below that principal (use full: true).
 */
export function prepayPartial(loan: Pick<Loan, 'annualRate' | 'repaymentMethod' | 'dueDay'>, rows: readonly ScheduleRow[], amountFen: number, mode: RecalculationMode, today: string): ScheduleRow[] {
  refuseWhileDue(rows, today);
  const future = recalculable(rows, today);
  const outstandingFen = future.reduce((s, r) => s + r.principalFen, 0);
  if (amountFen >= outstandingFen) {
    throw new DomainError('POLICY_VIOLATION', `A partial prepayment must be below the outstanding principal ${outstandingFen} fen; use full: true / 部分提前还款金额须小于剩余本金`, [{ path: 'body.amount', message: 'not below the outstanding principal' }]);
  }
  const first = future[0];
  const recalculated = recalculateAfterPrepayment({
    remainingPrincipalFen: outstandingFen - amountFen,
    annualRate: loan.annualRate,
    method: loan.repaymentMethod,
    mode,
    remainingInstallments: future.length,
    currentPaymentFen: loan.repaymentMethod === 'EQUAL_INSTALLMENT' ? first.paymentFen : first.principalFen,
    firstDueDate: first.dueDate,
    dueDay: loan.dueDay,
  });
  return [...rows.slice(0, rows.length - future.length), ...newRows(recalculated, first.no)];
}

/**
 * Annual repricing (domain.md §4: existing loans reprice on the next January 1): from `effectiveDate`
 * the loan bears `annualRate`. The untouched installments at the end falling due on or after that
 * date are recalculated at the new rate from the principal they carry, over as many installments
 * (the REDUCE_PAYMENT recalculation); installments paid, partly paid, offset, overdue or deferred keep
 * their amounts. The same rate, or nothing left to recalculate, changes nothing.
 */
export function reprice(loan: Pick<Loan, 'annualRate' | 'repaymentMethod' | 'dueDay'>, rows: readonly ScheduleRow[], annualRate: string, effectiveDate: string): ScheduleRow[] {
  if (annualRate === loan.annualRate) return [...rows];
  const future = recalculable(rows, addDays(effectiveDate, -1));
  if (!future.length) return [...rows];
  const first = future[0];
  const principalFen = future.reduce((s, r) => s + r.principalFen, 0);
  const recalculated = scheduleFor(loan.repaymentMethod, { principalFen, annualRate, termMonths: future.length, firstDueDate: first.dueDate, dueDay: loan.dueDay });
  return [...rows.slice(0, rows.length - future.length), ...newRows(recalculated, first.no)];
}

/**
 * Full prepayment (payoff) on `today`: installments not yet due with nothing paid are settled by
 * repaying their principal (no fee, no interest beyond what fell due) and leave the schedule; every
 * other unpaid installment is paid in full (penalty accrued to today).
 */
export function payOff(rows: readonly ScheduleRow[], today: string, rates: PenaltyRates) {
  let paid = noAllocation();
  let prepaidPrincipalFen = 0;
  const kept: ScheduleRow[] = [];
  for (const r of rows) {
    if (r.dueDate > today && r.paidFen === 0 && r.penaltyFen === 0) {
      prepaidPrincipalFen += r.principalFen;
      continue;
    }
    if (!unpaid(r)) {
      kept.push(r);
      continue;
    }
    const accrued = accruePenalty(r, today, rates);
    const out = payRow(accrued, owedFen(accrued), today);
    paid = addAllocation(paid, out.paid);
    kept.push(out.row);
  }
  return { rows: kept, paid: addAllocation(paid, { principalFen: prepaidPrincipalFen, interestFen: 0, penaltyFen: 0 }), prepaidPrincipalFen };
}

export interface OverdueThresholds {
  consecutive: number;
  cumulative: number;
}

/** The loan's balances and overdue picture from its installments as of `date`; closes it when all is paid. */
export function refreshLoan(loan: Loan, rows: readonly ScheduleRow[], date: string, thresholds: OverdueThresholds): Loan {
  const overdue = rows.filter((r) => r.status === 'OVERDUE');
  let run = 0;
  let consecutiveOverdue = 0;
  for (const r of rows) {
    run = r.everOverdue ? run + 1 : 0;
    consecutiveOverdue = Math.max(consecutiveOverdue, run);
  }
  const cumulativeOverdue = rows.filter((r) => r.everOverdue).length;
  const oldestOverdue = overdue[0]?.dueDate;
  const action = rows.find((r) => r.status === 'DUE' || r.status === 'OVERDUE');
  const nextRow = rows.find(unpaid);
  const next: Loan = {
    ...loan,
    outstandingPrincipalFen: rows.reduce((s, r) => s + r.principalFen - principalPaidFen(r), 0),
    overdueInstallments: overdue.length,
    overdueAmountFen: overdue.reduce((s, r) => s + r.paymentFen - r.paidFen, 0),
    overduePrincipalFen: overdue.reduce((s, r) => s + r.principalFen - principalPaidFen(r), 0),
    penaltyOutstandingFen: rows.reduce((s, r) => s + r.penaltyFen - r.penaltyPaidFen, 0),
    consecutiveOverdue,
    cumulativeOverdue,
    riskClass: riskClass({ consecutiveOverdue, cumulativeOverdue, maxDaysOverdue: oldestOverdue ? Math.max(0, daysBetween(oldestOverdue, date)) : 0 }),
    overdueFinding: overdueAuditTriggered({ consecutiveOverdue, cumulativeOverdue }, thresholds),
    nextActionDate: action?.dueDate,
    nextDue: nextRow ? { no: nextRow.no, dueDate: nextRow.dueDate, amountFen: owedFen(nextRow) } : undefined,
  };
  if (loan.status === 'ACTIVE' && !nextRow) {
    next.status = 'CLOSED';
    next.paidOffOn = date;
    next.certificateNo = derivedId('JQ', loan.loanId);
  }
  return next;
}
