// The interest worker's pace (functions/deposits/domain/rules.ts paceDelayMs): after `done` accounts in
// `elapsedMs` a worker held to `perSecond` waits until done / perSecond seconds have passed, never less
// than 0; so a batch never settles faster than its pace, and a worker that is behind does not wait.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { paceDelayMs } from '../../functions/deposits/domain/rules.ts';

describe('interest run pace', () => {
  it('golden: 30 accounts at 300 a second take 100 ms', () => {
    expect(paceDelayMs(30, 0, 300)).toBe(100);
    expect(paceDelayMs(30, 40, 300)).toBe(60);
    expect(paceDelayMs(30, 100, 300)).toBe(0);
    expect(paceDelayMs(30, 250, 300)).toBe(0);
    expect(paceDelayMs(1, 0, 300)).toBe(4); // 3.33 ms rounded up: never faster than the pace
  });

  it('elapsed + delay is at least done / perSecond, and the delay is never more than that', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 5_000 }), (done, elapsedMs, perSecond) => {
        const wait = paceDelayMs(done, elapsedMs, perSecond);
        expect(wait).toBeGreaterThanOrEqual(0);
        expect((elapsedMs + wait) * perSecond).toBeGreaterThanOrEqual(done * 1000);
        expect(wait).toBeLessThanOrEqual(Math.ceil((done * 1000) / perSecond));
      }),
    );
  });
});
