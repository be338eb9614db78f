import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessDate } from '../../shared/clock.ts';

const intl = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

describe('businessDate (Asia/Shanghai, UTC+8)', () => {
  it('agrees with the time-zone database for every instant from 1992 to 2100', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1992-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true }), (at) => {
        expect(businessDate(at)).toBe(intl.format(at));
      }),
      { numRuns: 20_000 },
    );
  });

  it('turns the day at 16:00 UTC', () => {
    expect(businessDate(new Date('2026-06-30T15:59:59.999Z'))).toBe('2026-06-30');
    expect(businessDate(new Date('2026-06-30T16:00:00.000Z'))).toBe('2026-07-01');
    expect(businessDate(new Date('2026-12-31T16:00:00.000Z'))).toBe('2027-01-01');
  });
});
