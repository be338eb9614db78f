// Tamper evidence against the local runtime: entries posted through the real flows (a unit's
// remittances over HTTP, posted by the remittance worker; a rent withdrawal paid through the bank)
// carry their account's hash chain; entries then edited or deleted straight in DynamoDB Local are
// found by the electronic audit (its real entry point, POST /v1/supervision/audit-runs) as CRITICAL
// LEDGER_CHAIN_BROKEN findings — also those the balance reconciliation cannot see — while an
// untouched account, and one whose older entries predate the chain, give none.
import { describe, it, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { allEntries, genesisHash, mustGetAccount, verifyChain } from '../../shared/ledger/ledger.ts';
import { call, ok, hire, remit, memberToken, auditorToken, registerUnit } from './life-support.ts';
import { uniqueBranch } from './deposits-fixtures.ts';
import { openFindingsOf, runAudit } from './supervision-fixtures.ts';

const entryKey = (accountNo: string, seq: number) => ({ pk: `ACC#${accountNo}`, sk: `E#${String(seq).padStart(10, '0')}` });
const ledger = () => tableName('ledger');

describe('the ledger hash chain in the electronic audit', () => {
  it('an edited or deleted entry is a CRITICAL LEDGER_CHAIN_BROKEN finding; an untouched account and one with pre-chain entries give none', { timeout: 300_000 }, async () => {
    const thisPeriod = periodOf(businessDate());
    const branch = uniqueBranch('CHAIN');
    const unit = await registerUnit(branch, { startPeriod: addMonths(thisPeriod, -4) });
    const names = ['改额', '改备注', '删中间', '删末笔', '未动', '旧账'];
    const [amountEdited, refEdited, middleDeleted, lastDeleted, untouched, legacy] = await Promise.all(names.map((n) => hire(unit.unitId, n, '8000', addMonths(thisPeriod, -4))));

    // two months through the collection flow: 1,920.00 a month each
    for (const k of [-4, -3]) await remit(unit.unitId, branch, addMonths(thisPeriod, k));
    for (const p of [amountEdited, untouched]) {
      const a = await mustGetAccount(p.accountNo);
      const entries = await allEntries(p.accountNo);
      expect(entries.map((e) => e.seq)).toEqual([1, 2]);
      expect(entries[0].prevHash).toBe(genesisHash(p.accountNo));
      expect(entries[1].prevHash).toBe(entries[0].hash);
      expect(a).toMatchObject({ version: 2, chainSeq: 2, chainHash: entries[1].hash });
    }

    // the legacy account's entries made to look as written before the chain existed: no hashes, no head
    for (const seq of [1, 2]) await ddb.send(new UpdateCommand({ TableName: ledger(), Key: entryKey(legacy.accountNo, seq), UpdateExpression: 'REMOVE #h, prevHash', ExpressionAttributeNames: { '#h': 'hash' } }));
    await ddb.send(new UpdateCommand({ TableName: ledger(), Key: { pk: `ACC#${legacy.accountNo}`, sk: 'ACCOUNT' }, UpdateExpression: 'REMOVE chainHash, chainSeq' }));

    // a third month, and a rent withdrawal (a debit through the withdrawal and bank flows)
    await remit(unit.unitId, branch, addMonths(thisPeriod, -2));
    const member = await memberToken(untouched.accountNo);
    const rent = ok(
      await call('POST', '/v1/withdrawals', {
        token: member,
        body: { accountNo: untouched.accountNo, reason: 'RENT', amount: '1500.00', payeeBankAccount: '6222020200001234567', evidence: { housingKind: 'PUBLIC_RENTAL', leaseContractNo: `GZF-${randomUUID().slice(0, 8)}`, rentReceiptNo: 'R-2026-001' } },
      }),
      201,
    );
    expect(rent.status).toBe('PAID');
    const legacyEntries = await allEntries(legacy.accountNo);
    expect(legacyEntries.map((e) => [e.seq, e.hash === undefined])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    expect(legacyEntries[2].prevHash).toBe(genesisHash(legacy.accountNo)); // the chain starts at the first hashed entry
    const untouchedEntries = await allEntries(untouched.accountNo);
    expect(untouchedEntries.at(-1)).toMatchObject({ seq: 4, type: 'WITHDRAWAL', amountFen: -150_000 });
    expect(verifyChain(await mustGetAccount(untouched.accountNo), untouchedEntries).intact).toBe(true);

    // tampering, straight in DynamoDB Local
    // 1. an amount changed (the balance reconciliation sees it too)
    await ddb.send(new UpdateCommand({ TableName: ledger(), Key: entryKey(amountEdited.accountNo, 2), UpdateExpression: 'SET amountFen = :a', ExpressionAttributeValues: { ':a': 292_000 } }));
    // 2. a field that moves no money (only the chain sees it)
    await ddb.send(new UpdateCommand({ TableName: ledger(), Key: entryKey(refEdited.accountNo, 1), UpdateExpression: 'SET #r = :r', ExpressionAttributeNames: { '#r': 'ref' }, ExpressionAttributeValues: { ':r': 'REM-FORGED' } }));
    // 3. a middle entry deleted
    await ddb.send(new DeleteCommand({ TableName: ledger(), Key: entryKey(middleDeleted.accountNo, 2) }));
    // 4. the last entry deleted and the account rolled back to match (the balance reconciliation sees nothing)
    const before = await mustGetAccount(lastDeleted.accountNo);
    await ddb.send(new DeleteCommand({ TableName: ledger(), Key: entryKey(lastDeleted.accountNo, 3) }));
    await ddb.send(new UpdateCommand({ TableName: ledger(), Key: { pk: `ACC#${lastDeleted.accountNo}`, sk: 'ACCOUNT' }, UpdateExpression: 'SET version = :v, balanceFen = :b', ExpressionAttributeValues: { ':v': 2, ':b': before.balanceFen - 192_000 } }));

    const token = await auditorToken();
    await runAudit(token, 180_000);
    const chainFinding = async (accountNo: string) => {
      const found = await openFindingsOf(token, 'LEDGER_CHAIN_BROKEN', accountNo);
      expect(found.length, accountNo).toBeLessThanOrEqual(1);
      return found[0];
    };

    expect(await chainFinding(amountEdited.accountNo)).toMatchObject({ severity: 'CRITICAL', status: 'OPEN', evidence: { problems: [{ problem: 'ALTERED', seq: 2, entryId: `${amountEdited.accountNo}-2` }], version: 3, headSeq: 3, chainStartSeq: 1 } });
    expect(await openFindingsOf(token, 'RECONCILIATION_ACCOUNT', amountEdited.accountNo)).toHaveLength(1);

    expect(await chainFinding(refEdited.accountNo)).toMatchObject({ severity: 'CRITICAL', evidence: { problems: [{ problem: 'ALTERED', seq: 1 }] } });
    expect(await openFindingsOf(token, 'RECONCILIATION_ACCOUNT', refEdited.accountNo)).toEqual([]);

    expect((await chainFinding(middleDeleted.accountNo))?.evidence.problems).toEqual([
      { problem: 'MISSING', seq: 2, throughSeq: 2 },
      { problem: 'LINK_BROKEN', seq: 3, entryId: `${middleDeleted.accountNo}-3` },
    ]);

    expect(await chainFinding(lastDeleted.accountNo)).toMatchObject({ severity: 'CRITICAL', evidence: { problems: [{ problem: 'HEAD_MISMATCH', headSeq: 3, lastHashedSeq: 2 }], version: 2 } });
    expect(await openFindingsOf(token, 'RECONCILIATION_ACCOUNT', lastDeleted.accountNo)).toEqual([]);

    for (const p of [untouched, legacy]) {
      expect(await openFindingsOf(token, 'LEDGER_CHAIN_BROKEN', p.accountNo), p.name).toEqual([]);
      expect(await openFindingsOf(token, 'RECONCILIATION_ACCOUNT', p.accountNo), p.name).toEqual([]);
    }
  });
});
