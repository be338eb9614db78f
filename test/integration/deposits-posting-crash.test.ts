// A 5,000-employee remittance whose posting worker dies half way: the chunks it did not post are
// redelivered (with the ones it did post, as a duplicate delivery would) through the real queue, and
// every account ends credited exactly once, the remittance POSTED. Also: a settlement whose send was
// lost is re-driven by the sweeper.
import { describe, it, expect, afterEach } from 'vitest';
import type { SQSEvent } from 'aws-lambda';
import { call, staffToken, unitToken } from '../support/http.ts';
import { faults } from '../../shared/tx.ts';
import { send } from '../../shared/sqs.ts';
import { createLogger } from '../../shared/log.ts';
import { controlTotals, getAccounts } from '../../shared/ledger/ledger.ts';
import { openEmployees } from './deposits-bulk.ts';
import { remittancePosting } from '../../functions/deposits/queue.ts';
import { remittanceDispatch, settleRemittance, sweepRemittances } from '../../functions/deposits/usecases/remittances.ts';
import type { RemittanceChunkMessage as ChunkMessage } from '../../functions/deposits/queue.ts';
import { registerUnit, uniqueBranch, pollUntil } from '../e2e/deposits-fixtures.ts';

const originalSend = remittanceDispatch.send;
afterEach(() => {
  faults.beforeWrite = undefined;
  remittanceDispatch.send = originalSend;
});

const sqsEvent = (messages: ChunkMessage[]): SQSEvent => ({
  Records: messages.map((m, i) => ({
    messageId: `m-${m.chunkNos[0]}-${i}`,
    receiptHandle: 'r',
    body: JSON.stringify(m),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:hpf-remittance-posting',
    awsRegion: 'local',
  })),
});

describe('remittance posting survives a crash', () => {
  it('5,000 employees: the worker dies after 60 chunks; redelivery credits every account exactly once', async () => {
    const branch = uniqueBranch('X');
    const unit = await registerUnit(branch);
    const accountNos = await openEmployees(unit.unitId, branch, 5000);

    const created = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: await unitToken(unit.unitId), body: { period: '2025-06' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // 5,000 × 1,920.00 = 9,600,000.00
    expect(created.body).toMatchObject({ headcount: 5000, totalAmount: '9600000.00', status: 'AWAITING_FUNDS' });
    const remittanceId: string = created.body.remittanceId;

    // settle in-process, capturing the chunk messages instead of sending them
    const captured: ChunkMessage[] = [];
    remittanceDispatch.send = async (msgs) => void captured.push(...msgs);
    await settleRemittance({ sub: 'clerk', role: 'staff', branch }, remittanceId, { amountFen: 960_000_000, bankRef: 'BANK-5000' });
    expect(captured.flatMap((m) => m.chunkNos)).toEqual(Array.from({ length: 125 }, (_, i) => i + 1));
    expect(captured).toHaveLength(25); // 5 chunks per message

    // the worker process "dies" after 60 transactions: every later write fails
    let writes = 0;
    faults.beforeWrite = () => {
      if (++writes > 60) throw new Error('worker killed');
    };
    const result = await remittancePosting(sqsEvent(captured), {} as never);
    expect(result.batchItemFailures).toHaveLength(13); // the messages of chunks 61–125
    const halfway = await call('GET', `/v1/remittances/${remittanceId}`, { token: await staffToken(branch) });
    expect(halfway.body).toMatchObject({ status: 'POSTING', postedChunks: 60, postedCount: 2400 });
    faults.beforeWrite = undefined;

    // every message comes again through the real queue (the 60 posted ones as duplicates)
    await send('remittance-posting', ...captured.map((body) => ({ body })));
    const done = await pollUntil(async () => call('GET', `/v1/remittances/${remittanceId}`, { token: await staffToken(branch) }), (r) => r.body.status === 'POSTED', 60_000);
    expect(done.body).toMatchObject({ status: 'POSTED', postedChunks: 125, postedCount: 5000, postedAmount: '9600000.00', skippedCount: 0 });

    const accounts = await getAccounts(accountNos);
    expect(accounts.size).toBe(5000);
    const wrong = [...accounts.values()].filter((a) => a.balanceFen !== 192_000 || a.version !== 1 || a.lastPaidPeriod !== '2025-06');
    expect(wrong).toEqual([]);
    expect((await controlTotals([branch])).balanceFen).toBe(960_000_000);
  }, 120_000);

  it('a settlement whose chunk messages were lost is re-driven by the sweeper', async () => {
    const branch = uniqueBranch('S');
    const unit = await registerUnit(branch);
    const [acc] = await openEmployees(unit.unitId, branch, 1);
    const created = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: await unitToken(unit.unitId), body: { period: '2025-06' } });
    remittanceDispatch.send = async () => {}; // the send after the commit is lost
    await settleRemittance({ sub: 'clerk', role: 'staff', branch }, created.body.remittanceId, { amountFen: 192_000, bankRef: 'BANK-1' });
    remittanceDispatch.send = originalSend;
    expect((await sweepRemittances(createLogger('test'), Date.now())).redriven).toBe(0); // too recent to sweep
    expect((await sweepRemittances(createLogger('test'), Date.now() + 3 * 60_000)).redriven).toBeGreaterThanOrEqual(1);
    const done = await pollUntil(async () => call('GET', `/v1/remittances/${created.body.remittanceId}`, { token: await staffToken(branch) }), (r) => r.body.status === 'POSTED');
    expect(done.body.status).toBe('POSTED');
    expect((await getAccounts([acc])).get(acc)).toMatchObject({ balanceFen: 192_000, version: 1 });
  });
});
