// The interest run's transactions (functions/deposits/usecases/interest.ts transactionGroups): a page's
// accounts go by branch, at most ACCOUNTS_PER_TRANSACTION (10) a transaction or as many as asked, and
// never more items than DynamoDB takes in one (3 per account + 2 per branch + the run's counts ≤ 100),
// whatever the mix of branches.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ACCOUNTS_PER_TRANSACTION, transactionGroups } from '../../functions/deposits/usecases/interest.ts';
import type { Account } from '../../shared/ledger/ledger.ts';

const account = (accountNo: string, branch: string) => ({ accountNo, branch }) as Account;
const items = (group: readonly Account[]) => 3 * group.length + 2 * new Set(group.map((a) => a.branch)).size + 1;

describe('interest run transaction groups', () => {
  it('a page of one branch: groups of 10 (33 items each) by default, of 30 (93 items) when asked', () => {
    const page = Array.from({ length: 100 }, (_x, i) => account(`A${i}`, 'SC'));
    expect(ACCOUNTS_PER_TRANSACTION).toBe(10);
    const groups = transactionGroups(page);
    expect(groups.map((g) => g.length)).toEqual(Array(10).fill(10));
    expect(items(groups[0])).toBe(33);
    const large = transactionGroups(page, 30);
    expect(large.map((g) => g.length)).toEqual([30, 30, 30, 10]);
    expect(items(large[0])).toBe(93);
  });

  it('every account once, by branch, within the group size and 100 items, for any mix of branches and any size', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (branchOf, size) => {
        const page = branchOf.map((b, i) => account(`A${i}`, `B${String(b).padStart(2, '0')}`));
        const groups = transactionGroups(page, size);
        expect(groups.flat().map((a) => a.accountNo).sort()).toEqual(page.map((a) => a.accountNo).sort());
        for (const g of groups) {
          expect(g.length).toBeGreaterThan(0);
          expect(g.length).toBeLessThanOrEqual(size);
          expect(items(g)).toBeLessThanOrEqual(100);
        }
        // by branch: a branch's accounts are consecutive, so a branch is split only where a group is full
        const order = groups.flat().map((a) => a.branch);
        expect(order).toEqual([...order].sort());
      }),
      { numRuns: 500 },
    );
  });

  it('a page of 100 accounts over 8 branches in groups of 30: 4 transactions instead of 7, fewer than 3.3 items per account', () => {
    const page = Array.from({ length: 100 }, (_x, i) => account(`A${i}`, `B${i % 8}`));
    const groups = transactionGroups(page, 30);
    expect(groups.length).toBe(4);
    expect(groups.reduce((s, g) => s + items(g), 0) / 100).toBeLessThan(3.3);
  });
});
