import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { D, roundFen } from '../../shared/money.ts';
import {
  dueDates,
  equalInstallmentPaymentFen,
  exactMonthlyRate,
  monthlyInterestFen,
  equalInstallmentSchedule,
  equalPrincipalSchedule,
  firstPaymentFen,
  monthlyDueDate,
  scheduleFor,
  totalInterestFen,
  type Installment,
  type RepaymentMethod,
} from '../../functions/loans/domain/amortization.ts';

const RUNS = 250;
const PROPERTY_TIMEOUT_MS = 60_000;

describe('equal installment (等额本息) — domain.md worked examples', () => {
  it('1,000,000.00 / 360 months / 2.60%', () => {
    const rows = equalInstallmentSchedule({ principalFen: 100_000_000, annualRate: '0.026', termMonths: 360, firstDueDate: '2025-06-20' });
    expect(rows).toHaveLength(360);
    expect(rows[0].paymentFen).toBe(4_003_40); // M = 4,003.40
    expect(rows[0].interestFen).toBe(2_166_67); // month 1 interest 2,166.67
    expect(rows[0].principalFen).toBe(1_836_73); // month 1 principal 1,836.73
    for (const row of rows.slice(0, 359)) expect(row.paymentFen).toBe(4_003_40);
    expect(rows[359].paymentFen).toBe(4_001_75); // month 360 = 4,001.75
    expect(rows[359].remainingPrincipalFen).toBe(0);
    expect(totalInterestFen(rows)).toBe(441_222_35); // total interest 441,222.35
  });

  it('100,000.00 / 12 months / 2.60%: the full table', () => {
    const rows = equalInstallmentSchedule({ principalFen: 10_000_000, annualRate: '0.026', termMonths: 12, firstDueDate: '2025-01-31' });
    // Verified by hand-derivation (exact fractions, half-up per month), written literally.
    // [no, dueDate, payment, principal, interest, remaining] in fen
    const expected: Array<[number, string, number, number, number, number]> = [
      [1, '2025-01-31', 845116, 823449, 21667, 9176551],
      [2, '2025-02-28', 845116, 825233, 19883, 8351318],
      [3, '2025-03-31', 845116, 827021, 18095, 7524297],
      [4, '2025-04-30', 845116, 828813, 16303, 6695484],
      [5, '2025-05-31', 845116, 830609, 14507, 5864875],
      [6, '2025-06-30', 845116, 832409, 12707, 5032466],
      [7, '2025-07-31', 845116, 834212, 10904, 4198254],
      [8, '2025-08-31', 845116, 836020, 9096, 3362234],
      [9, '2025-09-30', 845116, 837831, 7285, 2524403],
      [10, '2025-10-31', 845116, 839646, 5470, 1684757],
      [11, '2025-11-30', 845116, 841466, 3650, 843291],
      [12, '2025-12-31', 845118, 843291, 1827, 0],
    ];
    expect(rows.map((r) => [r.no, r.dueDate, r.paymentFen, r.principalFen, r.interestFen, r.remainingPrincipalFen])).toEqual(expected);
    // domain.md: 11 × 8,451.16, last 8,451.18
    expect(rows.filter((r) => r.paymentFen === 8_451_16)).toHaveLength(11);
    expect(rows[11].paymentFen).toBe(8_451_18);
  });

  it('zero rate: M = round(P/n), the last takes the remainder', () => {
    const rows = equalInstallmentSchedule({ principalFen: 100_000, annualRate: '0', termMonths: 3, firstDueDate: '2025-01-10' });
    expect(rows.map((r) => [r.paymentFen, r.principalFen, r.interestFen, r.remainingPrincipalFen])).toEqual([
      [33333, 33333, 0, 66667],
      [33333, 33333, 0, 33334],
      [33334, 33334, 0, 0],
    ]);
  });

  it('one month: principal + one month of interest', () => {
    const rows = equalInstallmentSchedule({ principalFen: 1_200_000, annualRate: '0.03', termMonths: 1, firstDueDate: '2025-01-10' });
    expect(rows).toEqual([{ no: 1, dueDate: '2025-01-10', paymentFen: 1_203_000, principalFen: 1_200_000, interestFen: 3_000, remainingPrincipalFen: 0 }]);
  });
});

describe('equal principal (等额本金) — domain.md worked example', () => {
  it('1,000,000.00 / 360 months / 2.60%', () => {
    const rows = equalPrincipalSchedule({ principalFen: 100_000_000, annualRate: '0.026', termMonths: 360, firstDueDate: '2025-06-20' });
    expect(rows).toHaveLength(360);
    expect(rows[0].paymentFen).toBe(4_944_45); // first 4,944.45
    expect(rows[0].principalFen).toBe(2_777_78);
    expect(rows[0].interestFen).toBe(2_166_67);
    expect(rows[359].paymentFen).toBe(2_783_00); // last 2,783.00
    expect(rows[359].principalFen).toBe(100_000_000 - 359 * 2_777_78);
    expect(totalInterestFen(rows)).toBe(391_083_03); // total interest 391,083.03
  });

  it('zero rate', () => {
    const rows = equalPrincipalSchedule({ principalFen: 1_000, annualRate: '0', termMonths: 3, firstDueDate: '2025-01-10' });
    expect(rows.map((r) => r.principalFen)).toEqual([333, 333, 334]);
    expect(totalInterestFen(rows)).toBe(0);
  });

  it('a tiny principal over many months never goes negative', () => {
    // round(540/360) = 2 and 359 × 2 > 540: non-last principals are capped at the balance.
    const rows = equalPrincipalSchedule({ principalFen: 540, annualRate: '0.026', termMonths: 360, firstDueDate: '2025-01-10' });
    expect(rows.reduce((s, r) => s + r.principalFen, 0)).toBe(540);
    for (const r of rows) expect(r.remainingPrincipalFen).toBeGreaterThanOrEqual(0);
  });
});

describe('monthly interest is the exact rational, rounded half-up once', () => {
  it('an exact half fen rounds up (240 fen × 2.5% / 12 = 0.5 fen → 1)', () => {
    expect(monthlyInterestFen(240, exactMonthlyRate('0.025'))).toBe(1);
    expect(monthlyInterestFen(239, exactMonthlyRate('0.025'))).toBe(0);
    const rows = equalPrincipalSchedule({ principalFen: 240, annualRate: '0.025', termMonths: 1, firstDueDate: '2025-01-10' });
    expect(rows[0].interestFen).toBe(1);
    // 1,000,000.00 × 2.6% / 12 = 2,166.666… → 2,166.67
    expect(monthlyInterestFen(100_000_000, exactMonthlyRate('0.026'))).toBe(2_166_67);
    expect(monthlyInterestFen(100_000_000, exactMonthlyRate('0'))).toBe(0);
  });

  it('property: equals Decimal round(balance × annual / 12) with the division last (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 7 }),
        (balance, a, k) => {
          const rate = (a / 10 ** k).toFixed(k);
          const want = roundFen(new D(balance).times(rate).div(12));
          if (monthlyInterestFen(balance, exactMonthlyRate(rate)) !== want) throw new Error(`${balance} × ${rate} / 12`);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('M is the exact rational, rounded once', () => {
  it('worked examples', () => {
    expect(equalInstallmentPaymentFen(100_000_000, exactMonthlyRate('0.026'), 360)).toBe(4_003_40);
    expect(equalInstallmentPaymentFen(10_000_000, exactMonthlyRate('0.026'), 12)).toBe(8_451_16);
    expect(equalInstallmentPaymentFen(100_000, exactMonthlyRate('0'), 3)).toBe(33_333);
  });

  it('property: agrees with the decimal.js formula P·r·(1+r)^n / ((1+r)^n − 1) (fast-check)', () => {
    fc.assert(
      fc.property(principalArb, rateArb, termArb, (principalFen, annualRate, n) => {
        const r = new D(annualRate).div(12);
        const g = r.plus(1).pow(n);
        const want = roundFen(new D(principalFen).times(r).times(g).div(g.minus(1)));
        if (equalInstallmentPaymentFen(principalFen, exactMonthlyRate(annualRate), n) !== want) throw new Error(`${principalFen} ${annualRate} ${n}`);
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);
});

describe('scheduleFor', () => {
  it('dispatches on the method', () => {
    const input = { principalFen: 10_000_000, annualRate: '0.026', termMonths: 12, firstDueDate: '2025-01-31' };
    expect(scheduleFor('EQUAL_INSTALLMENT', input)).toEqual(equalInstallmentSchedule(input));
    expect(scheduleFor('EQUAL_PRINCIPAL', input)).toEqual(equalPrincipalSchedule(input));
    expect(() => scheduleFor('BALLOON' as RepaymentMethod, input)).toThrow(RangeError);
  });

  it('rejects bad input', () => {
    const ok = { principalFen: 100, annualRate: '0.026', termMonths: 12, firstDueDate: '2025-01-31' };
    expect(() => equalInstallmentSchedule({ ...ok, principalFen: 1.5 })).toThrow(RangeError);
    expect(() => equalInstallmentSchedule({ ...ok, principalFen: -1 })).toThrow(RangeError);
    expect(() => equalInstallmentSchedule({ ...ok, termMonths: 0 })).toThrow(RangeError);
    expect(() => equalInstallmentSchedule({ ...ok, annualRate: '2.6%' })).toThrow(RangeError);
    expect(() => equalInstallmentSchedule({ ...ok, annualRate: '-0.01' })).toThrow(RangeError);
    expect(() => equalInstallmentSchedule({ ...ok, firstDueDate: '2025-02-30' })).toThrow(RangeError);
    expect(() => equalInstallmentSchedule({ ...ok, dueDay: 15 })).toThrow(RangeError); // 01-31 is not the 15th
  });
});

describe('due dates', () => {
  it('clamp the due day to the month end and come back', () => {
    expect(dueDates('2024-01-31', 5)).toEqual(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30', '2024-05-31']);
    expect(dueDates('2025-02-28', 3, 31)).toEqual(['2025-02-28', '2025-03-31', '2025-04-30']);
    expect(dueDates('2025-02-28', 2, 30)).toEqual(['2025-02-28', '2025-03-30']);
    expect(dueDates('2025-11-15', 3)).toEqual(['2025-11-15', '2025-12-15', '2026-01-15']);
  });

  it('monthlyDueDate', () => {
    expect(monthlyDueDate('2025-01-31', 1, 31)).toBe('2025-02-28');
    expect(monthlyDueDate('2025-01-31', 2)).toBe('2025-03-31');
    expect(monthlyDueDate('2023-12-29', 2, 29)).toBe('2024-02-29');
    expect(monthlyDueDate('2025-03-31', -1)).toBe('2025-02-28');
  });

  it('a 360-month schedule ends 359 months after the first due date', () => {
    const rows = equalInstallmentSchedule({ principalFen: 100_000_000, annualRate: '0.026', termMonths: 360, firstDueDate: '2025-06-20' });
    expect(rows[359].dueDate).toBe('2055-05-20');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const principalArb = fc.integer({ min: 1_000_00, max: 2_000_000_00 });
// '0.015' … '0.05' with up to 4 decimals
const rateArb = fc.integer({ min: 150, max: 500 }).map((k) => (k / 10000).toString());
const termArb = fc.integer({ min: 1, max: 360 });
const dayArb = fc.integer({ min: 1, max: 31 });

function checkInvariants(rows: Installment[], principalFen: number, termMonths: number): void {
  const fail = (msg: string, row?: Installment): never => {
    throw new Error(`${msg}${row ? ` at ${JSON.stringify(row)}` : ''}`);
  };
  if (rows.length !== termMonths) fail(`length ${rows.length} ≠ ${termMonths}`);
  let sum = 0;
  let prev = principalFen;
  rows.forEach((row, i) => {
    if (row.no !== i + 1) fail('numbering', row);
    for (const v of [row.paymentFen, row.principalFen, row.interestFen, row.remainingPrincipalFen]) {
      if (!Number.isSafeInteger(v)) fail('non-integer value', row);
    }
    if (row.principalFen < 0 || row.interestFen < 0) fail('negative part', row);
    if (row.paymentFen !== row.principalFen + row.interestFen) fail('payment ≠ principal + interest', row);
    if (row.remainingPrincipalFen < 0) fail('negative balance', row);
    if (row.remainingPrincipalFen > prev) fail('balance increased', row);
    if (row.remainingPrincipalFen !== prev - row.principalFen) fail('balance ≠ previous − principal', row);
    prev = row.remainingPrincipalFen;
    sum += row.principalFen;
  });
  if (sum !== principalFen) fail(`principals sum to ${sum} ≠ ${principalFen}`);
  if (rows[rows.length - 1].remainingPrincipalFen !== 0) fail('last remaining ≠ 0');
}

describe('schedule properties (fast-check)', () => {
  for (const method of ['EQUAL_INSTALLMENT', 'EQUAL_PRINCIPAL'] as const) {
    it(`${method}: principals sum to the loan, balances non-negative and non-increasing, integers`, () => {
      fc.assert(
        fc.property(principalArb, rateArb, termArb, (principalFen, annualRate, termMonths) => {
          const rows = scheduleFor(method, { principalFen, annualRate, termMonths, firstDueDate: '2025-01-31' });
          checkInvariants(rows, principalFen, termMonths);
        }),
        { numRuns: RUNS },
      );
    }, PROPERTY_TIMEOUT_MS);

    it(`${method}: firstPaymentFen equals the generated first payment`, () => {
      fc.assert(
        fc.property(principalArb, rateArb, termArb, (principalFen, annualRate, termMonths) => {
          const rows = scheduleFor(method, { principalFen, annualRate, termMonths, firstDueDate: '2025-03-10' });
          expect(firstPaymentFen(method, principalFen, annualRate, termMonths)).toBe(rows[0].paymentFen);
        }),
        { numRuns: RUNS },
      );
    }, PROPERTY_TIMEOUT_MS);
  }

  it('EQUAL_INSTALLMENT: every payment but the last equals M; the last is within the rounding bound of M', () => {
    fc.assert(
      fc.property(principalArb, rateArb, fc.integer({ min: 2, max: 360 }), (principalFen, annualRate, termMonths) => {
        const rows = equalInstallmentSchedule({ principalFen, annualRate, termMonths, firstDueDate: '2025-01-31' });
        const m = rows[0].paymentFen;
        expect(rows.slice(0, -1).every((row) => row.paymentFen === m)).toBe(true);
        // each month adds at most 1 fen of rounding error (M and interest), compounded at r
        const r = Number(annualRate) / 12;
        const bound = (Math.pow(1 + r, termMonths) - 1) / r + 1;
        expect(Math.abs(rows[rows.length - 1].paymentFen - m)).toBeLessThanOrEqual(bound);
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('due dates are monthly on the (clamped) due day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2060 }), fc.integer({ min: 1, max: 12 }), dayArb, termArb, (y, m, day, n) => {
        const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
        const first = `${y}-${String(m).padStart(2, '0')}-${String(Math.min(day, dim)).padStart(2, '0')}`;
        const dates = dueDates(first, n, day);
        dates.forEach((date, i) => {
          const idx = y * 12 + (m - 1) + i;
          const yy = Math.floor(idx / 12);
          const mm = (idx % 12) + 1;
          const dd = Math.min(day, new Date(Date.UTC(yy, mm, 0)).getUTCDate());
          const want = `${yy}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
          if (date !== want) throw new Error(`installment ${i + 1}: ${date} ≠ ${want}`);
        });
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);
});
