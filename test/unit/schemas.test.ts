import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as z from '../../shared/zod.ts';
import { fenToYuan, MAX_AMOUNT_FEN } from '../../shared/money.ts';
import {
  contributionRatePercent,
  creditCode,
  flexibleRatePercent,
  idempotencyKey,
  isoDate,
  pagination,
  paginationShape,
  payDay,
  period,
  positiveYuan,
  residentId,
  wholePercent,
  withdrawalReason,
  yuanAmount,
  yuanString,
} from '../../shared/schemas.ts';

const messages = (r: { success: boolean; error?: z.core.$ZodError }) => (r.error?.issues ?? []).map((i) => i.message);

describe('yuanAmount / positiveYuan (api.md money convention)', () => {
  it('accepts "1500", "1500.5", "1500.50" as integer fen', () => {
    expect(yuanAmount.parse('1500')).toBe(150000);
    expect(yuanAmount.parse('1500.5')).toBe(150050);
    expect(yuanAmount.parse('1500.50')).toBe(150050);
    expect(yuanAmount.parse('0.01')).toBe(1);
    expect(positiveYuan.parse('0.01')).toBe(1);
  });

  it('refuses JSON numbers, exponents, spaces, negatives, >2 decimals, empty — with a clear message', () => {
    for (const bad of [1500, 1500.5, '1e3', ' 1500', '1500 ', '-5', '+5', '1.234', '', '01.00', '1.', null, undefined, true, {}]) {
      const r = yuanAmount.safeParse(bad);
      expect(r.success, JSON.stringify(bad)).toBe(false);
      expect(messages(r).join(' ')).toMatch(/amount must be a string in yuan/);
      expect(positiveYuan.safeParse(bad).success).toBe(false);
    }
  });

  it('zero is accepted by yuanAmount and refused by positiveYuan', () => {
    expect(yuanAmount.parse('0')).toBe(0);
    expect(yuanAmount.parse('0.00')).toBe(0);
    for (const zero of ['0', '0.0', '0.00']) {
      const r = positiveYuan.safeParse(zero);
      expect(r.success).toBe(false);
      expect(messages(r)).toEqual(['amount must be greater than zero / 金额须大于零']);
    }
  });

  it('property: any fen amount up to the named maximum printed by fenToYuan parses back; above it, a 400', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_AMOUNT_FEN }), (n) => {
        expect(positiveYuan.parse(fenToYuan(n))).toBe(n);
        expect(yuanString.safeParse(fenToYuan(n)).success).toBe(true);
        expect(yuanString.safeParse(fenToYuan(-n)).success).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: MAX_AMOUNT_FEN + 1, max: 1e15 }), (n) => {
        expect(positiveYuan.safeParse(fenToYuan(n)).success).toBe(false);
      }),
    );
    expect(positiveYuan.parse(fenToYuan(MAX_AMOUNT_FEN))).toBe(MAX_AMOUNT_FEN);
    expect(positiveYuan.safeParse('9999999999999.99').success).toBe(false);
    for (const junk of ['abc', '9999-12-01', '', '1e5']) expect(positiveYuan.safeParse(junk).success).toBe(false);
  });

  it('works inside a strict object with a path', () => {
    const body = z.strictObject({ amount: positiveYuan });
    expect(body.parse({ amount: '700' })).toEqual({ amount: 70000 });
    const r = body.safeParse({ amount: 700 });
    expect(r.error?.issues[0].path).toEqual(['amount']);
  });
});

describe('period and isoDate', () => {
  it('period: YYYY-MM, month 01–12, year 1990–2100', () => {
    for (const ok of ['2024-01', '2024-12', '1990-01', '2100-12']) expect(period.parse(ok)).toBe(ok);
    for (const bad of ['2024-00', '2024-13', '1989-12', '2101-01', '2024-1', '202401', '2024-01-01', '', 202401]) {
      expect(period.safeParse(bad).success, String(bad)).toBe(false);
    }
  });

  it('isoDate: a real calendar date', () => {
    for (const ok of ['2024-02-29', '2025-06-30', '2000-02-29']) expect(isoDate.parse(ok)).toBe(ok);
    for (const bad of ['2023-02-29', '1900-02-29', '2025-04-31', '2025-6-30', '2025-06-30T00:00:00Z', '', null]) {
      expect(isoDate.safeParse(bad).success, String(bad)).toBe(false);
    }
    expect(messages(isoDate.safeParse('2023-02-29'))).toEqual(['not a real calendar date / 日期不存在']);
  });
});

describe('residentId and creditCode', () => {
  it('residentId accepts a valid ID and names the problem bilingually', () => {
    expect(residentId.parse('510104199001010078')).toBe('510104199001010078');
    expect(messages(residentId.safeParse('510104199001010079'))).toEqual([
      '身份证号码校验位错误 / invalid resident ID check digit',
    ]);
    expect(messages(residentId.safeParse('510104199013010078'))[0]).toMatch(/出生日期.*birth date/);
    expect(messages(residentId.safeParse('51010419900101007'))[0]).toMatch(/18位.*check character/);
    expect(residentId.safeParse(510104199001010078).success).toBe(false);
  });

  it('creditCode', () => {
    expect(creditCode.parse('91350100M000100Y43')).toBe('91350100M000100Y43');
    expect(messages(creditCode.safeParse('91350100M000100Y44'))).toEqual([
      '统一社会信用代码校验位错误 / invalid unified social credit code check character',
    ]);
    expect(creditCode.safeParse('91350100m000100y43').success).toBe(false);
    expect(creditCode.safeParse(null).success).toBe(false);
  });
});

describe('wholePercent', () => {
  const rate = wholePercent(5, 12);
  it('accepts the string form and a JSON integer, outputs a number', () => {
    expect(rate.parse('12')).toBe(12);
    expect(rate.parse('5')).toBe(5);
    expect(rate.parse(12)).toBe(12);
    expect(rate.parse(5)).toBe(5);
  });
  it('refuses out-of-range, fractions, padded or signed forms', () => {
    for (const bad of ['4', '13', 4, 13, '12.0', '12.5', 12.5, '012', '+12', ' 12', '', null, '1e1']) {
      const r = rate.safeParse(bad);
      expect(r.success, JSON.stringify(bad)).toBe(false);
      expect(messages(r).join(' ')).toMatch(/whole percent from 5 to 12/);
    }
  });
  it('policy-bound helpers', () => {
    expect(contributionRatePercent.parse('12')).toBe(12);
    expect(contributionRatePercent.safeParse('13').success).toBe(false);
    expect(flexibleRatePercent.parse('24')).toBe(24);
    expect(flexibleRatePercent.safeParse('9').success).toBe(false);
    expect(flexibleRatePercent.safeParse(25).success).toBe(false);
  });
});

describe('other helpers', () => {
  it('idempotencyKey: 1–128 of [A-Za-z0-9_.:-]', () => {
    for (const ok of ['a', 'K-1', 'abc_DEF.1:2-3', 'x'.repeat(128)]) expect(idempotencyKey.parse(ok)).toBe(ok);
    for (const bad of ['', 'x'.repeat(129), 'a b', 'a/b', 'ключ', undefined, 5]) {
      expect(idempotencyKey.safeParse(bad).success, String(bad)).toBe(false);
    }
  });

  it('payDay: integer 1–28', () => {
    expect(payDay.parse(1)).toBe(1);
    expect(payDay.parse(28)).toBe(28);
    for (const bad of [0, 29, 1.5, '5']) expect(payDay.safeParse(bad).success).toBe(false);
  });

  it('withdrawalReason', () => {
    expect(withdrawalReason.parse('RENT')).toBe('RENT');
    expect(withdrawalReason.safeParse('rent').success).toBe(false);
  });
});

describe('pagination', () => {
  it('defaults limit to 50 and converts the string', () => {
    expect(pagination.parse({})).toEqual({ limit: 50 });
    expect(pagination.parse({ limit: '1' })).toEqual({ limit: 1 });
    expect(pagination.parse({ limit: '200', cursor: 'abc' })).toEqual({ limit: 200, cursor: 'abc' });
    expect(pagination.parse({ cursor: '' }).cursor).toBeUndefined();
  });
  it('refuses limits outside 1–200 and overlong cursors', () => {
    for (const bad of ['0', '201', '-1', '1.5', '050', 'ten', '', 50]) {
      expect(pagination.safeParse({ limit: bad }).success, String(bad)).toBe(false);
    }
    expect(pagination.safeParse({ cursor: 'c'.repeat(1024) }).success).toBe(true);
    expect(pagination.safeParse({ cursor: 'c'.repeat(1025) }).success).toBe(false);
  });
  it('shape can be extended by a handler, strictly', () => {
    const q = z.strictObject({ ...paginationShape, status: z.optional(z.enum(['OPEN', 'RESOLVED'])) });
    expect(q.parse({ status: 'OPEN', limit: '10' })).toEqual({ status: 'OPEN', limit: 10 });
    expect(q.safeParse({ bogus: '1' }).success).toBe(false);
  });
});
