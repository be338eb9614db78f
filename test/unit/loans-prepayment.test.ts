import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  recalculateAfterPrepayment,
  reducedTerm,
} from '../../functions/loans/domain/prepayment.ts';
import { overdueAuditTriggered, penaltyInterestFen, riskClass } from '../../functions/loans/domain/penalty.ts';
import { scheduleFor, totalInterestFen, type Installment, type RepaymentMethod } from '../../functions/loans/domain/amortization.ts';

const sumPrincipal = (rows: Installment[]): number => rows.reduce((s, r) => s + r.principalFen, 0);

/** A 1,000,000.00 / 360 / 2.60% loan with 12 installments paid, then `prepayFen` prepaid. */
function afterTwelve(method: RepaymentMethod, prepayFen: number) {
  const original = scheduleFor(method, { principalFen: 100_000_000, annualRate: '0.026', termMonths: 360, firstDueDate: '2025-07-20' });
  const outstanding = original[11].remainingPrincipalFen;
  const remaining = outstanding - prepayFen;
  const tail = original.slice(12);
  const currentPaymentFen = method === 'EQUAL_INSTALLMENT' ? original[0].paymentFen : original[0].principalFen;
  return { original, outstanding, remaining, tail, currentPaymentFen, firstDueDate: original[12].dueDate };
}

describe('recalculateAfterPrepayment — equal installment', () => {
  const s = afterTwelve('EQUAL_INSTALLMENT', 200_000_00);
  const common = {
    remainingPrincipalFen: s.remaining,
    annualRate: '0.026',
    method: 'EQUAL_INSTALLMENT' as const,
    remainingInstallments: 348,
    currentPaymentFen: s.currentPaymentFen,
    firstDueDate: s.firstDueDate,
  };

  it('REDUCE_PAYMENT keeps 348 installments and lowers the payment', () => {
    const rows = recalculateAfterPrepayment({ ...common, mode: 'REDUCE_PAYMENT' });
    expect(rows).toHaveLength(348);
    expect(sumPrincipal(rows)).toBe(s.remaining);
    expect(rows[347].remainingPrincipalFen).toBe(0);
    expect(rows[0].paymentFen).toBeLessThan(4_003_40);
    expect(rows[0].dueDate).toBe('2026-07-20');
    expect(rows[347].dueDate).toBe(s.original[359].dueDate); // same maturity
    expect(rows).toEqual(scheduleFor('EQUAL_INSTALLMENT', { principalFen: s.remaining, annualRate: '0.026', termMonths: 348, firstDueDate: '2026-07-20' }));
  });

  it('REDUCE_TERM keeps M = 4,003.40 and shortens the term; the last installment absorbs the residue', () => {
    const rows = recalculateAfterPrepayment({ ...common, mode: 'REDUCE_TERM' });
    expect(rows.length).toBeLessThan(348);
    expect(sumPrincipal(rows)).toBe(s.remaining);
    expect(rows[rows.length - 1].remainingPrincipalFen).toBe(0);
    for (const row of rows.slice(0, -1)) expect(row.paymentFen).toBe(4_003_40);
    const last = rows[rows.length - 1];
    expect(last.paymentFen).toBeLessThanOrEqual(4_003_40);
    expect(last.paymentFen).toBeGreaterThan(0);
    // smallest n: one installment fewer would leave a last payment above M
    expect(reducedTerm(s.remaining, '0.026', 'EQUAL_INSTALLMENT', 4_003_40, 348)).toBe(rows.length);
    // less interest than keeping the payment down
    const reducePayment = recalculateAfterPrepayment({ ...common, mode: 'REDUCE_PAYMENT' });
    expect(totalInterestFen(rows)).toBeLessThan(totalInterestFen(reducePayment));
    expect(totalInterestFen(reducePayment)).toBeLessThan(totalInterestFen(s.tail));
  });

  it('REDUCE_TERM with nothing prepaid reproduces the original tail exactly (term capped at 348)', () => {
    const rows = recalculateAfterPrepayment({ ...common, remainingPrincipalFen: s.outstanding, mode: 'REDUCE_TERM' });
    expect(rows.map(({ no, ...rest }) => rest)).toEqual(s.tail.map(({ no, ...rest }) => rest));
  });

  it('prepaying everything leaves an empty schedule', () => {
    expect(recalculateAfterPrepayment({ ...common, remainingPrincipalFen: 0, mode: 'REDUCE_TERM' })).toEqual([]);
  });
});

describe('recalculateAfterPrepayment — equal principal', () => {
  const s = afterTwelve('EQUAL_PRINCIPAL', 200_000_00);
  const common = {
    remainingPrincipalFen: s.remaining,
    annualRate: '0.026',
    method: 'EQUAL_PRINCIPAL' as const,
    remainingInstallments: 348,
    currentPaymentFen: s.currentPaymentFen, // 2,777.78 principal part
    firstDueDate: s.firstDueDate,
  };

  it('REDUCE_PAYMENT keeps 348 installments with a smaller principal part', () => {
    const rows = recalculateAfterPrepayment({ ...common, mode: 'REDUCE_PAYMENT' });
    expect(rows).toHaveLength(348);
    expect(sumPrincipal(rows)).toBe(s.remaining);
    expect(rows[0].principalFen).toBe(Math.round(s.remaining / 348));
    expect(rows[0].principalFen).toBeLessThan(2_777_78);
    expect(rows[0].paymentFen).toBeLessThan(s.tail[0].paymentFen);
  });

  it('REDUCE_TERM keeps the 2,777.78 principal part: n = ceil(P / part)', () => {
    const rows = recalculateAfterPrepayment({ ...common, mode: 'REDUCE_TERM' });
    expect(rows).toHaveLength(Math.ceil(s.remaining / 2_777_78));
    expect(rows.length).toBeLessThan(348);
    for (const row of rows.slice(0, -1)) expect(row.principalFen).toBe(2_777_78);
    expect(rows[rows.length - 1].principalFen).toBeLessThanOrEqual(2_777_78);
    expect(sumPrincipal(rows)).toBe(s.remaining);
  });

  it('REDUCE_TERM with nothing prepaid reproduces the original tail exactly', () => {
    const rows = recalculateAfterPrepayment({ ...common, remainingPrincipalFen: s.outstanding, mode: 'REDUCE_TERM' });
    expect(rows.map(({ no, ...rest }) => rest)).toEqual(s.tail.map(({ no, ...rest }) => rest));
  });
});

describe('recalculateAfterPrepayment — regressions', () => {
  // fast-check counterexample (seed 1676950366): [100000, '0.015', 313, 0.9712460063897763, 0.05,
  // 'EQUAL_PRINCIPAL', 'REDUCE_TERM']. part = round(100000 / 313) = 319 fen, the original last row is
  // 100000 − 312·319 = 472 fen. After 304 installments 3,024 fen are outstanding; prepaying 151 leaves
  // 2,873, which needs ceil(2873 / 319) = 10 installments at 319 — more than the 9 left. The term is
  // capped at 9 and the last row absorbs 321 fen (> the part, but < the old last 472).
  it('REDUCE_TERM capped at the remaining installments: the last principal may exceed the part', () => {
    const original = scheduleFor('EQUAL_PRINCIPAL', { principalFen: 100000, annualRate: '0.015', termMonths: 313, firstDueDate: '2025-01-31' });
    expect(original[0].principalFen).toBe(319);
    expect(original[312].principalFen).toBe(472);
    const outstanding = original[303].remainingPrincipalFen;
    expect(outstanding).toBe(3024);
    const remaining = outstanding - 151;
    const rows = recalculateAfterPrepayment({
      remainingPrincipalFen: remaining,
      annualRate: '0.015',
      method: 'EQUAL_PRINCIPAL',
      mode: 'REDUCE_TERM',
      remainingInstallments: 9,
      currentPaymentFen: 319,
      firstDueDate: original[304].dueDate,
    });
    expect(reducedTerm(remaining, '0.015', 'EQUAL_PRINCIPAL', 319, 9)).toBe(9);
    expect(rows).toHaveLength(9); // never longer than the old schedule
    for (const row of rows.slice(0, -1)) expect(row.principalFen).toBe(319);
    expect(rows[8].principalFen).toBe(321);
    expect(rows[8].principalFen).toBeLessThanOrEqual(original[312].principalFen);
    expect(rows[8].paymentFen).toBeLessThanOrEqual(original[312].paymentFen);
    expect(rows[7].remainingPrincipalFen).toBe(321); // 8 installments would not do
    expect(sumPrincipal(rows)).toBe(2873);
    expect(rows[8].remainingPrincipalFen).toBe(0);
  });
});

describe('prepayment properties (fast-check)', () => {
  const method = fc.constantFrom('EQUAL_INSTALLMENT' as const, 'EQUAL_PRINCIPAL' as const);
  const mode = fc.constantFrom('REDUCE_TERM' as const, 'REDUCE_PAYMENT' as const);

  it('sums are exact, the term never grows and the payment never rises', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_00, max: 2_000_000_00 }),
        fc.integer({ min: 150, max: 500 }).map((k) => (k / 10000).toString()),
        fc.integer({ min: 2, max: 360 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        method,
        mode,
        (principalFen, annualRate, termMonths, paidShare, prepayShare, m, md) => {
          const original = scheduleFor(m, { principalFen, annualRate, termMonths, firstDueDate: '2025-01-31' });
          const paid = Math.min(termMonths - 1, Math.floor(paidShare * termMonths));
          const outstanding = paid === 0 ? principalFen : original[paid - 1].remainingPrincipalFen;
          const prepay = Math.floor(outstanding * prepayShare);
          const remaining = outstanding - prepay;
          const k = termMonths - paid;
          const current = m === 'EQUAL_INSTALLMENT' ? original[0].paymentFen : original[0].principalFen;
          const rows = recalculateAfterPrepayment({
            remainingPrincipalFen: remaining,
            annualRate,
            method: m,
            mode: md,
            remainingInstallments: k,
            currentPaymentFen: current,
            firstDueDate: original[paid].dueDate,
          });
          const fail = (msg: string): never => {
            throw new Error(`${msg}: ${JSON.stringify({ principalFen, annualRate, termMonths, paid, prepay, m, md })}`);
          };
          if (remaining === 0) {
            if (rows.length !== 0) fail('expected an empty schedule');
            return;
          }
          if (sumPrincipal(rows) !== remaining) fail('principals do not sum to the remaining principal');
          if (rows[rows.length - 1].remainingPrincipalFen !== 0) fail('last remaining ≠ 0');
          if (rows.some((r) => r.remainingPrincipalFen < 0 || r.paymentFen !== r.principalFen + r.interestFen)) fail('bad row');
          if (rows.length > k) fail('term grew');
          if (rows[0].dueDate !== original[paid].dueDate) fail('first due date moved');
          if (md === 'REDUCE_PAYMENT' && rows.length !== k) fail('REDUCE_PAYMENT changed the term');
          if (md === 'REDUCE_TERM' && m === 'EQUAL_INSTALLMENT') {
            if (rows.slice(0, -1).some((r) => r.paymentFen !== current)) fail('REDUCE_TERM changed M');
          }
          if (md === 'REDUCE_TERM' && m === 'EQUAL_PRINCIPAL') {
            if (rows.slice(0, -1).some((r) => r.principalFen !== current)) fail('REDUCE_TERM changed the principal part');
          }
          // REDUCE_TERM's term is n = min(smallest n whose last installment fits in the kept payment, k).
          // "last ≤ kept" is therefore only an invariant when n < k. When the cap binds (nothing or almost
          // nothing prepaid), the kept payment would need MORE than k installments — the old schedule's own
          // last row may already exceed the kept payment by rounding (等额本金: P − n·round(P/n) up to n/2 fen,
          // e.g. 100000 fen / 313 → part 319, old last 472) — and the last row absorbs the residue. Then it
          // is bounded by the old schedule's last row instead: a prepayment never makes the last one larger.
          // Together with minimality (no non-last row clears the balance, i.e. n − 1 installments would not
          // do) this pins n down exactly.
          if (md === 'REDUCE_TERM') {
            const last = rows[rows.length - 1];
            const oldLast = original[termMonths - 1];
            if (last.principalFen <= 0) fail('empty last installment');
            if (rows.slice(0, -1).some((r) => r.remainingPrincipalFen === 0)) fail('term not minimal');
            if (rows.length < k) {
              if ((m === 'EQUAL_INSTALLMENT' ? last.paymentFen : last.principalFen) > current) fail('last installment above the kept payment');
            } else {
              if (last.principalFen > oldLast.principalFen) fail('last principal above the old schedule\'s last');
              if (last.paymentFen > oldLast.paymentFen) fail('last payment above the old schedule\'s last');
            }
          }
          // a prepayment of at least one month's payment: the payment does not rise / the last one fits in M
          if (prepay >= current) {
            if (md === 'REDUCE_PAYMENT' && rows[0].paymentFen > original[paid].paymentFen) fail('payment rose');
            if (md === 'REDUCE_TERM' && rows[rows.length - 1].paymentFen > (m === 'EQUAL_INSTALLMENT' ? current : rows[0].paymentFen)) fail('last payment too large');
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('penaltyInterestFen', () => {
  it('overdue × rate × 1.5 / 360 × days, rounded once, half-up', () => {
    // 4,003.40 × 2.6% × 1.5 / 360 × 30 = 13.01105 → 13.01
    expect(penaltyInterestFen({ overdueAmountFen: 4_003_40, annualRate: '0.026', multiplier: '1.5', dayBasis: 360, days: 30 })).toBe(13_01);
    // 2.4% × 1.5 / 360 = 0.0001 per fen per day: 5,000 fen × 1 day = 0.5 fen → 1 (half-up)
    expect(penaltyInterestFen({ overdueAmountFen: 5_000, annualRate: '0.024', multiplier: '1.5', dayBasis: 360, days: 1 })).toBe(1);
    expect(penaltyInterestFen({ overdueAmountFen: 4_999, annualRate: '0.024', multiplier: '1.5', dayBasis: 360, days: 1 })).toBe(0);
    // rounded once: 3 days of 0.5 fen = 1.5 → 2 (daily rounding would give 3)
    expect(penaltyInterestFen({ overdueAmountFen: 5_000, annualRate: '0.024', multiplier: '1.5', dayBasis: 360, days: 3 })).toBe(2);
    expect(penaltyInterestFen({ overdueAmountFen: 5_000, annualRate: '0.024', multiplier: '1.5', dayBasis: 360, days: 0 })).toBe(0);
    // a year of 360 days at 1.5 × 3.075% on 10,000.00 = 461.25
    expect(penaltyInterestFen({ overdueAmountFen: 10_000_00, annualRate: '0.03075', multiplier: '1.5', dayBasis: 360, days: 360 })).toBe(461_25);
  });

  it('rejects bad input', () => {
    const ok = { overdueAmountFen: 100, annualRate: '0.026', multiplier: '1.5', dayBasis: 360, days: 1 };
    expect(() => penaltyInterestFen({ ...ok, days: -1 })).toThrow(RangeError);
    expect(() => penaltyInterestFen({ ...ok, days: 1.5 })).toThrow(RangeError);
    expect(() => penaltyInterestFen({ ...ok, overdueAmountFen: 0.5 })).toThrow(RangeError);
    expect(() => penaltyInterestFen({ ...ok, dayBasis: 0 })).toThrow(RangeError);
    expect(() => penaltyInterestFen({ ...ok, multiplier: 'x' })).toThrow(RangeError);
  });
});

describe('riskClass (five classes by days overdue)', () => {
  const h = (maxDaysOverdue: number) => ({ consecutiveOverdue: 0, cumulativeOverdue: 0, maxDaysOverdue });
  it('uses the 0 / 1–90 / 91–180 / 181–360 / >360 day bands', () => {
    expect(riskClass(h(0))).toBe('NORMAL');
    expect(riskClass(h(1))).toBe('WATCH');
    expect(riskClass(h(90))).toBe('WATCH');
    expect(riskClass(h(91))).toBe('SUBSTANDARD');
    expect(riskClass(h(180))).toBe('SUBSTANDARD');
    expect(riskClass(h(181))).toBe('DOUBTFUL');
    expect(riskClass(h(360))).toBe('DOUBTFUL');
    expect(riskClass(h(361))).toBe('LOSS');
    expect(riskClass(h(5000))).toBe('LOSS');
    expect(() => riskClass(h(-1))).toThrow(RangeError);
  });
  it('installment counts do not change the class', () => {
    expect(riskClass({ consecutiveOverdue: 5, cumulativeOverdue: 9, maxDaysOverdue: 0 })).toBe('NORMAL');
  });
  it('audit trigger: 3 consecutive or 6 cumulative', () => {
    const t = { consecutive: 3, cumulative: 6 };
    expect(overdueAuditTriggered({ consecutiveOverdue: 2, cumulativeOverdue: 5 }, t)).toBe(false);
    expect(overdueAuditTriggered({ consecutiveOverdue: 3, cumulativeOverdue: 3 }, t)).toBe(true);
    expect(overdueAuditTriggered({ consecutiveOverdue: 1, cumulativeOverdue: 6 }, t)).toBe(true);
  });
});
