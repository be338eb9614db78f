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

describe('a FROZEN account in the ledger', () => {
  const post = (accountNo: string, amountFen: number, changes?: Parameters<typeof ledgerWrite>[0][number]['changes']) =>
    commit({
      plan: async () => {
        const account = await mustGetAccount(accountNo);
        const w = ledgerWrite([{ account, postings: amountFen ? [{ amountFen, type: amountFen > 0 ? 'DEPOSIT' : 'WITHDRAWAL', ref: 'T', valueDate: '2025-03-01' }] : [], changes }]);
        return { items: w.items, body: w.accounts[0] };
      },
    });
  const freeze = { reason: '司法冻结', authority: '某区人民法院', documentNo: '(2025)浙0106执123号', previousStatus: 'SEALED' as const, by: 'clerk', at: '2025-03-01T00:00:00.000Z' };

  it('takes credits, refuses every debit with INVALID_STATE (before the balance check) and leaves FROZEN only by the unfreeze', async () => {
    const branch = `F${Date.now()}`;
    const acc = await openFundedAccount({ balanceFen: 10_000, branch });
    await post(acc.accountNo, 0, { status: 'SEALED' });
    const frozen = (await post(acc.accountNo, 0, { status: 'FROZEN', freeze })).body;
    expect(frozen).toMatchObject({ status: 'FROZEN', statusCode: '06', freeze });
    expect((await controlTotals([branch])).accountsByStatus).toEqual({ NORMAL: 0, SEALED: 0, FROZEN: 1 });

    expect((await post(acc.accountNo, 2_500)).body.balanceFen).toBe(12_500);
    const before = await controlTotals([branch]);
    await expect(post(acc.accountNo, -1_000)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(post(acc.accountNo, -1_000_000)).rejects.toMatchObject({ code: 'INVALID_STATE' }); // not INSUFFICIENT_BALANCE
    // a closure or a re-opening meanwhile is refused too; only clearing the freeze leaves FROZEN
    await expect(post(acc.accountNo, 0, { status: 'CLOSED', closedOn: '2025-03-02' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(post(acc.accountNo, 0, { status: 'NORMAL' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await controlTotals([branch])).toEqual(before);
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(12_500);

    const back = (await post(acc.accountNo, 0, { status: 'SEALED', freeze: null })).body;
    expect(back).toMatchObject({ status: 'SEALED', statusCode: '02' });
    expect(back.freeze).toBeUndefined();
    expect((await mustGetAccount(acc.accountNo)).freeze).toBeUndefined();
    expect((await controlTotals([branch])).accountsByStatus).toEqual({ NORMAL: 0, SEALED: 1, FROZEN: 0 });
    expect((await post(acc.accountNo, -2_500)).body.balanceFen).toBe(10_000);
  });
});
