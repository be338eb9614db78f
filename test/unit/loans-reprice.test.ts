// Annual repricing (domain.md §4: existing loans reprice on the next January 1), pure.
import { describe, expect, it } from 'vitest';
import { newRows, payRow, reprice, type ScheduleRow } from '../../functions/loans/domain/installments.ts';
import { scheduleFor, type RepaymentMethod } from '../../functions/loans/domain/amortization.ts';
import { D } from '../../shared/money.ts';

// 1,000,000.00 over 360 months at 3.25% (the 2016 rate), first due 2024-02-10.
const OLD = '0.0325';
const NEW = '0.026';
const terms = (method: RepaymentMethod) => ({ annualRate: OLD, repaymentMethod: method, dueDay: 10 });
const schedule = (method: RepaymentMethod) => newRows(scheduleFor(method, { principalFen: 100_000_000, annualRate: OLD, termMonths: 360, firstDueDate: '2024-02-10', dueDay: 10 }));
const sumPrincipal = (rows: readonly ScheduleRow[]) => rows.reduce((s, r) => s + r.principalFen, 0);

/** Independent 等额本息 payment: round(P·r(1+r)^n / ((1+r)^n − 1)), half-up. */
const annuityFen = (principalFen: number, annualRate: string, n: number) => {
  const r = new D(annualRate).div(12);
  const g = r.plus(1).pow(n);
  return new D(principalFen).times(r).times(g).div(g.minus(1)).toDecimalPlaces(0).toNumber();
};

describe('reprice on January 1', () => {
  it('recalculates the installments due from January 1 at the new rate, over as many installments, from the principal they carry', () => {
    const rows = schedule('EQUAL_INSTALLMENT');
    const after = reprice(terms('EQUAL_INSTALLMENT'), rows, NEW, '2025-01-01');
    const kept = rows.filter((r) => r.dueDate < '2025-01-01');
    expect(kept).toHaveLength(11); // 2024-02-10 … 2024-12-10
    expect(after.slice(0, 11)).toEqual(kept);
    const future = after.slice(11);
    expect(future).toHaveLength(349);
    expect(future.map((r) => r.no)).toEqual(rows.slice(11).map((r) => r.no));
    expect(future.map((r) => r.dueDate)).toEqual(rows.slice(11).map((r) => r.dueDate));
    expect(sumPrincipal(future)).toBe(sumPrincipal(rows.slice(11)));
    expect(future[0].paymentFen).toBe(annuityFen(sumPrincipal(rows.slice(11)), NEW, 349));
    expect(future[0].paymentFen).toBeLessThan(rows[11].paymentFen); // a lower rate, a lower payment
    expect(future.every((r) => r.status === 'DUE' && r.paidFen === 0)).toBe(true);
  });

  it('keeps installments already paid, partly paid or offset after January 1 as they are', () => {
    const rows = schedule('EQUAL_PRINCIPAL');
    // the January installment was paid early by the bank, February's in part
    rows[11] = payRow(rows[11], rows[11].paymentFen, '2024-12-28').row;
    rows[12] = payRow(rows[12], 1_000, '2024-12-28').row;
    const after = reprice(terms('EQUAL_PRINCIPAL'), rows, NEW, '2025-01-01');
    expect(after.slice(0, 13)).toEqual(rows.slice(0, 13));
    const future = after.slice(13);
    expect(sumPrincipal(future)).toBe(sumPrincipal(rows.slice(13)));
    // 等额本金 at the new rate: the first recalculated interest is round(balance × 2.6% / 12)
    expect(future[0].interestFen).toBe(new D(sumPrincipal(rows.slice(13))).times(NEW).div(12).toDecimalPlaces(0).toNumber());
  });

  it('changes nothing at the same rate, or when nothing is left to recalculate', () => {
    const rows = schedule('EQUAL_INSTALLMENT');
    expect(reprice(terms('EQUAL_INSTALLMENT'), rows, OLD, '2025-01-01')).toEqual(rows);
    expect(reprice(terms('EQUAL_INSTALLMENT'), rows, NEW, '2055-01-01')).toEqual(rows); // after the last installment
  });
});
