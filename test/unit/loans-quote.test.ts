import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  paymentLimitFen,
  productCapFen,
  quoteLoan,
  repaymentCapacityFen,
  type QuoteInput,
} from '../../functions/loans/domain/quote.ts';
import { firstPaymentFen, scheduleFor } from '../../functions/loans/domain/amortization.ts';

const CAPS = {
  TALENT: 1_000_000_00,
  GRASSROOTS_CIVIL_SERVANT: 800_000_00,
  STANDARD_DISTRICT: 600_000_00,
  STANDARD_COUNTY: 500_000_00,
};

const base: QuoteInput = {
  productCapFen: CAPS.STANDARD_DISTRICT,
  coBorrower: false,
  capRaise: '0.5',
  combinedBalanceFen: 50_000_00,
  balanceMultiple: 20,
  housePriceFen: 1_500_000_00,
  ltv: '0.8',
  termMonths: 360,
  annualRate: '0.026',
  monthlyIncomeFen: 10_000_00,
  incomeShare: '0.5',
  method: 'EQUAL_INSTALLMENT',
};

describe('productCapFen', () => {
  it('maps category and location to the cap', () => {
    expect(productCapFen('TALENT', 'DISTRICT', CAPS)).toBe(1_000_000_00);
    expect(productCapFen('TALENT', 'COUNTY', CAPS)).toBe(1_000_000_00);
    expect(productCapFen('GRASSROOTS_CIVIL_SERVANT', 'COUNTY', CAPS)).toBe(800_000_00);
    expect(productCapFen('GRASSROOTS_CIVIL_SERVANT', 'DISTRICT', CAPS)).toBe(800_000_00);
    expect(productCapFen('STANDARD', 'DISTRICT', CAPS)).toBe(600_000_00);
    expect(productCapFen('STANDARD', 'COUNTY', CAPS)).toBe(500_000_00);
  });
});

describe('repayment capacity', () => {
  it('worked examples (verified independently with exact fractions)', () => {
    // income 10,000.00 × 50% = 5,000.00
    expect(repaymentCapacityFen({ ...base })).toBe(1_248_940_55);
    expect(repaymentCapacityFen({ ...base, method: 'EQUAL_PRINCIPAL' })).toBe(1_011_237_69);
    // income 6,000.00 × 50% = 3,000.00, 60 months at 2.10%
    const short = { ...base, monthlyIncomeFen: 6_000_00, termMonths: 60, annualRate: '0.021' };
    expect(repaymentCapacityFen(short)).toBe(170_730_88);
    expect(repaymentCapacityFen({ ...short, method: 'EQUAL_PRINCIPAL' })).toBe(162_896_09);
  });

  it('is exact to the fen: payment(P) ≤ limit < payment(P + 1)', () => {
    const p = repaymentCapacityFen(base);
    const limit = paymentLimitFen(base.monthlyIncomeFen, base.incomeShare);
    expect(limit).toBe(5_000_00);
    expect(firstPaymentFen('EQUAL_INSTALLMENT', p, '0.026', 360)).toBeLessThanOrEqual(limit);
    expect(firstPaymentFen('EQUAL_INSTALLMENT', p + 1, '0.026', 360)).toBeGreaterThan(limit);
    // and the generated schedule agrees
    const rows = scheduleFor('EQUAL_INSTALLMENT', { principalFen: p, annualRate: '0.026', termMonths: 360, firstDueDate: '2025-07-01' });
    expect(rows[0].paymentFen).toBeLessThanOrEqual(limit);
  });

  it('the limit is income × share as an exact decimal (an odd fen rounds the limit down)', () => {
    expect(paymentLimitFen(10_000_01, '0.5')).toBe(5_000_00); // 5,000.005 → payments up to 5,000.00 fit
    expect(repaymentCapacityFen({ ...base, monthlyIncomeFen: 10_000_01 })).toBe(repaymentCapacityFen(base));
  });

  it('zero income: only principals whose first payment rounds to 0.00 fit; zero rate works', () => {
    // 360 months at 2.60%: M(124 fen) = round(0.496) = 0, M(125 fen) = round(0.5001…) = 1
    expect(repaymentCapacityFen({ ...base, monthlyIncomeFen: 0 })).toBe(124);
    expect(firstPaymentFen('EQUAL_INSTALLMENT', 124, '0.026', 360)).toBe(0);
    expect(firstPaymentFen('EQUAL_INSTALLMENT', 125, '0.026', 360)).toBe(1);
    // r = 0: payment = round(P/12) ≤ 5,000.00 ⇔ P/12 < 500,000.5 ⇔ P ≤ 6,000,005
    expect(repaymentCapacityFen({ ...base, annualRate: '0', termMonths: 12 })).toBe(6_000_005);
  });

  it('property: exact to the fen for both methods (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000_00 }),
        fc.integer({ min: 0, max: 500 }).map((k) => (k / 10000).toString()),
        fc.integer({ min: 1, max: 360 }),
        fc.constantFrom('EQUAL_INSTALLMENT' as const, 'EQUAL_PRINCIPAL' as const),
        (income, annualRate, termMonths, method) => {
          const input = { monthlyIncomeFen: income, incomeShare: '0.5', annualRate, termMonths, method };
          const p = repaymentCapacityFen(input);
          const limit = income / 2; // income × 0.5, exact in binary floating point
          const ok = firstPaymentFen(method, p, annualRate, termMonths) <= limit && firstPaymentFen(method, p + 1, annualRate, termMonths) > limit;
          if (!ok) throw new Error(`not exact: P=${p} for ${JSON.stringify(input)}`);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('quoteLoan', () => {
  it('reports all four limits and the binding one', () => {
    const q = quoteLoan(base);
    expect(q.limits).toEqual({
      productCap: 600_000_00,
      balanceMultiple: 1_000_000_00, // 50,000.00 × 20
      loanToValue: 1_200_000_00, // 1,500,000.00 × 0.8
      repaymentCapacity: 1_248_940_55,
    });
    expect(q.binding).toBe('productCap');
    expect(q.maxAmountFen).toBe(600_000_00);
    expect(q.annualRate).toBe('0.026');
  });

  it('a co-borrowing spouse raises the product cap by half (half-up to the fen)', () => {
    expect(quoteLoan({ ...base, coBorrower: true }).limits.productCap).toBe(900_000_00);
    expect(quoteLoan({ ...base, productCapFen: 12_345, coBorrower: true }).limits.productCap).toBe(18_518); // 12,345 + round(6,172.5)
  });

  it('each limit can bind', () => {
    expect(quoteLoan({ ...base, combinedBalanceFen: 10_000_00 })).toMatchObject({ binding: 'balanceMultiple', maxAmountFen: 200_000_00 });
    expect(quoteLoan({ ...base, housePriceFen: 500_000_00, ltv: '0.7' })).toMatchObject({ binding: 'loanToValue', maxAmountFen: 350_000_00 });
    expect(quoteLoan({ ...base, monthlyIncomeFen: 2_000_00 })).toMatchObject({ binding: 'repaymentCapacity' });
    const q = quoteLoan({ ...base, monthlyIncomeFen: 2_000_00 });
    expect(q.maxAmountFen).toBe(q.limits.repaymentCapacity);
  });

  it('ties go to the first key in the order productCap, balanceMultiple, loanToValue, repaymentCapacity', () => {
    // balanceMultiple = 30,000.00 × 20 = 600,000.00 = productCap
    expect(quoteLoan({ ...base, combinedBalanceFen: 30_000_00 }).binding).toBe('productCap');
    // balanceMultiple = loanToValue = 400,000.00
    expect(quoteLoan({ ...base, combinedBalanceFen: 20_000_00, housePriceFen: 500_000_00 }).binding).toBe('balanceMultiple');
    // loanToValue = repaymentCapacity
    const cap = repaymentCapacityFen({ ...base, monthlyIncomeFen: 2_000_00 });
    const q = quoteLoan({ ...base, monthlyIncomeFen: 2_000_00, housePriceFen: cap * 10, ltv: '0.1' });
    expect(q.limits.loanToValue).toBe(q.limits.repaymentCapacity);
    expect(q.binding).toBe('loanToValue');
  });

  it('loan-to-value rounds half-up to the fen', () => {
    expect(quoteLoan({ ...base, housePriceFen: 5, ltv: '0.7' }).limits.loanToValue).toBe(4); // 3.5 → 4
  });

  it('rejects bad input', () => {
    expect(() => quoteLoan({ ...base, housePriceFen: -1 })).toThrow(RangeError);
    expect(() => quoteLoan({ ...base, ltv: '80%' })).toThrow(RangeError);
    expect(() => quoteLoan({ ...base, termMonths: 0 })).toThrow(RangeError);
  });
});
