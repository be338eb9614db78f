import { describe, expect, it } from 'vitest';
import { ageOn, decide, ineligibilities, type EligibilityInput, type Loan } from '../../functions/loans/domain/loan.ts';
import { defer, markOverdue, newRows, offset, payOff, prepayPartial, refreshLoan, repay, type ScheduleRow } from '../../functions/loans/domain/installments.ts';
import { scheduleFor } from '../../functions/loans/domain/amortization.ts';
import { policyOn } from '../../shared/policy.ts';

const loanPolicy = policyOn('2026-01-01').loans;
const rates = { annualRate: '0.026', multiplier: '1.5', dayBasis: 360 };
const thresholds = { consecutive: 3, cumulative: 6 };

// 100,000.00 over 12 months at 2.60% (domain.md): 11 × 8,451.16, last 8,451.18.
const rows12 = (): ScheduleRow[] => newRows(scheduleFor('EQUAL_INSTALLMENT', { principalFen: 10_000_000, annualRate: '0.026', termMonths: 12, firstDueDate: '2030-02-10' }));

const loan = (over: Partial<Loan> = {}): Loan => ({
  loanId: 'L1', accountNo: '100000000009', branch: 'B', status: 'ACTIVE', principalFen: 10_000_000, outstandingPrincipalFen: 10_000_000, annualRate: '0.026', termMonths: 12,
  repaymentMethod: 'EQUAL_INSTALLMENT', housePriceFen: 0, firstHome: true, monthlyIncomeFen: 0, borrowerCategory: 'STANDARD', location: 'DISTRICT', quote: { maxAmountFen: 0, binding: 'productCap' },
  appliedOn: '2030-01-01', appliedBy: 'm', offsetEnabled: false, deferrals: [], prepaidPrincipalFen: 0, overdueInstallments: 0, overdueAmountFen: 0, overduePrincipalFen: 0,
  penaltyOutstandingFen: 0, consecutiveOverdue: 0, cumulativeOverdue: 0, riskClass: 'NORMAL', overdueFinding: false, version: 0, createdAt: '', updatedAt: '', ...over,
});

describe('eligibility', () => {
  const ok: EligibilityInput = {
    borrower: { accountNo: 'A', status: 'NORMAL' },
    consecutiveDepositMonths: 6,
    birthDate: '1990-05-15',
    gender: 'M',
    today: '2026-01-10',
    termMonths: 360,
    amountFen: 100,
    maxAmountFen: 100,
  };

  it('accepts an application that meets every rule (6 months, term 360, amount = max)', () => {
    expect(ineligibilities(ok, loanPolicy)).toEqual([]);
  });

  it('lists every failed rule at once', () => {
    const reasons = ineligibilities(
      { ...ok, borrower: { accountNo: 'A', status: 'FROZEN', activeLoanId: 'Lx', hasOverdueLoan: true }, coBorrower: { accountNo: 'C', status: 'NORMAL', activeLoanId: 'Ly' }, consecutiveDepositMonths: 5, termMonths: 361, amountFen: 101, birthDate: '1970-05-15' },
      loanPolicy,
    );
    expect(reasons.map((r) => [r.path, r.reason])).toEqual([
      ['body.accountNo', 'ACCOUNT_NOT_NORMAL'],
      ['body.accountNo', 'INSUFFICIENT_DEPOSIT_MONTHS'],
      ['body.accountNo', 'ACTIVE_LOAN_EXISTS'],
      ['body.coBorrowerAccountNo', 'ACTIVE_LOAN_EXISTS'],
      ['body.accountNo', 'OVERDUE_LOAN'],
      ['body.termMonths', 'TERM_TOO_LONG'],
      ['body.termMonths', 'AGE_AT_MATURITY'],
      ['body.amount', 'AMOUNT_ABOVE_MAXIMUM'],
    ]);
  });

  it('age at maturity: at most retirement age + 5 (men 60, women 55), in full years', () => {
    expect(ageOn('1990-05-15', '2055-05-14')).toBe(64);
    expect(ageOn('1990-05-15', '2055-05-15')).toBe(65);
    // 60 months from 2026-01-10 matures on 2031-01-10
    const at = (birthDate: string, gender: 'M' | 'F') => ineligibilities({ ...ok, birthDate, gender, termMonths: 60 }, loanPolicy).map((r) => r.reason);
    expect(at('1966-01-10', 'M')).toEqual([]); // 65
    expect(at('1966-01-11', 'M')).toEqual([]); // 64
    expect(at('1966-01-09', 'M')).toEqual([]); // 65
    expect(at('1965-01-10', 'M')).toEqual(['AGE_AT_MATURITY']); // 66
    expect(at('1971-01-10', 'F')).toEqual([]); // 60
    expect(at('1970-01-10', 'F')).toEqual(['AGE_AT_MATURITY']); // 61
  });

  it('review records who and when, and flags a decision later than 15 days after the application', () => {
    const applied = loan({ status: 'APPLIED', appliedOn: '2030-01-01' });
    expect(decide(applied, 'APPROVED', 'clerk', '2030-01-16', loanPolicy).decision).toEqual({ decision: 'APPROVED', by: 'clerk', on: '2030-01-16', late: false, note: undefined });
    expect(decide(applied, 'REJECTED', 'clerk', '2030-01-17', loanPolicy, 'n').decision?.late).toBe(true);
    expect(() => decide(loan({ status: 'APPROVED' }), 'APPROVED', 'c', '2030-01-02', loanPolicy)).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
  });
});

describe('installments', () => {
  it('a bank repayment pays the oldest due installments, interest before principal, and refuses paying ahead', () => {
    const rows = rows12();
    expect(rows.map((r) => r.paymentFen)).toEqual([...Array(11).fill(845_116), 845_118]);
    const part = repay(rows, 100_000, '2030-03-10', rates);
    expect(part.paidNos).toEqual([1]);
    // 1,000.00 paid: the month's interest first (100,000.00 × 2.6% / 12 = 216.67), then 783.33 principal
    expect(part.paid).toEqual({ principalFen: 78_333, interestFen: 21_667, penaltyFen: 0 });
    expect(part.rows[0]).toMatchObject({ status: 'DUE', paidFen: 100_000 });
    expect(() => repay(rows, 845_116 * 2 + 1, '2030-03-10', rates)).toThrow(expect.objectContaining({ code: 'POLICY_VIOLATION' }));
    const both = repay(rows, 845_116 * 2, '2030-03-10', rates);
    expect(both.rows.slice(0, 3).map((r) => r.status)).toEqual(['PAID', 'PAID', 'DUE']);
  });

  it('overdue: marked the day after the due date, penalty = unpaid × rate × 1.5 / 360 per day, rounded half-up', () => {
    const rows = markOverdue(rows12(), '2030-02-20', rates);
    expect(rows[0].status).toBe('OVERDUE');
    expect(rows[1].status).toBe('DUE');
    // 8,451.16 × 0.026 × 1.5 / 360 × 10 days = 9.1554… → 9.16
    expect(rows[0].penaltyFen).toBe(916);
    expect(markOverdue(rows, '2030-02-20', rates)[0].penaltyFen).toBe(916); // the same day again adds nothing
    const paid = repay(rows, 845_116 + 916, '2030-02-20', rates);
    expect(paid.paid.penaltyFen).toBe(916);
    expect(paid.rows[0].status).toBe('PAID');
  });

  it('offset pays from the borrower then the co-borrower, partially when short, and runs once per installment', () => {
    const first = offset(rows12(), '2030-02-10', [500_000, 200_000]);
    expect(first.debits).toEqual([
      { no: 1, account: 0, amountFen: 500_000 },
      { no: 1, account: 1, amountFen: 200_000 },
    ]);
    expect(first.rows[0]).toMatchObject({ status: 'DUE', paidFen: 700_000, offsetDone: true });
    expect(offset(first.rows, '2030-02-10', [1_000_000, 0]).debits).toEqual([]);
    const full = offset(rows12(), '2030-03-10', [10_000_000]);
    expect(full.debits.map((d) => [d.no, d.amountFen])).toEqual([
      [1, 845_116],
      [2, 845_116],
    ]);
  });

  it('a deferral makes installments DEFERRED: never overdue, no penalty, not credit-reportable; they move after the last regular one', () => {
    const overdue = markOverdue(rows12(), '2030-03-01', rates);
    const { rows, deferred } = defer(overdue, '2030-02', '2030-03');
    expect(deferred).toEqual([1, 2]);
    const byNo = (rs: ScheduleRow[], no: number) => rs.find((r) => r.no === no)!;
    expect(byNo(rows, 1)).toMatchObject({ status: 'DEFERRED', penaltyFen: 0, creditReportable: false, everOverdue: false, deferredFrom: '2030-02-10', dueDate: '2031-02-10' });
    expect(byNo(rows, 2)).toMatchObject({ status: 'DEFERRED', deferredFrom: '2030-03-10', dueDate: '2031-03-10' });
    // schedule order: the regular installments 3…12, then the moved ones, amounts unchanged
    expect(rows.map((r) => r.no)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2]);
    expect(rows.map((r) => r.paymentFen)).toEqual([...Array(9).fill(845_116), 845_118, 845_116, 845_116]);
    const later = markOverdue(rows, '2030-05-01', rates);
    expect(later.slice(0, 2).map((r) => [r.no, r.status])).toEqual([[3, 'OVERDUE'], [4, 'DUE']]);
    expect(later.slice(-2).map((r) => [r.no, r.status, r.penaltyFen])).toEqual([[1, 'DEFERRED', 0], [2, 'DEFERRED', 0]]);
    const l = refreshLoan(loan(), later, '2030-05-01', thresholds);
    expect(l).toMatchObject({ overdueInstallments: 1, riskClass: 'WATCH', nextActionDate: '2030-04-10', maturityDate: '2031-03-10' });
  });

  it('three consecutive overdue installments raise the audit flag; risk class follows days overdue', () => {
    const l = refreshLoan(loan(), markOverdue(rows12(), '2030-04-11', rates), '2030-04-11', thresholds);
    expect(l).toMatchObject({ overdueInstallments: 3, consecutiveOverdue: 3, cumulativeOverdue: 3, overdueFinding: true, riskClass: 'WATCH' });
    expect(refreshLoan(loan(), markOverdue(rows12(), '2030-06-01', rates), '2030-06-01', thresholds).riskClass).toBe('SUBSTANDARD'); // 111 days
  });

  it('partial prepayment: REDUCE_PAYMENT keeps the count, REDUCE_TERM keeps the payment; refused while something is due', () => {
    const rows = rows12();
    const payment = prepayPartial(loan(), rows, 5_000_000, 'REDUCE_PAYMENT', '2030-01-20');
    expect(payment).toHaveLength(12);
    expect(payment.reduce((s, r) => s + r.principalFen, 0)).toBe(5_000_000);
    expect(payment[0].paymentFen).toBe(422_558); // 50,000.00 over 12 months at 2.6%: half of 8,451.16
    const term = prepayPartial(loan(), rows, 5_000_000, 'REDUCE_TERM', '2030-01-20');
    expect(term.length).toBeLessThan(12);
    expect(term.slice(0, -1).every((r) => r.paymentFen === 845_116)).toBe(true);
    expect(term.reduce((s, r) => s + r.principalFen, 0)).toBe(5_000_000);
    expect(() => prepayPartial(loan(), rows, 5_000_000, 'REDUCE_TERM', '2030-02-10')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => prepayPartial(loan(), rows, 10_000_000, 'REDUCE_TERM', '2030-01-20')).toThrow(expect.objectContaining({ code: 'POLICY_VIOLATION' }));
  });

  it('payoff pays what is due in full, and the principal of the rest with interest to the day; the loan closes', () => {
    const rows = markOverdue(rows12(), '2030-02-11', rates);
    const out = payOff(rows, '2030-02-11', rates);
    // installment 1 (paid with 1 day of penalty) and one payoff installment for the rest
    expect(out.rows.map((r) => [r.no, r.dueDate, r.status])).toEqual([[1, '2030-02-10', 'PAID'], [2, '2030-02-11', 'PAID']]);
    expect(out.paid.principalFen).toBe(10_000_000);
    // 216.67 of installment 1, plus 91,765.51 × 2.6% / 360 × 1 day = 6.6275… → 6.63
    expect(out.paid.interestFen).toBe(21_667 + 663);
    // 8,451.16 × 2.6% × 1.5 / 360 × 1 day = 0.9155… → 0.92
    expect(out.paid.penaltyFen).toBe(92);
    expect(out.amountFen).toBe(10_000_000 + 21_667 + 663 + 92);
    const closed = refreshLoan(loan(), out.rows, '2030-02-11', thresholds);
    expect(closed).toMatchObject({ status: 'CLOSED', paidOffOn: '2030-02-11', outstandingPrincipalFen: 0 });
    expect(closed.certificateNo).toMatch(/^JQ/);
  });
});
