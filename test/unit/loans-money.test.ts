// Loan money to the fen (domain.md §4): penalty interest accrued exactly and rounded once, the payoff
// amount with interest to the day, the payment from the account, and deferred installments moved to the
// end of the schedule. Golden numbers are derived by hand in the comments.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { D } from '../../shared/money.ts';
import { addDays } from '../../shared/clock.ts';
import { applyPayment, defer, largestPaymentFen, markOverdue, newRows, payoffAmount, payRow, prepayPartial, refreshLoan, repay, reprice, type ScheduleRow } from '../../functions/loans/domain/installments.ts';
import { scheduleFor } from '../../functions/loans/domain/amortization.ts';
import type { Loan } from '../../functions/loans/domain/loan.ts';

const rates = { annualRate: '0.026', multiplier: '1.5', dayBasis: 360 };
const terms = { annualRate: '0.026', disbursedOn: '2030-01-10' };
const loanTerms = { annualRate: '0.026', repaymentMethod: 'EQUAL_INSTALLMENT' as const, dueDay: 10, disbursedOn: '2030-01-10' };
// 100,000.00 over 12 months at 2.60%: 11 × 8,451.16 (installment 1: interest 216.67, principal 8,234.49), last 8,451.18
const rows12 = (): ScheduleRow[] => newRows(scheduleFor('EQUAL_INSTALLMENT', { principalFen: 10_000_000, annualRate: '0.026', termMonths: 12, firstDueDate: '2030-02-10', dueDay: 10 }));
// 1,000,000.00 over 360 months at 2.60%: M = 4,003.40
const rows360 = (): ScheduleRow[] => newRows(scheduleFor('EQUAL_INSTALLMENT', { principalFen: 100_000_000, annualRate: '0.026', termMonths: 360, firstDueDate: '2031-04-15', dueDay: 15 }));
const byNo = (rows: readonly ScheduleRow[], no: number) => rows.find((r) => r.no === no)!;
const daily = (rows: ScheduleRow[], from: string, to: string) => {
  for (let d = from; d <= to; d = addDays(d, 1)) rows = markOverdue(rows, d, rates);
  return rows;
};

describe('penalty interest: accrued exactly over the days overdue, rounded once', () => {
  it('18 days on 4,003.40 at 2.60% × 1.5 / 360 = 7.81, with a daily run every day or one run', () => {
    // 400,340 × 0.026 × 1.5 × 18 / 360 = 780.663 → 7.81 (rounding each day: 43.37 → 43 × 18 = 7.74)
    const everyDay = daily(rows360(), '2031-04-16', '2031-05-03');
    expect(everyDay[0]).toMatchObject({ status: 'OVERDUE', penaltyFen: 781 });
    expect(markOverdue(rows360(), '2031-05-03', rates)[0].penaltyFen).toBe(781);
    // the bank pays it with the installment: 4,011.21
    expect(repay(everyDay, 400_340 + 781, '2031-05-03', rates).paid).toEqual({ principalFen: 183_673, interestFen: 216_667, penaltyFen: 781 });
  });

  const golden: [string, number, number, number][] = [
    // [what, overdue fen, days, penalty fen]: round(amount × days × 0.039 / 360)
    ['8,451.16 for 10 days: 84,511,600 × 0.039 / 3600 = 915.54', 845_116, 10, 916],
    ['8,451.16 for 1 day: 91.55', 845_116, 1, 92],
    ['4,003.40 for 1 day: 43.37', 400_340, 1, 43],
    ['4,003.40 for 30 days: 1,301.105', 400_340, 30, 1_301],
    ['0.01 for 360 days: 0.039', 1, 360, 0],
    ['100.00 for 100 days: 10.833', 10_000, 100, 108],
  ];
  it.each(golden)('%s', (_what, amountFen, days, penaltyFen) => {
    const row: ScheduleRow = { ...rows12()[0], paymentFen: amountFen, interestFen: 0, principalFen: amountFen };
    expect(markOverdue([row], addDays(row.dueDate, days), rates)[0].penaltyFen).toBe(penaltyFen);
  });

  it('a partial payment closes a span; the whole period is still rounded once', () => {
    // overdue from 2030-02-10; on 02-20 (10 days) 5,000.00 pays 9.16 penalty, 216.67 interest, 4,774.17 principal
    let rows = markOverdue(rows12(), '2030-02-20', rates);
    const out = payRow(rows[0], 500_000, '2030-02-20');
    expect(out.paid).toEqual({ penaltyFen: 916, interestFen: 21_667, principalFen: 477_417 });
    rows = [out.row, ...rows.slice(1)];
    // 10 more days on 3,460.32: basis 8,451,160 + 3,460,320 = 11,911,480 fen·days × 0.039 / 360 = 1,290.41 → 12.90
    // (rounding each span: 9.16 + 3.75 = 12.91)
    rows = daily(rows, '2030-02-21', '2030-03-02');
    expect(rows[0]).toMatchObject({ status: 'OVERDUE', penaltyFen: 1_290, penaltyPaidFen: 916 });
  });

  it('does not depend on how many daily runs happened in between (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50_000_000 }), fc.integer({ min: 1, max: 400 }), fc.array(fc.integer({ min: 1, max: 399 }), { maxLength: 12 }), (amountFen, days, runs) => {
        const row: ScheduleRow = { ...rows12()[0], paymentFen: amountFen, interestFen: 0, principalFen: amountFen };
        const end = addDays(row.dueDate, days);
        let rows = [row];
        for (const d of [...new Set(runs)].filter((d) => d < days).sort((a, b) => a - b)) rows = markOverdue(rows, addDays(row.dueDate, d), rates);
        rows = markOverdue(rows, end, rates);
        const once = markOverdue([row], end, rates)[0].penaltyFen;
        const byHand = new D(amountFen).times(days).times('0.039').div(360).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
        expect(rows[0].penaltyFen).toBe(once);
        expect(once).toBe(byHand);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the payoff amount: principal + interest to the day + unpaid installments and their penalty', () => {
  it('golden values', () => {
    // nothing due yet, 15 days after the disbursement: 10,000,000 × 0.026 × 15 / 360 = 10,833.33 → 108.33
    expect(payoffAmount(rows12(), '2030-01-25', rates, terms)).toMatchObject({ totalFen: 10_010_833, principalFen: 10_000_000, accruedInterestFen: 10_833, days: 15, dueFen: 0 });
    // installment 1 paid: 91,765.51 left; 15 days from 02-10: 9,176,551 × 0.026 × 15 / 360 = 9,941.26 → 99.41
    const paid = repay(rows12(), 845_116, '2030-02-10', rates).rows;
    expect(payoffAmount(paid, '2030-02-25', rates, terms)).toMatchObject({ totalFen: 9_176_551 + 9_941, accruedInterestFen: 9_941, days: 15 });
    // installment 1 unpaid, 15 days overdue: 8,451.16 + penalty 845,116 × 15 × 0.039 / 360 = 1,373.31 → 13.73
    expect(payoffAmount(rows12(), '2030-02-25', rates, terms)).toMatchObject({ totalFen: 845_116 + 1_373 + 9_176_551 + 9_941, dueFen: 846_489 });
    // on a due date: no interest beyond the installment's own
    expect(payoffAmount(paid, '2030-02-10', rates, terms)).toMatchObject({ totalFen: 9_176_551, accruedInterestFen: 0 });
  });

  it('deferred installments count with their unchanged amounts: no extra interest on their principal', () => {
    // 1 and 2 deferred (moved to 2031-02-10 and 2031-03-10); on 2030-03-25 nothing regular has fallen due
    // since 03-10 (the original date of installment 2): interest on the regular principal (installments 3…12) for 15 days
    const { rows } = defer(rows12(), '2030-02', '2030-03', 10);
    const regularPrincipal = rows.filter((r) => !r.deferredFrom).reduce((s, r) => s + r.principalFen, 0);
    const interest = new D(regularPrincipal).times('0.026').times(15).div(360).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
    expect(payoffAmount(rows, '2030-03-25', rates, terms)).toMatchObject({ days: 15, principalFen: regularPrincipal, accruedInterestFen: interest, deferredFen: 2 * 845_116, dueFen: 0 });
  });
});

describe('a payment from the account: overdue with penalty first, then due, then principal', () => {
  it('allocates in that order and prepays the rest (REDUCE_TERM keeps the payment)', () => {
    // 2030-03-15: installment 1 overdue 33 days, installment 2 overdue 5 days
    const rows = markOverdue(rows12(), '2030-03-15', rates);
    const p1 = new D(845_116).times(33).times('0.039').div(360).toDecimalPlaces(0).toNumber(); // 3,021.29 → 3,021
    const p2 = new D(845_116).times(5).times('0.039').div(360).toDecimalPlaces(0).toNumber(); // 457.77 → 458
    expect([p1, p2]).toEqual([3_021, 458]);
    const out = applyPayment(loanTerms, rows, 845_116 * 2 + p1 + p2 + 1_000_000, 'REDUCE_TERM', '2030-03-15', rates);
    expect(out.paidNos).toEqual([1, 2]);
    expect(out.paid.penaltyFen).toBe(p1 + p2);
    expect(out.prepaidPrincipalFen).toBe(1_000_000);
    expect(byNo(out.rows, 3).paymentFen).toBe(845_116);
    expect(out.rows.length).toBeLessThan(12);
    expect(() => applyPayment(loanTerms, rows, 1_000, 'REDUCE_TERM', '2030-03-15', rates)).not.toThrow(); // pays into installment 1 only
  });

  it('the payoff amount closes the loan; a fen more is refused; `full` takes at most the payoff amount', () => {
    const rows = markOverdue(rows12(), '2030-02-25', rates);
    const total = payoffAmount(rows, '2030-02-25', rates, terms).totalFen;
    expect(total).toBe(10_032_981);
    const closed = applyPayment(loanTerms, rows, total, 'REDUCE_TERM', '2030-02-25', rates);
    const l = refreshLoan({ loanId: 'L', status: 'ACTIVE' } as Loan, closed.rows, '2030-02-25', { consecutive: 3, cumulative: 6 });
    expect(l).toMatchObject({ status: 'CLOSED', outstandingPrincipalFen: 0, paidOffOn: '2030-02-25' });
    expect(() => applyPayment(loanTerms, rows, total + 1, 'REDUCE_TERM', '2030-02-25', rates)).toThrow(expect.objectContaining({ code: 'POLICY_VIOLATION' }));
    expect(largestPaymentFen(loanTerms, rows, 20_000_000, '2030-02-25', rates)).toBe(total);
    // short of the payoff: what is due + at most the recalculable principal less 1 fen
    const recalculable = rows.slice(1).reduce((s, r) => s + r.principalFen, 0);
    expect(largestPaymentFen(loanTerms, rows, total - 1, '2030-02-25', rates)).toBe(846_489 + recalculable - 1);
    expect(largestPaymentFen(loanTerms, rows, 5_000, '2030-02-25', rates)).toBe(5_000);
  });
});

describe('deferred installments move to the end and keep working with prepayment and repricing', () => {
  // a 12-month loan; installments 4–6 (2030-05 … 2030-07) deferred while nothing is due yet
  const deferred = () => defer(rows12(), '2030-05', '2030-07', 10).rows;

  it('a bank repayment after the window pays the installment due then, never a deferred one', () => {
    let rows = repay(deferred(), 845_116 * 3, '2030-04-10', rates).rows; // 1–3 paid
    rows = markOverdue(rows, '2030-08-10', rates);
    expect(rows.filter((r) => r.status === 'OVERDUE')).toEqual([]);
    const paid = repay(rows, 845_116, '2030-08-10', rates);
    expect(paid.paidNos).toEqual([7]);
    expect(() => repay(paid.rows, 1, '2030-08-10', rates)).toThrow(expect.objectContaining({ code: 'POLICY_VIOLATION' }));
    expect(byNo(paid.rows, 4)).toMatchObject({ status: 'DEFERRED', dueDate: '2031-02-10' });
  });

  it('partial prepayment recalculates the regular installments only; months the deferral left free stay free', () => {
    const rows = deferred();
    for (const mode of ['REDUCE_PAYMENT', 'REDUCE_TERM'] as const) {
      const next = prepayPartial(loanTerms, rows, 3_000_000, mode, '2030-01-20');
      const regular = next.filter((r) => !r.deferredFrom);
      const moved = next.filter((r) => r.deferredFrom);
      expect(new Set(next.map((r) => r.no)).size).toBe(next.length);
      expect(regular.every((r) => !['2030-05', '2030-06', '2030-07'].includes(r.dueDate.slice(0, 7)))).toBe(true);
      expect(regular.reduce((s, r) => s + r.principalFen, 0)).toBe(rows.filter((r) => !r.deferredFrom).reduce((s, r) => s + r.principalFen, 0) - 3_000_000);
      expect(moved.map((r) => [r.no, r.paymentFen])).toEqual([[4, 845_116], [5, 845_116], [6, 845_116]]);
      // one a month after the (new) last regular installment
      const last = regular[regular.length - 1].dueDate;
      expect(moved.map((r) => r.dueDate)).toEqual([1, 2, 3].map((k) => `${Number(last.slice(0, 4)) + Math.floor((Number(last.slice(5, 7)) - 1 + k) / 12)}-${String(((Number(last.slice(5, 7)) - 1 + k) % 12) + 1).padStart(2, '0')}-10`));
      if (mode === 'REDUCE_PAYMENT') expect(regular).toHaveLength(9);
      else expect(regular.length).toBeLessThan(9);
    }
  });

  it('repricing recalculates the regular installments and leaves the moved ones', () => {
    const rows = deferred();
    const next = reprice({ annualRate: '0.031', repaymentMethod: 'EQUAL_INSTALLMENT', dueDay: 10 }, rows, '0.026', '2030-01-01');
    expect(next.filter((r) => r.deferredFrom).map((r) => [r.no, r.dueDate, r.paymentFen])).toEqual([[4, '2031-02-10', 845_116], [5, '2031-03-10', 845_116], [6, '2031-04-10', 845_116]]);
    expect(new Set(next.map((r) => r.no)).size).toBe(12);
  });

  it('a moved installment is an ordinary one from its new date: due, then overdue with penalty', () => {
    let rows = deferred().map((r) => (r.deferredFrom ? r : { ...r, status: 'PAID' as const, paidFen: r.paymentFen }));
    rows = markOverdue(rows, '2031-02-10', rates);
    expect(byNo(rows, 4)).toMatchObject({ status: 'DUE', dueDate: '2031-02-10' });
    rows = markOverdue(rows, '2031-02-28', rates);
    // 18 days on 8,451.16: 845,116 × 18 × 0.039 / 360 = 1,647.98 → 16.48
    expect(byNo(rows, 4)).toMatchObject({ status: 'OVERDUE', penaltyFen: 1_648, creditReportable: true });
    expect(byNo(rows, 5).status).toBe('DEFERRED');
  });
});
