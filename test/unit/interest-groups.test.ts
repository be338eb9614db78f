// The interest run's transactions (functions/deposits/usecases/interest.ts transactionGroups): a page's
// accounts go by branch, at most 30 a transaction, and never more items than DynamoDB takes in one
// (3 per account + 2 per branch + the run's counts ≤ 100), whatever the mix of branches.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { transactionGroups } from '../../functions/deposits/usecases/interest.ts';
import type { Account } from '../../shared/ledger/ledger.ts';

const account = (accountNo: string, branch: string) => ({ accountNo, branch }) as Account;
const items = (group: readonly Account[]) => 3 * group.length + 2 * new Set(group.map((a) => a.branch)).size + 1;

describe('interest run transaction groups', () => {
  it('a page of one branch: groups of 30, 93 items each', () => {
    const groups = transactionGroups(Array.from({ length: 100 }, (_x, i) => account(`A${i}`, 'SC')));
    expect(groups.map((g) => g.length)).toEqual([30, 30, 30, 10]);
    expect(items(groups[0])).toBe(93);
  });

  it('every account once, by branch, within 30 accounts and 100 items, for any mix of branches', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 300 }), (branchOf) => {
        const page = branchOf.map((b, i) => account(`A${i}`, `B${String(b).padStart(2, '0')}`));
        const groups = transactionGroups(page);
        expect(groups.flat().map((a) => a.accountNo).sort()).toEqual(page.map((a) => a.accountNo).sort());
        for (const g of groups) {
          expect(g.length).toBeGreaterThan(0);
          expect(g.length).toBeLessThanOrEqual(30);
          expect(items(g)).toBeLessThanOrEqual(100);
        }
        // by branch: a branch's accounts are consecutive, so a branch is split only where a group is full
        const order = groups.flat().map((a) => a.branch);
        expect(order).toEqual([...order].sort());
      }),
      { numRuns: 500 },
    );
  });

  it('a page of 100 accounts over 8 branches: 4 transactions instead of 7, fewer than 3.3 items per account', () => {
    const page = Array.from({ length: 100 }, (_x, i) => account(`A${i}`, `B${i % 8}`));
    const groups = transactionGroups(page);
    expect(groups.length).toBe(4);
    expect(groups.reduce((s, g) => s + items(g), 0) / 100).toBeLessThan(3.3);
  });
});
