// shared/pool.ts: results in the items' order, never more than n in flight, every item once.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { inPool } from '../../shared/pool.ts';

describe('inPool', () => {
  it('runs every item once, at most n at a time, and answers in the items order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(5), { maxLength: 40 }), fc.integer({ min: 1, max: 8 }), async (delays, n) => {
        let inFlight = 0;
        let peak = 0;
        const seen: number[] = [];
        const out = await inPool(delays, n, async (d, i) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, d));
          seen.push(i);
          inFlight--;
          return d * 10 + i;
        });
        expect(out).toEqual(delays.map((d, i) => d * 10 + i));
        expect(seen.sort((a, b) => a - b)).toEqual(delays.map((_d, i) => i));
        expect(peak).toBeLessThanOrEqual(Math.max(1, Math.min(n, delays.length)));
      }),
      { numRuns: 40 },
    );
  });

  it('rejects with the first failure', async () => {
    await expect(inPool([1, 2, 3], 2, async (x) => { if (x === 2) throw new Error('two'); return x; })).rejects.toThrow('two');
  });
});
