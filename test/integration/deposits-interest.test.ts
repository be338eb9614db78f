// Annual interest settlement (结息) through DynamoDB Local with explicit value dates, run over HTTP
// and the real interest-settlement queue. Year 2017 (July 2016 – June 2017): only accounts opened in
// the past by this test accrue in it, so the city-wide run leaves other tests' accounts alone.
import { describe, it, expect } from 'vitest';
import type { SQSEvent } from 'aws-lambda';
import { call, adminToken, auditorToken, staffToken, memberToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { allEntries, ledgerWrite, mustGetAccount, segmentOf } from '../../shared/ledger/ledger.ts';
import { interestSettlement } from '../../functions/deposits/queue.ts';
import { pollUntil, uniqueBranch } from '../e2e/deposits-fixtures.ts';

const post = (accountNo: string, amountFen: number, valueDate: string) =>
  commit({
    plan: async () => {
      const account = await mustGetAccount(accountNo);
      return { items: ledgerWrite([{ account, postings: [{ amountFen, type: amountFen > 0 ? 'DEPOSIT' : 'WITHDRAWAL', ref: 'test', valueDate }] }]).items, body: null };
    },
  });

describe('interest settlement run', () => {
  it('credits round(Σ balance·days × 1.50% / 360) once per account and year, and restarts without crediting twice', async () => {
    const branch = uniqueBranch('I');
    // 2016-07-01 +100,000.00; 2016-10-01 +50,000.00; 2017-01-01 −30,000.00
    //   10,000,000 fen × 92 days + 15,000,000 × 92 + 12,000,000 × 181 (to 2017-07-01) = 4,472,000,000 fen·days
    //   × 0.015 / 360 = 186,333.33 fen → 1,863.33
    const acc = await openFundedAccount({ balanceFen: 10_000_000, openedOn: '2016-07-01', branch });
    await post(acc.accountNo, 5_000_000, '2016-10-01');
    await post(acc.accountNo, -3_000_000, '2017-01-01');
    expect((await mustGetAccount(acc.accountNo)).accrualFenDays).toBe(2_300_000_000);
    const empty = await openFundedAccount({ openedOn: '2016-07-01', branch });

    const admin = await adminToken();
    expect((await call('POST', '/v1/interest-settlements', { token: await staffToken('*'), body: { year: 2017 } })).status).toBe(403);
    expect((await call('POST', '/v1/interest-settlements', { token: admin, body: { year: 2099 } })).body.code).toBe('POLICY_VIOLATION');
    expect((await call('POST', '/v1/interest-settlements', { token: admin, body: { year: '2017' } })).body.code).toBe('VALIDATION_FAILED');
    expect((await call('POST', '/v1/interest-settlements', { token: admin, body: { year: 2017 }, idem: false })).body.code).toBe('IDEMPOTENCY_KEY_MISSING');

    const started = await call('POST', '/v1/interest-settlements', { token: admin, body: { year: 2017 } });
    expect(started.status).toBe(202);
    const runId = started.body.runId;
    expect(runId).toEqual(expect.any(String));
    const auditor = await auditorToken();
    const done = await pollUntil(async () => call('GET', `/v1/interest-settlements/${runId}`, { token: auditor }), (r) => r.body.status !== 'RUNNING', 60_000);
    expect(done.body).toMatchObject({ status: 'COMPLETED', runId });
    expect(done.body.accounts).toBeGreaterThanOrEqual(1);
    expect(Number(done.body.totalInterest)).toBeGreaterThanOrEqual(1863.33);

    const settled = await mustGetAccount(acc.accountNo);
    expect(settled.balanceFen).toBe(12_186_333);
    const interest = (await allEntries(acc.accountNo)).filter((e) => e.type === 'INTEREST');
    expect(interest).toEqual([expect.objectContaining({ amountFen: 186_333, valueDate: '2017-07-01', entryKey: 'INTEREST-2017' })]);
    expect((await allEntries(empty.accountNo)).filter((e) => e.type === 'INTEREST')).toEqual([]);
    const statement = await call('GET', `/v1/accounts/${acc.accountNo}/entries?limit=1`, { token: await memberToken(acc.accountNo) });
    expect(statement.body.items[0]).toMatchObject({ type: 'INTEREST', amount: '1863.33', balanceAfter: '121863.33' });

    // a second request for the year is the same run; a redelivered page settles nothing again
    const again = await call('POST', '/v1/interest-settlements', { token: admin, body: { year: 2017 } });
    expect([again.status, again.body.runId]).toEqual([202, runId]);
    const page: SQSEvent = { Records: [{ messageId: 'p', receiptHandle: 'r', body: JSON.stringify({ runId, year: 2017, segment: segmentOf(acc.accountNo) }), attributes: { ApproximateReceiveCount: '2', SentTimestamp: '0', SenderId: 't', ApproximateFirstReceiveTimestamp: '0' }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn', awsRegion: 'local' }] };
    expect((await interestSettlement(page, {} as never)).batchItemFailures).toEqual([]);
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(12_186_333);
    expect((await call('GET', `/v1/interest-settlements/${runId}`, { token: admin })).body).toMatchObject({ status: 'COMPLETED', accounts: done.body.accounts, totalInterest: done.body.totalInterest });

    expect((await call('GET', `/v1/interest-settlements/${runId}`, { token: await memberToken(acc.accountNo) })).status).toBe(403);
    expect((await call('GET', '/v1/interest-settlements/INT-1999', { token: admin })).body.code).toBe('NOT_FOUND');
  }, 90_000);
});
