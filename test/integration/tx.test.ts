// The write path: effect, entries, control totals and idempotency record commit together or not at
// all; a crash at any step leaves all or nothing; concurrent duplicates produce one effect.
import { describe, it, expect, afterEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openFundedAccount } from '../support/fixtures.ts';
import { commit, faults, type IdempotencyContext } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount, allEntries, controlTotals, type Posting } from '../../shared/ledger/ledger.ts';
import { DomainError } from '../../shared/errors.ts';
import { ddb } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';

afterEach(() => {
  faults.beforeWrite = undefined;
});

const idem = (key: string, hash = 'h1'): IdempotencyContext => ({ scope: 'test', key, hash, status: 201 });

function credit(accountNo: string, amountFen: number, ctx?: IdempotencyContext, extra: Posting[] = []) {
  return commit({
    idempotency: ctx,
    plan: async () => {
      const account = await mustGetAccount(accountNo);
      const w = ledgerWrite([{ account, postings: [{ amountFen, type: 'DEPOSIT', ref: 'tx-test', valueDate: '2025-03-01' }, ...extra] }]);
      return { items: w.items, body: { balanceAfterFen: w.accounts[0].balanceFen } };
    },
  });
}

async function snapshot(accountNo: string, branch: string) {
  const account = await mustGetAccount(accountNo);
  return { balanceFen: account.balanceFen, version: account.version, entries: (await allEntries(accountNo)).length, totals: await controlTotals([branch]) };
}

describe('commit', () => {
  it('a crash before the write leaves nothing; the retry of the same key then applies once', async () => {
    const branch = `TX${randomUUID().slice(0, 8)}`;
    const acc = await openFundedAccount({ balanceFen: 1_000, branch });
    const before = await snapshot(acc.accountNo, branch);
    faults.beforeWrite = () => {
      throw new Error('crash between plan and write');
    };
    const key = randomUUID();
    await expect(credit(acc.accountNo, 500, idem(key))).rejects.toThrow('crash');
    expect(await snapshot(acc.accountNo, branch)).toEqual(before);
    const stored = await ddb.send(new GetCommand({ TableName: tableName('idempotency'), Key: { pk: `IDEM#test#${key}`, sk: 'R' } }));
    expect(stored.Item).toBeUndefined();
    faults.beforeWrite = undefined;
    const first = await credit(acc.accountNo, 500, idem(key));
    const again = await credit(acc.accountNo, 500, idem(key));
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ ...first, replayed: true });
    const after = await snapshot(acc.accountNo, branch);
    expect(after.balanceFen).toBe(1_500);
    expect(after.entries).toBe(before.entries + 1);
    expect(after.totals.balanceFen).toBe(before.totals.balanceFen + 500);
  });

  it('a transaction whose last item fails rolls back every earlier item (account, entries, totals)', async () => {
    const branch = `TX${randomUUID().slice(0, 8)}`;
    const acc = await openFundedAccount({ balanceFen: 1_000, branch });
    const before = await snapshot(acc.accountNo, branch);
    // The idempotency record is the last item of the transaction. A concurrent request with the same
    // key and another body commits between our pre-check and our write, so our last item fails.
    const ctx = idem(randomUUID());
    faults.beforeWrite = async () => {
      faults.beforeWrite = undefined;
      await credit(acc.accountNo, 1, { ...ctx, hash: 'other' }); // a concurrent request claims the key first
    };
    await expect(credit(acc.accountNo, 250, ctx)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    const after = await snapshot(acc.accountNo, branch);
    // only the concurrent 1-fen credit happened; nothing of the 250
    expect(after.balanceFen).toBe(before.balanceFen + 1);
    expect(after.entries).toBe(before.entries + 1);
    expect(after.totals.balanceFen).toBe(before.totals.balanceFen + 1);
  });

  it('a refused posting inside a multi-posting write changes nothing', async () => {
    const branch = `TX${randomUUID().slice(0, 8)}`;
    const acc = await openFundedAccount({ balanceFen: 1_000, branch });
    const before = await snapshot(acc.accountNo, branch);
    await expect(credit(acc.accountNo, 200, undefined, [{ amountFen: -5_000, type: 'WITHDRAWAL', ref: 'x', valueDate: '2025-03-01' }])).rejects.toBeInstanceOf(DomainError);
    expect(await snapshot(acc.accountNo, branch)).toEqual(before);
  });

  it('concurrent duplicates of one key produce one effect; distinct keys all apply', async () => {
    const branch = `TX${randomUUID().slice(0, 8)}`;
    const acc = await openFundedAccount({ balanceFen: 0, branch });
    const keys = Array.from({ length: 5 }, () => randomUUID());
    const results = await Promise.all(keys.flatMap((k, i) => Array.from({ length: 4 }, () => credit(acc.accountNo, 100 * (i + 1), idem(k, `hash-${i}`)))));
    expect(results.filter((r) => !r.replayed)).toHaveLength(5);
    const after = await snapshot(acc.accountNo, branch);
    expect(after.balanceFen).toBe(100 + 200 + 300 + 400 + 500);
    expect(after.entries).toBe(5);
    expect(after.totals.balanceFen).toBe(1_500);
    const entries = await allEntries(acc.accountNo);
    expect(entries.reduce((s, e) => s + e.amountFen, 0)).toBe(after.balanceFen);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a deterministic entry key posts at most once', async () => {
    const branch = `TX${randomUUID().slice(0, 8)}`;
    const acc = await openFundedAccount({ balanceFen: 0, branch });
    const once = () =>
      commit({
        maxAttempts: 3,
        plan: async () => {
          const account = await mustGetAccount(acc.accountNo);
          const w = ledgerWrite([{ account, postings: [{ amountFen: 700, type: 'DEPOSIT', ref: 'k', valueDate: '2025-03-01', entryKey: 'ONCE-1' }] }]);
          return { items: w.items, body: null };
        },
      });
    await once();
    await expect(once()).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(700);
  });
});
