// Supervision's pure rules: reconciliation as of the version read, the totals re-check decision,
// the per-branch totals finding, unit arrears from the last funded period, satisfaction averages,
// the archive's access decision.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { entriesAsRead, ledgerChain, reconcileAccount, reconcileTotals, totalsToRecheck, unitArrears, type AccountFacts } from '../../functions/supervision/domain/rules.ts';
import { chainEntries } from '../../shared/ledger/chain.ts';
import { satisfactionOf } from '../../functions/supervision/domain/indicators.ts';
import { canReadArchive } from '../../functions/supervision/domain/access.ts';

const account = (over: Partial<AccountFacts> = {}): AccountFacts => ({ accountNo: 'A1', status: 'NORMAL', monthlyBaseFen: 800_000, employerRatePercent: 12, employeeRatePercent: 12, kind: 'EMPLOYEE', balanceFen: 0, version: 0, entries: [], ...over });
const entry = (seq: number, amountFen: number) => ({ seq, amountFen, type: 'REMITTANCE', occurredAt: '2026-12-01T00:00:00Z', entryId: `A1-${seq}` });

describe('reconciliation', () => {
  it('counts only the entries up to the version read: a posting after the account read is no mismatch', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 20 }), fc.nat(), (amounts, cut) => {
        const version = cut % (amounts.length + 1);
        const entries = amounts.map((a, i) => entry(i + 1, a));
        const balanceFen = amounts.slice(0, version).reduce((s, a) => s + a, 0);
        expect(reconcileAccount(account({ balanceFen, version, entries }))).toEqual([]);
        expect(entriesAsRead(version, entries)).toHaveLength(version);
        // a real difference is still one
        expect(reconcileAccount(account({ balanceFen: balanceFen + 1, version, entries }))[0]).toMatchObject({ rule: 'RECONCILIATION_ACCOUNT', severity: 'CRITICAL', evidence: { differenceFen: 1 } });
      }),
    );
  });

  it('the hash chain: intact as of the version read (a later posting is not a break); an edited entry is one CRITICAL finding naming it', () => {
    const facts = [1, 2, 3].map((seq) => ({ ...entry(seq, 100), accountNo: 'A1', balanceAfterFen: 100 * seq, ref: 'R', valueDate: '2026-12-01', branch: 'SC' }));
    const chained = chainEntries('A1', {}, facts);
    const [c1, c2, c3] = chained.entries;
    const asRead = { accountNo: 'A1', version: 2, chainHash: c2.hash, chainSeq: 2 };
    expect(ledgerChain({ ...asRead, entries: [c1, c2, c3] })).toEqual([]);
    expect(ledgerChain({ ...asRead, entries: [c1, { ...c2, amountFen: 1_000 }, c3] })).toEqual([
      { rule: 'LEDGER_CHAIN_BROKEN', severity: 'CRITICAL', subject: 'A1', evidence: { problems: [{ problem: 'ALTERED', seq: 2, entryId: 'A1-2' }], problemCount: 1, version: 2, headSeq: 2, chainStartSeq: 1, hashedEntries: 2 } },
    ]);
    // the evidence names at most 20 problems, and counts them all
    const many = chainEntries('A1', {}, Array.from({ length: 30 }, (_x, i) => ({ ...entry(i + 1, 1), accountNo: 'A1' }))).entries.map((e) => ({ ...e, ref: 'edited' }));
    const found = ledgerChain({ accountNo: 'A1', version: 30, chainHash: many[29].hash, chainSeq: 30, entries: many });
    expect(found[0].evidence).toMatchObject({ problemCount: 30 });
    expect(found[0].evidence.problems).toHaveLength(20);
  });

  it('re-checks a branch whose totals moved during the scan or whose sum differs; trusts a still branch that matches', () => {
    const t = (balanceFen: number, entries: number) => ({ balanceFen, entries });
    expect(totalsToRecheck(['A', 'B', 'C', 'D'], { A: 100, B: 100, C: 90, D: 0 }, { A: t(100, 3), B: t(100, 3), C: t(100, 3) }, { A: t(100, 3), B: t(150, 4), C: t(100, 3), D: t(0, 0) })).toEqual(['B', 'C']);
  });

  it('one fund-wide finding naming the branches that differ', () => {
    expect(reconcileTotals('CITY', [{ branch: 'A', accountsSumFen: 5, controlTotalFen: 5 }])).toEqual([]);
    expect(reconcileTotals('CITY', [{ branch: 'A', accountsSumFen: 5, controlTotalFen: 5 }, { branch: 'B', accountsSumFen: 17, controlTotalFen: 10 }])).toEqual([
      { rule: 'RECONCILIATION_TOTALS', severity: 'CRITICAL', subject: 'CITY', evidence: { accountsSumFen: 17, controlTotalFen: 10, differenceFen: 7, branches: [{ branch: 'B', accountsSumFen: 17, controlTotalFen: 10, differenceFen: 7 }] } },
    ]);
  });
});

describe('unit arrears', () => {
  it('counts from the last funded period: lists created and never paid are arrears', () => {
    const u = { unitId: 'U1', startPeriod: '2026-01', currentPeriod: '2026-12', deferredPeriods: [] };
    expect(unitArrears({ ...u, lastFundedPeriod: '2026-11' }, 3)).toEqual([]);
    expect(unitArrears({ ...u, lastFundedPeriod: '2026-08' }, 3)[0].evidence).toEqual({ lastFundedPeriod: '2026-08', missingPeriods: ['2026-09', '2026-10', '2026-11'] });
    expect(unitArrears({ ...u }, 3)[0].evidence.missingPeriods).toHaveLength(11);
    expect(unitArrears({ ...u, lastFundedPeriod: '2026-08', deferredPeriods: ['2026-10'] }, 3)).toEqual([]);
  });
});

describe('satisfaction', () => {
  it('averages half-up to two decimals; null without ratings', () => {
    expect(satisfactionOf({ count: 0, scoreSum: 0 })).toEqual({ ratings: 0, average: null });
    expect(satisfactionOf({ count: 2, scoreSum: 9 })).toEqual({ ratings: 2, average: '4.50' });
    expect(satisfactionOf({ count: 3, scoreSum: 14 })).toEqual({ ratings: 3, average: '4.67' });
    expect(satisfactionOf({ count: 8, scoreSum: 9 })).toEqual({ ratings: 8, average: '1.13' }); // 1.125 → 1.13
  });
});

describe('archive access', () => {
  const owner = { branch: 'SC', accountNo: '111', accountNos: ['222'], unitId: 'U1' };
  it('auditor, staff of the branch or city, the members and the unit it names; nobody else', () => {
    expect(canReadArchive({ sub: 'a', role: 'auditor' }, owner)).toBe(true);
    expect(canReadArchive({ sub: 's', role: 'staff', branch: 'SC' }, owner)).toBe(true);
    expect(canReadArchive({ sub: 's', role: 'staff', branch: '*' }, owner)).toBe(true);
    expect(canReadArchive({ sub: 's', role: 'staff', branch: 'XH' }, owner)).toBe(false);
    expect(canReadArchive({ sub: 's', role: 'staff' }, owner)).toBe(false);
    expect(canReadArchive({ sub: 's', role: 'staff', branch: 'SC' }, { accountNo: '111' })).toBe(false);
    expect(canReadArchive({ sub: 'm', role: 'member', accountNo: '111' }, owner)).toBe(true);
    expect(canReadArchive({ sub: 'm', role: 'member', accountNo: '222' }, owner)).toBe(true);
    expect(canReadArchive({ sub: 'm', role: 'member', accountNo: '333' }, owner)).toBe(false);
    expect(canReadArchive({ sub: 'm', role: 'member' }, owner)).toBe(false);
    expect(canReadArchive({ sub: 'u', role: 'unit', unitId: 'U1' }, owner)).toBe(true);
    expect(canReadArchive({ sub: 'u', role: 'unit', unitId: 'U2' }, owner)).toBe(false);
    expect(canReadArchive({ sub: 'x', role: 'admin' }, owner)).toBe(false);
  });
});
