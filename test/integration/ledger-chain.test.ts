// The hash chain against DynamoDB Local: concurrent writers to one account serialize on its head
// (each entry links to the one before, none twice, none lost), and a write planned on a head that
// is no longer the stored one is refused by its transaction and re-planned.
import { describe, it, expect } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { openFundedAccount } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { ddb } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { allEntries, genesisHash, ledgerWrite, mustGetAccount, verifyChain } from '../../shared/ledger/ledger.ts';

describe('the ledger hash chain in DynamoDB Local', () => {
  it('16 concurrent postings to two accounts (each transaction writes both): both chains intact, every posting once', async () => {
    const branch = `CH${Date.now()}`;
    const [a, b] = await Promise.all([openFundedAccount({ balanceFen: 1_000, branch }), openFundedAccount({ balanceFen: 1_000, branch })]);
    await Promise.all(
      Array.from({ length: 16 }, (_x, i) =>
        commit({
          plan: async () => {
            const [x, y] = await Promise.all([mustGetAccount(a.accountNo), mustGetAccount(b.accountNo)]);
            const posting = { amountFen: 100 + i, type: 'REMITTANCE' as const, ref: `C${i}`, valueDate: '2025-02-01' };
            return { items: ledgerWrite([{ account: x, postings: [posting] }, { account: y, postings: [posting] }]).items, body: null };
          },
        }),
      ),
    );
    for (const acc of [a, b]) {
      const account = await mustGetAccount(acc.accountNo);
      const entries = await allEntries(acc.accountNo, true);
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 17 }, (_x, i) => i + 1));
      expect(entries.slice(1).map((e) => e.ref).sort()).toEqual(Array.from({ length: 16 }, (_x, i) => `C${i}`).sort());
      expect(entries[0].prevHash).toBe(genesisHash(acc.accountNo));
      expect(verifyChain(account, entries)).toEqual({ intact: true, chainStartSeq: 1, hashedEntries: 17, problems: [] });
      expect(account).toMatchObject({ version: 17, chainSeq: 17, chainHash: entries[16].hash, balanceFen: 1_000 + 16 * 100 + (15 * 16) / 2 });
    }
  });

  it('a write planned on a stale head is refused by its transaction and re-planned on the stored one', async () => {
    const acc = await openFundedAccount({ balanceFen: 1_000 });
    const read = await mustGetAccount(acc.accountNo);
    // the head changed without a posting (as only a hand in the table could): version and rev still match the read
    const otherHead = genesisHash('somebody else');
    await ddb.send(new UpdateCommand({ TableName: tableName('ledger'), Key: { pk: `ACC#${acc.accountNo}`, sk: 'ACCOUNT' }, UpdateExpression: 'SET chainHash = :h', ExpressionAttributeValues: { ':h': otherHead } }));
    const attempts: number[] = [];
    await commit({
      plan: async (attempt) => {
        attempts.push(attempt);
        const account = attempt === 0 ? read : await mustGetAccount(acc.accountNo);
        return { items: ledgerWrite([{ account, postings: [{ amountFen: 5, type: 'DEPOSIT', ref: 'stale', valueDate: '2025-02-01' }] }]).items, body: null };
      },
    });
    expect(attempts).toEqual([0, 1]);
    const entries = await allEntries(acc.accountNo, true);
    expect(entries).toHaveLength(2);
    // the posting links to the head it was conditioned on: the audit then sees the break the hand made
    expect(entries[1].prevHash).toBe(otherHead);
    expect(verifyChain(await mustGetAccount(acc.accountNo), entries).problems).toEqual([{ problem: 'LINK_BROKEN', seq: 2, entryId: `${acc.accountNo}-2` }]);
  });
});
