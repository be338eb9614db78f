// The electronic audit over HTTP against the local runtime: reconciliation catches a balance
// corrupted directly in DynamoDB Local; each rule finds exactly one finding, and still one after a
// second run.
import { describe, it, expect } from 'vitest';
import { UpdateCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { call, auditorToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { ddb } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { commit } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount } from '../../shared/ledger/ledger.ts';
import { openFindingsOf as findingsFor, runAudit } from './supervision-fixtures.ts';

describe('electronic audit', () => {
  it('reconciliation, base cap, ratio and frozen-debit rules: one finding each, still one after a second run; resolve', async () => {
    const token = await auditorToken();
    // 1. a balance corrupted directly in the store
    const corrupted = await openFundedAccount({ balanceFen: 50_000, branch: 'AUD' });
    await ddb.send(new UpdateCommand({ TableName: tableName('ledger'), Key: { pk: `ACC#${corrupted.accountNo}`, sk: 'ACCOUNT' }, UpdateExpression: 'SET balanceFen = :b', ExpressionAttributeValues: { ':b': 50_100 } }));
    // 2. a base above the cap (e.g. left over from before a policy change)
    const highBase = await openFundedAccount({ balanceFen: 1_000, branch: 'AUD' });
    await commit({ plan: async () => ({ items: ledgerWrite([{ account: await mustGetAccount(highBase.accountNo), changes: { monthlyBaseFen: 2_500_000 } }]).items, body: null }) });
    // 2b. an employer ratio outside 5–12% (the API refuses it; left over from a migration)
    const badRatio = await openFundedAccount({ balanceFen: 1_000, branch: 'AUD', unitId: 'U-AUDIT-RATIO' });
    await commit({ plan: async () => ({ items: ledgerWrite([{ account: await mustGetAccount(badRatio.accountNo), changes: { employerRatePercent: 15 } }]).items, body: null }) });
    // 3. a debit on a frozen account (the ledger refuses it, so it is planted directly)
    const frozen = await openFundedAccount({ balanceFen: 9_000, branch: 'AUD', status: 'FROZEN' });
    const acc = await mustGetAccount(frozen.accountNo);
    const later = new Date(Date.now() + 1000).toISOString();
    await ddb.send(new PutCommand({ TableName: tableName('ledger'), Item: { pk: `ACC#${acc.accountNo}`, sk: `E#${String(acc.version + 1).padStart(10, '0')}`, entryId: `${acc.accountNo}-${acc.version + 1}`, accountNo: acc.accountNo, seq: acc.version + 1, type: 'WITHDRAWAL', amountFen: -1_000, balanceAfterFen: 8_000, ref: 'planted', valueDate: '2025-06-01', occurredAt: later, branch: 'AUD' } }));
    await ddb.send(new UpdateCommand({ TableName: tableName('ledger'), Key: { pk: `ACC#${acc.accountNo}`, sk: 'ACCOUNT' }, UpdateExpression: 'SET balanceFen = :b, version = :v', ExpressionAttributeValues: { ':b': 8_000, ':v': acc.version + 1 } }));

    const first = await runAudit(token, 90_000);
    expect(first.accounts).toBeGreaterThanOrEqual(3);
    const recon = await findingsFor(token, 'RECONCILIATION_ACCOUNT', corrupted.accountNo);
    expect(recon).toHaveLength(1);
    expect(recon[0]).toMatchObject({ severity: 'CRITICAL', evidence: { balanceFen: 50_100, entriesSumFen: 50_000, differenceFen: 100 } });
    expect(await findingsFor(token, 'BASE_ABOVE_CAP', highBase.accountNo)).toHaveLength(1);
    const ratio = await findingsFor(token, 'RATIO_OUT_OF_RANGE', badRatio.accountNo);
    expect(ratio).toHaveLength(1);
    expect(ratio[0].evidence).toMatchObject({ side: 'employer', ratePercent: 15 });
    expect(await findingsFor(token, 'RATIO_OUT_OF_RANGE', highBase.accountNo)).toHaveLength(0);
    const fd = await findingsFor(token, 'FROZEN_ACCOUNT_DEBIT', frozen.accountNo);
    expect(fd).toHaveLength(1);
    expect(fd[0].evidence.debits[0]).toMatchObject({ amountFen: -1_000 });
    // the planted debit was written outside the ledger: it is not in the account's hash chain
    expect((await findingsFor(token, 'LEDGER_CHAIN_BROKEN', frozen.accountNo))[0]).toMatchObject({ severity: 'CRITICAL', evidence: { problems: [{ problem: 'UNHASHED', seq: acc.version + 1, entryId: `${acc.accountNo}-${acc.version + 1}` }] } });
    expect(await findingsFor(token, 'LEDGER_CHAIN_BROKEN', highBase.accountNo)).toHaveLength(0);
    // the corrupted balance also breaks Σ balances = control totals
    expect((await findingsFor(token, 'RECONCILIATION_TOTALS', 'CITY')).length).toBe(1);

    await runAudit(token, 90_000);
    const again = await findingsFor(token, 'RECONCILIATION_ACCOUNT', corrupted.accountNo);
    expect(again).toHaveLength(1);
    expect(again[0].findingId).toBe(recon[0].findingId);
    expect(await findingsFor(token, 'BASE_ABOVE_CAP', highBase.accountNo)).toHaveLength(1);
    expect(await findingsFor(token, 'RATIO_OUT_OF_RANGE', badRatio.accountNo)).toHaveLength(1);

    const resolved = await call('POST', `/v1/supervision/findings/${fd[0].findingId}/resolve`, { token, body: { note: '司法冻结前已受理的扣划，已核实' } });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'RESOLVED', resolution: { note: '司法冻结前已受理的扣划，已核实' } });
    expect(await findingsFor(token, 'FROZEN_ACCOUNT_DEBIT', frozen.accountNo)).toHaveLength(0);
    const twice = await call('POST', `/v1/supervision/findings/${fd[0].findingId}/resolve`, { token, body: { note: 'again' } });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('INVALID_STATE');
  }, 240_000);

  it('a bodiless POST with {} starts a run; the scheduled audit audits its event\'s date', async () => {
    const token = await auditorToken();
    const started = await call('POST', '/v1/supervision/audit-runs', { token, body: {} });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.runId).toMatch(/^AR/);
    const refused = await call('POST', '/v1/supervision/audit-runs', { token, body: { date: '2026-01-01' } });
    expect(refused.status).toBe(400);
    const { baseUrl } = await import('../support/http.ts');
    const res = await fetch(`${baseUrl()}/_local/schedules/audit-daily`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ date: '2026-11-15' }) });
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as { result: { runId: string } };
    const run = await call('GET', `/v1/supervision/audit-runs/${result.runId}`, { token });
    expect(run.status).toBe(200);
    expect(run.body.date).toBe('2026-11-15');
  });

  it('only auditors run audits and read findings', async () => {
    const { staffToken, memberToken } = await import('../support/http.ts');
    expect((await call('POST', '/v1/supervision/audit-runs', { token: await staffToken('*') })).status).toBe(403);
    expect((await call('GET', '/v1/supervision/findings', { token: await memberToken('123456789012') })).status).toBe(403);
    expect((await call('GET', '/v1/supervision/findings')).status).toBe(401);
  });
});
