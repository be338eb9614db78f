// The installments of an active loan and what happens to them (domain.md §4), pure: repayment
// allocation, overdue marking with penalty interest, monthly offset (月对冲), hardship deferral,
// prepayment, and the loan's overdue picture derived from them. Integer fen throughout.
//
// Allocation of any payment into an installment: penalty interest first, then interest, then
// principal (`paidFen` counts interest + principal; its principal part is what exceeds the interest).
import { DomainError } from '../../../shared/errors.ts';
import { addDays, daysBetween, periodOf } from '../../../shared/clock.ts';
import { derivedId } from '../../../shared/ids.ts';
import { D, roundFen } from '../../../shared/money.ts';
import { penaltyInterestFen, riskClass, overdueAuditTriggered } from './penalty.ts';
import { recalculateAfterPrepayment, type RecalculationMode } from './prepayment.ts';
import { monthlyDueDate, parseRate, scheduleFor, type Installment } from './amortization.ts';
import { LOAN_FLOWS, LOAN_INTEREST_DAY_BASIS } from './policy.ts';
import type { Loan } from './loan.ts';
import { policyOn } from '../../../shared/policy.ts';
import type { FundFlow } from '../../../shared/ledger/ledger.ts';

export type InstallmentStatus = 'DUE' | 'PAID' | 'OVERDUE' | 'DEFERRED';

export interface ScheduleRow extends Installment {
  status: InstallmentStatus;
  /** Paid towards paymentFen (interest first, then principal). */
  paidFen: number;
  /**
   * Penalty interest accrued while overdue (rounded once, from the whole span: `penaltyOn`), and paid
   * of it. `penaltyFen` is the figure as of `penaltyAccruedTo`, for display and the loan's totals.
   */
  penaltyFen: number;
  penaltyPaidFen: number;
  /** Date `penaltyFen` has been computed to. */
  penaltyAccruedTo?: string;
  /**
   * The unrounded basis of the penalty: Σ unpaid amount × days over the closed spans of this overdue
   * period (a payment closes a span: the unpaid amount changes), integer fen·days …
   */
  penaltyFenDays?: number;
  /** … and the day the open span started (the due date, or the last payment into the installment). */
  penaltyFrom?: string;
  /** Penalty fixed before the current overdue period (what was paid of a penalty a deferral waived). */
  penaltySettledFen?: number;
  /** A deferred (缓期) installment moved to the end of the schedule: its original due date. */
  deferredFrom?: string;
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

/** The penalty rates of the loan on `date` (its rate, the policy's multiplier and day basis). */
export const penaltyRates = (loan: Pick<Loan, 'annualRate'>, date: string): PenaltyRates => {
  const p = policyOn(date).loans;
  return { annualRate: loan.annualRate, multiplier: p.penaltyMultiplier, dayBasis: p.penaltyDayBasis };
};

/** Fund flows of money paid into the loan (principal, interest, penalty interest) in the period of `date`. */
export function paymentFlows(loan: Pick<Loan, 'branch'>, paid: Allocation, date: string): FundFlow[] {
  const flows: FundFlow[] = [
    { kind: LOAN_FLOWS.PRINCIPAL, amountFen: paid.principalFen, branch: loan.branch, period: periodOf(date) },
    { kind: LOAN_FLOWS.INTEREST, amountFen: paid.interestFen, branch: loan.branch, period: periodOf(date) },
    { kind: LOAN_FLOWS.PENALTY, amountFen: paid.penaltyFen, branch: loan.branch, period: periodOf(date) },
  ];
  return flows.filter((f) => f.amountFen !== 0);
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
/** A row of the regular schedule (not a deferred installment moved to the end). */
export const isRegular = (r: ScheduleRow) => r.deferredFrom === undefined;
/** The due date the installment had in the contract schedule (a moved deferred one: before it moved). */
export const originalDueDate = (r: ScheduleRow) => r.deferredFrom ?? r.dueDate;

/** Rows in schedule order: by due date, then number (moved deferred installments come last). */
export const inScheduleOrder = (rows: readonly ScheduleRow[]): ScheduleRow[] => [...rows].sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.no - b.no));

// ---------- penalty interest: accrued exactly, rounded once ----------

/** The unrounded basis (fen·days) of an overdue installment's current overdue period up to `date`. */
export function penaltyFenDaysTo(row: ScheduleRow, date: string): number {
  const from = row.penaltyFrom ?? row.dueDate;
  return (row.penaltyFenDays ?? 0) + (row.paymentFen - row.paidFen) * Math.max(0, daysBetween(from, date));
}

/**
 * The installment's penalty interest as of `date`: what was fixed before (`penaltySettledFen`) plus
 * round(Σ unpaid × days × rate × multiplier / basis) over the whole overdue period, rounded ONCE,
 * half-up, so that it never depends on how many daily runs happened in between. Not overdue: as is.
 */
export function penaltyOn(row: ScheduleRow, date: string, rates: PenaltyRates): number {
  if (row.status !== 'OVERDUE') return row.penaltyFen;
  const fenDays = penaltyFenDaysTo(row, date);
  return (row.penaltySettledFen ?? 0) + penaltyInterestFen({ overdueAmountFen: fenDays, annualRate: rates.annualRate, multiplier: rates.multiplier, dayBasis: rates.dayBasis, days: 1 });
}

/** Brings an overdue installment's penalty interest up to `date` (no-op otherwise, or for an earlier date). */
export function accruePenalty(row: ScheduleRow, date: string, rates: PenaltyRates): ScheduleRow {
  if (row.status !== 'OVERDUE') return row;
  if (row.penaltyAccruedTo && row.penaltyAccruedTo >= date) return row;
  return { ...row, penaltyFen: Math.max(row.penaltyFen, penaltyOn(row, date, rates)), penaltyAccruedTo: date };
}

/** Pays up to `amountFen` into one installment (penalty, interest, principal); the caller accrues its penalty to `paidOn` first. */
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
  // the unpaid amount changes: close the penalty's open span at the payment day (its basis, unrounded)
  if (row.status === 'OVERDUE' && interestFen + principalFen > 0) Object.assign(next, { penaltyFenDays: penaltyFenDaysTo(row, paidOn), penaltyFrom: paidOn });
  if (owedFen(next) === 0) Object.assign(next, { status: 'PAID', paidOn });
  return { row: next, paid: { principalFen, interestFen, penaltyFen }, restFen: rest };
}

/**
 * Installments payable on `date`: unpaid and due on or before it (a moved deferred installment only
 * from its new date), overdue ones first, then by due date.
 */
export const payableOn = (rows: readonly ScheduleRow[], date: string) => {
  const due = inScheduleOrder(rows).filter((r) => unpaid(r) && r.dueDate <= date);
  return [...due.filter((r) => r.status === 'OVERDUE'), ...due.filter((r) => r.status !== 'OVERDUE')];
};

/** Pays `amountFen` into the payable installments of `paidOn` (penalty accrued to that day first); the rest is returned. */
function payDue(rows: readonly ScheduleRow[], amountFen: number, paidOn: string, rates: PenaltyRates) {
  let rest = amountFen;
  let paid = noAllocation();
  const paidNos: number[] = [];
  const byNo = new Map(rows.map((r) => [r.no, r]));
  for (const r of payableOn(rows, paidOn)) {
    if (rest === 0) break;
    const out = payRow(accruePenalty(r, paidOn, rates), rest, paidOn);
    rest = out.restFen;
    paid = addAllocation(paid, out.paid);
    paidNos.push(r.no);
    byNo.set(r.no, out.row);
  }
  return { rows: rows.map((r) => byNo.get(r.no)!), paid, paidNos, restFen: rest };
}

/**
 * A bank repayment: pays the payable installments, overdue first (penalty accrued to `paidOn` first),
 * never a deferred one before its new date. More than is payable is refused: paying ahead is a prepayment.
 */
export function repay(rows: readonly ScheduleRow[], amountFen: number, paidOn: string, rates: PenaltyRates) {
  const out = payDue(rows, amountFen, paidOn, rates);
  if (out.restFen > 0) {
    const rest = out.restFen;
    throw new DomainError('POLICY_VIOLATION', `The amount exceeds what is due on ${paidOn} by ${rest} fen; pay ahead with a prepayment / 还款金额超过应还金额，请办理提前还款`, [{ path: 'body.amount', message: `exceeds the amount due by ${rest} fen` }]);
  }
  return { rows: out.rows, paid: out.paid, paidNos: out.paidNos };
}

/**
 * The daily state of the installments on `date`: unpaid ones due before it become OVERDUE (a moved
 * deferred installment too, once its new due date has passed: it is an ordinary installment then;
 * one whose new date has come is DUE), and penalties are brought up to `date`.
 */
export function markOverdue(rows: readonly ScheduleRow[], date: string, rates: PenaltyRates): ScheduleRow[] {
  return rows.map((r) => {
    let row = r;
    if ((r.status === 'DUE' || r.status === 'DEFERRED') && r.dueDate < date) {
      row = { ...r, status: 'OVERDUE', everOverdue: true, creditReportable: true, penaltyFrom: r.dueDate, penaltyFenDays: 0, penaltyAccruedTo: r.dueDate };
    } else if (r.status === 'DEFERRED' && r.dueDate <= date) {
      row = { ...r, status: 'DUE' };
    }
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
 * co-borrower), partially when short, never below zero. A deferred installment is paid from its new
 * due date on, like any other.
 */
export function offset(rows: readonly ScheduleRow[], date: string, availableFen: readonly number[]) {
  const available = [...availableFen];
  const debits: OffsetDebit[] = [];
  let paid = noAllocation();
  const next = rows.map((r) => {
    if (r.offsetDone || r.dueDate > date || r.status === 'PAID') return r;
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

/** The deterministic ledger entry key of the offset of an installment (a moved deferred one has its own). */
export const offsetEntryKey = (loanId: string, row: Pick<ScheduleRow, 'no' | 'deferredFrom'>) => `OFFSET-${loanId}-${row.no}${row.deferredFrom ? '-D' : ''}`;

/**
 * Places the deferred installments (domain.md §4): one a month after the last regular installment, in
 * their order (original due date), on the loan's due day; amounts unchanged. Only those still DEFERRED
 * move (one whose new date has come is an ordinary installment). Returns the rows in schedule order.
 */
export function placeDeferred(rows: readonly ScheduleRow[], dueDay?: number): ScheduleRow[] {
  const regular = rows.filter(isRegular).sort((a, b) => a.no - b.no);
  const moved = rows.filter((r) => !isRegular(r)).sort((a, b) => (a.deferredFrom! < b.deferredFrom! ? -1 : a.deferredFrom! > b.deferredFrom! ? 1 : a.no - b.no));
  const last = regular.length ? regular[regular.length - 1].dueDate : moved[0]?.deferredFrom;
  const placed = moved.map((r, k) => (r.status === 'DEFERRED' && last ? { ...r, dueDate: monthlyDueDate(last, k + 1, dueDay) } : r));
  return inScheduleOrder([...regular, ...placed]);
}

/**
 * Hardship deferral (缓期还贷): unpaid regular installments due in [fromPeriod, toPeriod] become
 * DEFERRED, penalty waived, not overdue, not credit-reportable, and move to the end of the schedule
 * (`placeDeferred`). Their offset may run again on the new date (a new entry key).
 */
export function defer(rows: readonly ScheduleRow[], fromPeriod: string, toPeriod: string, dueDay?: number) {
  const deferred: number[] = [];
  const next = rows.map((r): ScheduleRow => {
    const p = periodOf(r.dueDate);
    if (!isRegular(r) || !unpaid(r) || p < fromPeriod || p > toPeriod) return r;
    deferred.push(r.no);
    const { penaltyAccruedTo: _a, penaltyFenDays: _b, penaltyFrom: _c, ...rest } = r;
    return { ...rest, status: 'DEFERRED', deferredFrom: r.dueDate, everOverdue: false, creditReportable: false, offsetDone: false, penaltyFen: r.penaltyPaidFen, penaltySettledFen: r.penaltyPaidFen };
  });
  return { rows: deferred.length ? placeDeferred(next, dueDay) : [...rows], deferred };
}

function refuseWhileDue(rows: readonly ScheduleRow[], today: string) {
  const due = payableOn(rows, today);
  if (due.length) {
    throw new DomainError('INVALID_STATE', `Installments ${due.map((r) => r.no).join(', ')} are due and unpaid: repay them first / 存在未还的到期期次，请先还款`);
  }
}

/** Not yet due on `today` and untouched (nothing paid, no offset, not deferred). */
const untouched = (r: ScheduleRow, today: string) => r.dueDate > today && r.status === 'DUE' && r.paidFen === 0 && !r.offsetDone;

/**
 * What a prepayment or a repricing recalculates: the longest run of untouched installments at the end
 * of the REGULAR schedule (moved deferred installments, at the very end, keep their amounts).
 */
function recalculable(rows: readonly ScheduleRow[], today: string): ScheduleRow[] {
  const regular = rows.filter(isRegular).sort((a, b) => a.no - b.no);
  let i = regular.length;
  while (i > 0 && untouched(regular[i - 1], today)) i--;
  return regular.slice(i);
}

/**
 * Replaces the recalculable rows `future` by `installments` (at most as many): each new row takes the
 * number and due date of the row in its place (so no number collides with a kept one, and months a
 * deferral left free stay free); the deferred installments are placed again after the new last one.
 */
function replaceFuture(rows: readonly ScheduleRow[], future: readonly ScheduleRow[], installments: readonly Installment[], dueDay?: number): ScheduleRow[] {
  if (installments.length > future.length) throw new Error('a recalculation never lengthens the schedule');
  const gone = new Set(future.map((r) => r.no));
  const fresh = newRows(installments).map((r, k) => ({ ...r, no: future[k].no, dueDate: future[k].dueDate }));
  return placeDeferred([...rows.filter((r) => !gone.has(r.no)), ...fresh], dueDay);
}

/** The principal left on the recalculable rows of `today` (what a partial prepayment must stay below). */
export const recalculablePrincipalFen = (rows: readonly ScheduleRow[], today: string) => recalculable(rows, today).reduce((s, r) => s + r.principalFen, 0);

/**
 * Partial prepayment: the untouched regular installments at the end are recalculated from the
 * principal left (REDUCE_TERM keeps the payment, REDUCE_PAYMENT the number of installments). Refused
 * while installments are due and unpaid, or when the amount is not below that principal (use full: true).
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
  return replaceFuture(rows, future, recalculated, loan.dueDay);
}

/**
 * Annual repricing (domain.md §4: existing loans reprice on the next January 1): from `effectiveDate`
 * the loan bears `annualRate`. The untouched regular installments at the end falling due on or after
 * that date are recalculated at the new rate from the principal they carry, over as many installments
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
  return replaceFuture(rows, future, recalculated, loan.dueDay);
}

// ---------- the payoff amount and full prepayment ----------

export interface PayoffTerms {
  /** Loan rate and the day interest runs from when no installment has fallen due yet. */
  annualRate: string;
  disbursedOn?: string;
}

export interface PayoffAmount {
  totalFen: number;
  /** Unpaid installments due on the day (and their penalty interest to it). */
  dueFen: number;
  /** Principal of the regular installments not yet due … */
  principalFen: number;
  /** … and the interest on it from the last due date (or the disbursement) to the day. */
  accruedInterestFen: number;
  days: number;
  /** Deferred installments not yet due: their amounts, unchanged (no extra interest). */
  deferredFen: number;
}

/** Interest on a principal for `days` at the loan's rate: round(principal × rate / 360 × days), half-up, once. */
export function accruedInterestFen(principalFen: number, annualRate: string, days: number): number {
  if (days <= 0 || principalFen === 0) return 0;
  return roundFen(new D(principalFen).times(parseRate(annualRate)).times(days).div(LOAN_INTEREST_DAY_BASIS));
}

const settledByPrincipal = (r: ScheduleRow, date: string) => isRegular(r) && r.dueDate > date && r.paidFen === 0 && r.penaltyFen === r.penaltyPaidFen;

/**
 * The payoff amount on `date` (domain.md §4): the outstanding principal, plus interest on it from the
 * last due date (or the disbursement) to that day at the loan's rate, plus any unpaid installments and
 * their penalty interest. Deferred installments not yet due count with their unchanged amounts.
 */
export function payoffAmount(rows: readonly ScheduleRow[], date: string, rates: PenaltyRates, terms: PayoffTerms): PayoffAmount {
  return payoffOfMarked(markOverdue(rows, date, rates), date, terms); // as the daily run of that day would leave them
}

/** `payoffAmount` of rows already marked overdue (penalty accrued) to `date`. */
function payoffOfMarked(rows: readonly ScheduleRow[], date: string, terms: PayoffTerms): PayoffAmount {
  let dueFen = 0;
  let principalFen = 0;
  let deferredFen = 0;
  let since = terms.disbursedOn ?? '';
  for (const r of rows) {
    const original = originalDueDate(r);
    if (original <= date && original > since) since = original;
    if (!unpaid(r)) continue;
    if (settledByPrincipal(r, date)) principalFen += r.principalFen;
    else if (r.dueDate > date && !isRegular(r)) deferredFen += owedFen(r);
    else dueFen += owedFen(r);
  }
  const days = since ? Math.max(0, daysBetween(since, date)) : 0;
  const interest = accruedInterestFen(principalFen, terms.annualRate, days);
  return { totalFen: dueFen + principalFen + interest + deferredFen, dueFen, principalFen, accruedInterestFen: interest, days, deferredFen };
}

/**
 * Full prepayment (payoff) on `today`: every unpaid installment is paid in full (penalty accrued to
 * today; a deferred one with its unchanged amount); the regular installments not yet due are replaced by
 * one payoff installment due and paid today: their principal plus the interest on it to the day.
 */
export function payOff(rows: readonly ScheduleRow[], today: string, rates: PenaltyRates, terms: PayoffTerms = { annualRate: rates.annualRate }) {
  return payOffMarked(markOverdue(rows, today, rates), today, terms);
}

/** `payOff` of rows already marked overdue (penalty accrued) to `today`. */
function payOffMarked(rows: readonly ScheduleRow[], today: string, terms: PayoffTerms, amount = payoffOfMarked(rows, today, terms)) {
  let paid = noAllocation();
  const kept: ScheduleRow[] = [];
  const future: ScheduleRow[] = [];
  const paidNos: number[] = [];
  for (const r of rows) {
    if (!unpaid(r)) {
      kept.push(r);
      continue;
    }
    if (settledByPrincipal(r, today)) {
      future.push(r);
      continue;
    }
    const out = payRow(r, owedFen(r), today);
    paid = addAllocation(paid, out.paid);
    paidNos.push(r.no);
    kept.push(out.row);
  }
  if (future.length) {
    const first = [...future].sort((a, b) => a.no - b.no)[0];
    const paymentFen = amount.principalFen + amount.accruedInterestFen;
    const [payoffRow] = newRows([{ no: first.no, dueDate: today, paymentFen, principalFen: amount.principalFen, interestFen: amount.accruedInterestFen, remainingPrincipalFen: 0 }], first.no);
    kept.push({ ...payoffRow, status: 'PAID', paidFen: paymentFen, paidOn: today });
    paidNos.push(first.no);
    paid = addAllocation(paid, { principalFen: amount.principalFen, interestFen: amount.accruedInterestFen, penaltyFen: 0 });
  }
  return { rows: inScheduleOrder(kept), paid, prepaidPrincipalFen: amount.principalFen, amountFen: amount.totalFen, paidNos };
}

/**
 * A payment from the member's account (an HPF_LOAN_REPAYMENT withdrawal, api.md v1.1): overdue
 * installments with their penalty first, then installments due, then the rest prepays principal with
 * `mode`; the payoff amount exactly closes the loan; more is refused (POLICY_VIOLATION).
 */
export function applyPayment(loan: Pick<Loan, 'annualRate' | 'repaymentMethod' | 'dueDay' | 'disbursedOn'>, rowsIn: readonly ScheduleRow[], amountFen: number, mode: RecalculationMode, date: string, rates: PenaltyRates) {
  const rows = markOverdue(rowsIn, date, rates); // overdue as of the day, penalty to it
  const payoff = payoffOfMarked(rows, date, loan);
  if (amountFen > payoff.totalFen) {
    throw new DomainError('POLICY_VIOLATION', `The amount exceeds the payoff amount ${payoff.totalFen} fen on ${date} / 还款金额超过结清金额`, [{ path: 'body.amount', message: `exceeds the payoff amount by ${amountFen - payoff.totalFen} fen` }]);
  }
  if (amountFen === payoff.totalFen) {
    const out = payOffMarked(rows, date, loan, payoff);
    return { rows: out.rows, paid: out.paid, paidNos: out.paidNos, prepaidPrincipalFen: out.prepaidPrincipalFen };
  }
  const due = payDue(rows, amountFen, date, rates);
  if (due.restFen === 0) return { rows: due.rows, paid: due.paid, paidNos: due.paidNos, prepaidPrincipalFen: 0 };
  const next = prepayPartial(loan, due.rows, due.restFen, mode, date);
  return { rows: next, paid: addAllocation(due.paid, { principalFen: due.restFen, interestFen: 0, penaltyFen: 0 }), paidNos: due.paidNos, prepaidPrincipalFen: due.restFen };
}

/**
 * The most a payment of at most `availableFen` can be on `date`: the payoff amount if it is covered;
 * otherwise what is due plus, of the rest, at most 1 fen less than the principal a partial prepayment
 * recalculates (a partial prepayment stays below it).
 */
export function largestPaymentFen(loan: Pick<Loan, 'annualRate' | 'disbursedOn'>, rowsIn: readonly ScheduleRow[], availableFen: number, date: string, rates: PenaltyRates): number {
  const rows = markOverdue(rowsIn, date, rates);
  const payoff = payoffOfMarked(rows, date, loan);
  if (availableFen >= payoff.totalFen) return payoff.totalFen;
  const prepayable = Math.max(0, recalculablePrincipalFen(rows, date) - 1);
  return Math.min(availableFen, payoff.dueFen + prepayable);
}

export interface OverdueThresholds {
  consecutive: number;
  cumulative: number;
}

/** The policy's overdue thresholds on `date` (consecutive and cumulative overdue installments that make an audit finding). */
export const thresholds = (date: string): OverdueThresholds => {
  const p = policyOn(date).loans;
  return { consecutive: p.overdueFindingConsecutive, cumulative: p.overdueFindingCumulative };
};

/** The number of a loan's payoff certificate (贷款结清证明): derived from the loan, the same wherever it is shown. */
export const payoffCertificateNo = (loanId: string) => derivedId('JQ', loanId);

/** The loan's balances and overdue picture from its installments as of `date`; closes it when all is paid. */
export function refreshLoan(loan: Loan, rowsIn: readonly ScheduleRow[], date: string, thresholds: OverdueThresholds): Loan {
  const rows = inScheduleOrder(rowsIn);
  const overdue = rows.filter((r) => r.status === 'OVERDUE');
  let run = 0;
  let consecutiveOverdue = 0;
  for (const r of rows) {
    run = r.everOverdue ? run + 1 : 0;
    consecutiveOverdue = Math.max(consecutiveOverdue, run);
  }
  const cumulativeOverdue = rows.filter((r) => r.everOverdue).length;
  const oldestOverdue = overdue[0]?.dueDate;
  // the daily run looks at the loan from the first date an installment needs it (a deferred one: its new date)
  const action = rows.find((r) => r.status === 'DUE' || r.status === 'OVERDUE' || r.status === 'DEFERRED');
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
    maturityDate: rows.length ? rows.reduce((m, r) => (r.dueDate > m ? r.dueDate : m), rows[0].dueDate) : loan.maturityDate,
  };
  if (loan.status === 'ACTIVE' && !nextRow) {
    next.status = 'CLOSED';
    next.paidOffOn = date;
    next.certificateNo = payoffCertificateNo(loan.loanId);
  }
  return next;
}
