// Daily bank reconciliation, pure matching (functions/settlement/domain/reconcile.ts), golden cases:
// every line matched to exactly one of our movements and each of ours to a line, with the same
// direction and amount; every difference named once.
import { describe, expect, it } from 'vitest';
import { dayBefore, differenceSubject, matchStatement, type OurMovement, type StatementLineFacts } from '../../functions/settlement/domain/reconcile.ts';

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
