// Scheduled work takes its business date from the event (architecture.md), never from the wall clock.
import { describe, it, expect } from 'vitest';
import { scheduledDate } from '../../shared/schedule.ts';

describe('scheduledDate', () => {
  it('takes the date the local control passes', () => {
    expect(scheduledDate({ task: 'daily', date: '2027-03-02' })).toBe('2027-03-02');
  });
  it('takes the Asia/Shanghai day of the scheduled time EventBridge Scheduler passes', () => {
    // 2026-06-30T23:00 in Shanghai is 15:00 UTC; 2026-06-30T17:00Z is already July 1 in Shanghai
    expect(scheduledDate({ task: 'interest-settlement', scheduledTime: '2026-06-30T15:00:00Z' })).toBe('2026-06-30');
    expect(scheduledDate({ task: 'audit', scheduledTime: '2026-06-30T17:00:00Z' })).toBe('2026-07-01');
  });
  it('refuses a date that is not a calendar day', () => {
    for (const date of ['2027-02-30', '2027-13-01', '27-01-01', '2027-1-1']) expect(() => scheduledDate({ date })).toThrow(/YYYY-MM-DD/);
  });
});
