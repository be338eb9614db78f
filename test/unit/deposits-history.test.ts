// Pure rules of issue 13 in the deposits domain: the employment history (spells and bases by period)
// behind REGULAR and BACKPAY lists, and the account changes of a freeze and an unfreeze.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { backpayRoll, baseIn, employedIn, lastPeriodBeforeSeal, linesOf, regularRoll, withBase, withHire, withSeal, activeUnder } from '../../functions/deposits/domain/rules.ts';
import { assertMayFreeze, freezeChanges, unfreezeChanges } from '../../functions/deposits/domain/freeze.ts';
import type { Account } from '../../shared/ledger/account.ts';
import type { Employment } from '../../functions/deposits/domain/types.ts';
import { addMonths } from '../../shared/clock.ts';

const U = 'U1';
const acc = (accountNo: string, over: Partial<Account> = {}) => ({ accountNo, unitId: U, status: 'NORMAL', monthlyBaseFen: 800_000, ...over }) as Account;
const hired = (accountNo: string, startPeriod: string, monthlyBaseFen = 800_000, hiredOn = '2025-01-05') => withHire(undefined, { unitId: U, accountNo, startPeriod, hiredOn, monthlyBaseFen });
const RATES = { fromPeriod: '2025-01', employerRatePercent: 12, employeeRatePercent: 12 };

describe('employment history', () => {
  it('a seal in a month ends the spell with the month before; a re-hire opens a new spell', () => {
    expect(lastPeriodBeforeSeal('2025-06-18')).toBe('2025-05');
    expect(lastPeriodBeforeSeal('2025-01-01')).toBe('2024-12');
    let e = hired('A', '2025-01');
    e = withSeal(e, '2025-06-18');
    expect(e.stints).toEqual([{ fromPeriod: '2025-01', hiredOn: '2025-01-05', toPeriod: '2025-05', sealedOn: '2025-06-18' }]);
    expect(['2024-12', '2025-01', '2025-05', '2025-06', '2025-09'].map((p) => employedIn(e, p))).toEqual([false, true, true, false, false]);
    e = withHire(e, { unitId: U, accountNo: 'A', startPeriod: '2025-09', hiredOn: '2025-09-01', monthlyBaseFen: 900_000 });
    expect(['2025-05', '2025-06', '2025-08', '2025-09', '2030-01'].map((p) => employedIn(e, p))).toEqual([true, false, false, true, true]);
    expect([baseIn(e, '2025-03', 1), baseIn(e, '2025-10', 1)]).toEqual([800_000, 900_000]);
  });

  it('a record from before the history is one open spell from its start, at the fallback base', () => {
    const legacy: Employment = { unitId: U, accountNo: 'L', startPeriod: '2025-03', hiredOn: '2025-03-01' };
    expect([employedIn(legacy, '2025-02'), employedIn(legacy, '2025-03'), employedIn(legacy, '2040-01')]).toEqual([false, true, true]);
    expect(baseIn(legacy, '2025-04', 654_321)).toBe(654_321);
    expect(withSeal(legacy, '2025-08-01').stints).toEqual([{ fromPeriod: '2025-03', hiredOn: '2025-03-01', toPeriod: '2025-07', sealedOn: '2025-08-01' }]);
  });

  it('property: the base in force in a period is the last change from on or before it, whatever the order of adjustments', () => {
    const period = fc.integer({ min: 0, max: 60 }).map((i) => addMonths('2022-01', i));
    fc.assert(
      fc.property(fc.array(fc.tuple(period, fc.integer({ min: 200_000, max: 2_400_000 })), { minLength: 1, maxLength: 8 }), period, (changes, asked) => {
        let history = withBase([], { fromPeriod: '2022-01', monthlyBaseFen: 500_000 });
        for (const [fromPeriod, monthlyBaseFen] of changes) history = withBase(history, { fromPeriod, monthlyBaseFen });
        // model: each change replaces whatever applied from its period on
        const model = new Map<string, number>();
        for (let i = 0; i <= 60; i++) model.set(addMonths('2022-01', i), 500_000);
        for (const [from, fen] of changes) for (const p of model.keys()) if (p >= from) model.set(p, fen);
        const e: Employment = { unitId: U, accountNo: 'X', startPeriod: '2022-01', hiredOn: '2022-01-01', baseHistory: history };
        expect(baseIn(e, asked, -1)).toBe(model.get(asked));
        expect(history.map((h) => h.fromPeriod)).toEqual([...history.map((h) => h.fromPeriod)].sort());
      }),
    );
  });
});

describe('who a list holds', () => {
  const employments = new Map<string, Employment>([
    ['A', { ...hired('A', '2025-01'), baseHistory: withBase(hired('A', '2025-01').baseHistory!, { fromPeriod: '2025-04', monthlyBaseFen: 1_000_000 }) }],
    ['B', withSeal(hired('B', '2025-01', 600_000), '2025-04-10')],
    ['C', hired('C', '2025-05', 900_000)],
    ['M', withSeal(hired('M', '2025-01'), '2025-03-02')], // moved on to another unit since
    ['X', hired('X', '2025-01')], // closed (transferred out) since
  ]);
  const accounts = new Map<string, Account>([
    ['A', acc('A', { monthlyBaseFen: 1_000_000 })],
    ['B', acc('B', { status: 'SEALED', monthlyBaseFen: 600_000 })],
    ['C', acc('C', { monthlyBaseFen: 900_000 })],
    ['M', acc('M', { unitId: 'U2' })],
    ['X', acc('X', { status: 'CLOSED' })],
    ['F', acc('F', { status: 'FROZEN', freeze: { reason: 'r', authority: 'a', documentNo: 'd', previousStatus: 'NORMAL', by: 's', at: 't' } })], // no record: opened before the history
    ['G', acc('G', { status: 'FROZEN', freeze: { reason: 'r', authority: 'a', documentNo: 'd', previousStatus: 'SEALED', by: 's', at: 't' } })],
  ]);
  const roll = (r: { accountNo: string; monthlyBaseFen: number }[]) => Object.fromEntries(r.map((e) => [e.accountNo, e.monthlyBaseFen]));

  it('REGULAR: the active employees now (frozen ones too) employed in the period, at the base then', () => {
    const current = [...accounts.values()].filter((a) => a.unitId === U);
    expect(roll(regularRoll(U, '2025-06', current, employments))).toEqual({ A: 1_000_000, C: 900_000, F: 800_000 });
    expect(roll(regularRoll(U, '2025-03', current, employments))).toEqual({ A: 800_000, F: 800_000 });
    expect([activeUnder(accounts.get('F')!, U), activeUnder(accounts.get('G')!, U), activeUnder(accounts.get('M')!, U)]).toEqual([true, false, false]);
  });

  it('BACKPAY: everyone employed in the original period at the base then, sealed or moved since; not a closed account', () => {
    expect(roll(backpayRoll(U, '2025-02', accounts, employments))).toEqual({ A: 800_000, B: 600_000, M: 800_000, F: 800_000 });
    expect(roll(backpayRoll(U, '2025-03', accounts, employments))).toEqual({ A: 800_000, B: 600_000, F: 800_000 });
    expect(roll(backpayRoll(U, '2025-05', accounts, employments))).toEqual({ A: 1_000_000, C: 900_000, F: 800_000 });
  });

  it('lines are sorted by account and rounded half-up per share: 6,543.21 × 12% = 785.1852 → 785.19', () => {
    expect(linesOf([{ accountNo: 'B', monthlyBaseFen: 654_321 }, { accountNo: 'A', monthlyBaseFen: 800_000 }], RATES)).toEqual([
      { accountNo: 'A', employerFen: 96_000, employeeFen: 96_000 },
      { accountNo: 'B', employerFen: 78_519, employeeFen: 78_519 },
    ]);
  });
});

describe('freeze and unfreeze', () => {
  const order = { reason: '司法冻结', authority: '法院', documentNo: 'D-1' };
  it('city-level staff and auditors only', () => {
    expect(() => assertMayFreeze({ sub: 's', role: 'staff', branch: '*' })).not.toThrow();
    expect(() => assertMayFreeze({ sub: 'a', role: 'auditor' })).not.toThrow();
    for (const c of [{ sub: 's', role: 'staff', branch: 'SC' }, { sub: 'm', role: 'member' }, { sub: 'u', role: 'unit' }, { sub: 'x', role: 'admin' }] as const) {
      expect(() => assertMayFreeze(c)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    }
  });
  it('NORMAL or SEALED → FROZEN keeping the status to return to; CLOSED or FROZEN → 409; unfreeze returns', () => {
    expect(freezeChanges({ accountNo: 'A', status: 'SEALED' }, order, 'clerk', 'T')).toEqual({ status: 'FROZEN', freeze: { ...order, previousStatus: 'SEALED', by: 'clerk', at: 'T' } });
    for (const status of ['CLOSED', 'FROZEN'] as const) expect(() => freezeChanges({ accountNo: 'A', status }, order, 'c', 'T')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(unfreezeChanges({ accountNo: 'A', status: 'FROZEN', freeze: { ...order, previousStatus: 'SEALED', by: 'c', at: 'T' } })).toEqual({ status: 'SEALED', freeze: null });
    for (const status of ['NORMAL', 'SEALED', 'CLOSED'] as const) expect(() => unfreezeChanges({ accountNo: 'A', status })).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
  });
});
