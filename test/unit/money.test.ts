import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { D, fenToYuan, percentString, roundFen, YUAN_PATTERN, yuanToFen } from '../../shared/money.ts';

describe('money: fen inside, yuan strings outside', () => {
  it('golden conversions', () => {
    expect(yuanToFen('1500')).toBe(150000);
    expect(yuanToFen('1500.5')).toBe(150050);
    expect(yuanToFen('1500.50')).toBe(150050);
    expect(yuanToFen('0.01')).toBe(1);
    expect(yuanToFen('0')).toBe(0);
    expect(yuanToFen('9999999999999.99')).toBe(999999999999999);
    expect(fenToYuan(192000)).toBe('1920.00');
    expect(fenToYuan(0)).toBe('0.00');
    expect(fenToYuan(5)).toBe('0.05');
    expect(fenToYuan(-70000)).toBe('-700.00');
    expect(fenToYuan(-5)).toBe('-0.05');
  });

  it('yuanToFen refuses what the API refuses', () => {
    for (const bad of ['1e3', ' 1500', '1500 ', '-5', '+5', '1.234', '', '01', '1.', '.5', '1,500', '１５００', '10000000000000']) {
      expect(YUAN_PATTERN.test(bad)).toBe(false);
      expect(() => yuanToFen(bad)).toThrow();
    }
  });

  it('fenToYuan refuses non-integers and unsafe integers', () => {
    expect(() => fenToYuan(1.5)).toThrow();
    expect(() => fenToYuan(Number.MAX_SAFE_INTEGER + 1)).toThrow();
    expect(() => fenToYuan(Number.NaN)).toThrow();
  });

  it('property: yuanToFen(fenToYuan(n)) === n for 0 ≤ n ≤ 1e13', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e13 }), (n) => {
        const s = fenToYuan(n);
        expect(s).toMatch(/^(0|[1-9][0-9]*)\.[0-9]{2}$/);
        expect(yuanToFen(s)).toBe(n);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: negatives format as "-" + the absolute amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: -1 }), (n) => {
        expect(fenToYuan(n)).toBe(`-${fenToYuan(-n)}`);
      }),
    );
  });

  it('property: fenToYuan is exact over all safe integers', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(new D(fenToYuan(n)).times(100).toFixed(0)).toBe(String(n));
      }),
    );
  });

  it('roundFen rounds half-up (away from zero at .5)', () => {
    expect(roundFen(new D('216666.6666'))).toBe(216667);
    expect(roundFen(new D('0.5'))).toBe(1);
    expect(roundFen(new D('0.4999'))).toBe(0);
    expect(roundFen(new D('-0.5'))).toBe(-1);
    // domain.md: base 8,000.00 at 12% → 960.00
    expect(roundFen(new D(800000).times('0.12'))).toBe(96000);
  });

  it('percentString prints percentages without trailing zeros', () => {
    expect(percentString('0.12')).toBe('12');
    expect(percentString('0.026')).toBe('2.6');
    expect(percentString('0.03075')).toBe('3.075');
    expect(percentString('0.015')).toBe('1.5');
    expect(percentString(new D('0.85'))).toBe('85');
  });
});
