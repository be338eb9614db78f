import { describe, it, expect } from 'vitest';
import { openFundedAccount } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount, allEntries, controlTotals } from '../../shared/ledger/ledger.ts';
import { DomainError } from '../../shared/errors.ts';

describe('ledger against DynamoDB Local', () => {
  it('credits, keeps balanceAfter on every entry and refuses an overdraft without changing anything', async () => {
    const branch = `B${Date.now()}`;
    const acc = await openFundedAccount({ balanceFen: 10_000, branch });
    expect(acc.balanceFen).toBe(10_000);
    const before = await controlTotals([branch]);
    const debit = (amountFen: number) =>
      commit({
        plan: async () => {
          const account = await mustGetAccount(acc.accountNo);
          const w = ledgerWrite([{ account, postings: [{ amountFen: -amountFen, type: 'WITHDRAWAL', ref: 'T', valueDate: '2025-02-01' }] }]);
          return { items: w.items, body: w.entries[0] };
        },
      });
    await expect(debit(10_001)).rejects.toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(10_000);
    expect(await controlTotals([branch])).toEqual(before);
    const out = await debit(4_000);
    expect(out.body.balanceAfterFen).toBe(6_000);
    const entries = await allEntries(acc.accountNo);
    expect(entries.map((e) => [e.type, e.amountFen, e.balanceAfterFen])).toEqual([
      ['DEPOSIT', 10_000, 10_000],
      ['WITHDRAWAL', -4_000, 6_000],
    ]);
    const totals = await controlTotals([branch]);
    expect(totals.balanceFen).toBe(6_000);
    expect(totals.byTypeFen).toMatchObject({ DEPOSIT: 10_000, WITHDRAWAL: -4_000 });
    expect(DomainError).toBeDefined();
  });
});
