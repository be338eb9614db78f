// Daily bank reconciliation, pure matching (functions/settlement/domain/reconcile.ts), golden cases:
// every line matched to exactly one of our movements and each of ours to a line, with the same
// direction and amount; every difference named once.
import { describe, expect, it } from 'vitest';
import { agedSince, agedSubject, agedSuspense, dayBefore, differenceSubject, matchStatement, unsettledPayments, type OurMovement, type StatementLineFacts } from '../../functions/settlement/domain/reconcile.ts';
import { PAYMENT_FINDING_DAYS, SUSPENSE_FINDING_DAYS } from '../../functions/settlement/domain/rules.ts';
import type { PaymentStatus, SuspenseStatus } from '../../functions/settlement/domain/types.ts';

const D = '2026-03-10';
const line = (lineId: string, reference: string, amountFen: number, direction: 'CREDIT' | 'DEBIT' = 'CREDIT'): StatementLineFacts => ({ lineId, direction, amountFen, reference, valueDate: D });
const notice = (id: string, amountFen: number): OurMovement => ({ kind: 'NOTICE', id, direction: 'CREDIT', amountFen });
const payment = (id: string, amountFen: number): OurMovement => ({ kind: 'PAYMENT', id, direction: 'DEBIT', amountFen });

describe('bank statement matching (银行对账)', () => {
  it('a day where every line is ours and every movement of ours has its line: no difference', () => {
    const r = matchStatement([line('L1', 'N1', 240000), line('L2', 'P1', 6660, 'DEBIT')], [notice('N1', 240000), payment('P1', 6660)]);
    expect(r.differences).toEqual([]);
    expect(r.matched.map((m) => [m.line.lineId, m.ours.id])).toEqual([['L1', 'N1'], ['L2', 'P1']]);
  });

  it('a stray line (its reference none of ours) is one UNKNOWN_LINE naming the line', () => {
    const stray = line('L9', 'NOBODY', 1234);
    const r = matchStatement([line('L1', 'N1', 240000), stray], [notice('N1', 240000)]);
    expect(r.differences).toEqual([{ kind: 'UNKNOWN_LINE', line: stray }]);
    expect(r.matched).toHaveLength(1);
    expect(differenceSubject('SIMBANK', '6222', r.differences[0]!)).toBe('SIMBANK:6222:LINE:L9');
  });

  it('a movement of ours with no line is one MISSING_LINE naming our record', () => {
    const r = matchStatement([line('L1', 'N1', 240000)], [notice('N1', 240000), payment('P1', 6660)]);
    expect(r.differences).toEqual([{ kind: 'MISSING_LINE', ours: payment('P1', 6660) }]);
    expect(differenceSubject('SIMBANK', '6222', r.differences[0]!)).toBe('PAYMENT:P1');
    expect(differenceSubject('SIMBANK', '6222', { kind: 'MISSING_LINE', ours: notice('N7', 1) })).toBe('SIMBANK:NOTICE:N7');
  });

  it('an amount mismatch is one AMOUNT_MISMATCH naming the line (with our record), not a missing line too', () => {
    const wrong = line('L1', 'N1', 239999);
    const r = matchStatement([wrong], [notice('N1', 240000)]);
    expect(r.differences).toEqual([{ kind: 'AMOUNT_MISMATCH', line: wrong, ours: notice('N1', 240000) }]);
    expect(r.matched).toEqual([]);
  });

  it('a line in the other direction is a DIRECTION_MISMATCH', () => {
    const wrong = line('L1', 'P1', 6660, 'CREDIT');
    expect(matchStatement([wrong], [payment('P1', 6660)]).differences).toEqual([{ kind: 'DIRECTION_MISMATCH', line: wrong, ours: payment('P1', 6660) }]);
  });

  it('a duplicate line: the first matches, the second is one DUPLICATE_LINE naming it', () => {
    const first = line('L1', 'N1', 240000);
    const again = line('L2', 'N1', 240000);
    const r = matchStatement([first, again], [notice('N1', 240000)]);
    expect(r.matched).toEqual([{ line: first, ours: notice('N1', 240000) }]);
    expect(r.differences).toEqual([{ kind: 'DUPLICATE_LINE', line: again, ours: notice('N1', 240000) }]);
  });

  it('an exact line is preferred over a wrong one before it: the wrong one is the duplicate', () => {
    const wrong = line('L1', 'N1', 100);
    const right = line('L2', 'N1', 240000);
    const r = matchStatement([wrong, right], [notice('N1', 240000)]);
    expect(r.matched).toEqual([{ line: right, ours: notice('N1', 240000) }]);
    expect(r.differences).toEqual([{ kind: 'DUPLICATE_LINE', line: wrong, ours: notice('N1', 240000) }]);
  });

  it('an empty statement and no movement: nothing; an empty statement: every movement missing', () => {
    expect(matchStatement([], [])).toEqual({ matched: [], differences: [] });
    expect(matchStatement([], [notice('N1', 1), payment('P1', 2)]).differences.map((d) => d.kind)).toEqual(['MISSING_LINE', 'MISSING_LINE']);
  });

  it('the schedule reconciles yesterday (month and year boundaries)', () => {
    expect(dayBefore('2026-03-01')).toBe('2026-02-28');
    expect(dayBefore('2024-03-01')).toBe('2024-02-29');
    expect(dayBefore('2026-01-01')).toBe('2025-12-31');
  });
});

// Old open items (issue 16 item 5): age in calendar days from the business date (Asia/Shanghai) an
// item began to the run's date; an item that old or older and still open is named once.
describe('old open items are findings too', () => {
  const suspense = (itemId: string, receivedAt: string, status: SuspenseStatus = 'OPEN') => ({ itemId, bankCode: 'SIMBANK', accountNo: '6222C', amountFen: 7770, status, receivedAt });
  const order = (paymentId: string, orderedAt: string, status: PaymentStatus = 'ORDERED') => ({ paymentId, bankCode: 'SIMBANK', fromAccountNo: '6222P', amountFen: 6660, status, orderedAt });

  it('the thresholds: 5 calendar days for suspense, 3 for an order without result', () => {
    expect(SUSPENSE_FINDING_DAYS).toBe(5);
    expect(PAYMENT_FINDING_DAYS).toBe(3);
    expect(agedSince('2026-03-10', 5)).toBe('2026-03-05');
    expect(agedSince('2026-03-02', 3)).toBe('2026-02-27');
  });

  it('suspense: OPEN and 5 days old or older is named (with its age); 4 days, or no longer OPEN, is not', () => {
    const items = [
      suspense('S-OLD', '2026-03-01T02:00:00.000Z'), // 03-01 in Shanghai: 9 days
      suspense('S-EDGE', '2026-03-05T15:59:59.999Z'), // 03-05 23:59:59 in Shanghai: exactly 5 days
      suspense('S-FRESH', '2026-03-05T16:00:00.000Z'), // 03-06 00:00 in Shanghai: 4 days
      suspense('S-DONE', '2026-02-01T00:00:00.000Z', 'ASSIGNED'),
      suspense('S-REFUNDING', '2026-02-01T00:00:00.000Z', 'REFUNDING'),
      suspense('S-TODAY', '2026-03-10T01:00:00.000Z'),
    ];
    expect(agedSuspense(items, D)).toEqual([
      { kind: 'AGED_SUSPENSE', id: 'S-OLD', bankCode: 'SIMBANK', accountNo: '6222C', amountFen: 7770, since: '2026-03-01', ageDays: 9 },
      { kind: 'AGED_SUSPENSE', id: 'S-EDGE', bankCode: 'SIMBANK', accountNo: '6222C', amountFen: 7770, since: '2026-03-05', ageDays: 5 },
    ]);
  });

  it('orders: ORDERED 3 days after orderedAt or more is named; 2 days, SETTLED or FAILED is not', () => {
    const orders = [
      order('P-FRI', '2026-02-27T09:00:00.000Z'), // Friday's order, Monday's run: 3 days
      order('P-SAT', '2026-02-28T09:00:00.000Z'), // 2 days
      order('P-SETTLED', '2026-02-01T00:00:00.000Z', 'SETTLED'),
      order('P-FAILED', '2026-02-01T00:00:00.000Z', 'FAILED'),
    ];
    expect(unsettledPayments(orders, '2026-03-02')).toEqual([{ kind: 'UNSETTLED_PAYMENT', id: 'P-FRI', bankCode: 'SIMBANK', accountNo: '6222P', amountFen: 6660, since: '2026-02-27', ageDays: 3 }]);
  });

  it('an item that began after the run\'s date (an auditor reconciling a past day) is not old', () => {
    expect(agedSuspense([suspense('S-LATER', '2026-03-20T00:00:00.000Z')], D)).toEqual([]);
    expect(unsettledPayments([order('P-LATER', '2026-03-20T00:00:00.000Z')], D)).toEqual([]);
  });

  it('subjects: one per item, an unsettled order not the subject of its missing line', () => {
    expect(agedSubject({ kind: 'AGED_SUSPENSE', id: 'S1' })).toBe('SUSPENSE:S1');
    expect(agedSubject({ kind: 'UNSETTLED_PAYMENT', id: 'P1' })).toBe('PAYMENT:P1:UNSETTLED');
    expect(agedSubject({ kind: 'UNSETTLED_PAYMENT', id: 'P1' })).not.toBe(differenceSubject('SIMBANK', '6222', { kind: 'MISSING_LINE', ours: payment('P1', 6660) }));
  });

  it('empty in, empty out', () => {
    expect(agedSuspense([], D)).toEqual([]);
    expect(unsettledPayments([], D)).toEqual([]);
  });
});
