// A partner's purchase withdrawal that our fraud rules send to staff review (the property was claimed
// by another account): the request stays PROCESSING with the withdrawal's id and no callback; once
// staff approve (PAID) or reject (REVIEW_REJECTED), the sweeper (the interprovincial schedule) completes
// or rejects the request, with its callback. In-process workers on private queues; the withdrawal's
// review goes through the running runtime's API.
import { describe, it, expect, beforeAll, afterAll, afterEach, vi } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { SQSClient, CreateQueueCommand } from '@aws-sdk/client-sqs';
import { queueEnvVar } from '../../shared/config.ts';
import { createLogger } from '../../shared/log.ts';
import { addDays, businessDate } from '../../shared/clock.ts';
import { mustGetAccount } from '../../shared/ledger/ledger.ts';
import { readArchive } from '../../shared/archive.ts';
import { call, memberToken, staffToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { registerPartner } from '../../functions/interprovincial/usecases/partners.ts';
import { followReview, processRequest, receiveRequest } from '../../functions/interprovincial/usecases/inbound.ts';
import { handler as scheduleHandler } from '../../functions/interprovincial/schedule.ts';
import { getOutbox, getRequest, nonceItem } from '../../functions/interprovincial/store.ts';
import type { InboundBody } from '../../functions/interprovincial/schemas.ts';

const log = createLogger('test');
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
const center = `REV${randomBytes(4).toString('hex')}`;
const branch = `RV${randomUUID().slice(0, 6)}`;

beforeAll(async () => {
  const tag = randomBytes(4).toString('hex');
  process.env[queueEnvVar('interprovincial-inbound')] = (await sqs.send(new CreateQueueCommand({ QueueName: `itr-${tag}-inbound.fifo`, Attributes: { FifoQueue: 'true', VisibilityTimeout: '0' } }))).QueueUrl!;
  process.env[queueEnvVar('interprovincial-outbound')] = (await sqs.send(new CreateQueueCommand({ QueueName: `itr-${tag}-outbound`, Attributes: { VisibilityTimeout: '0' } }))).QueueUrl!;
  await registerPartner(center, { name: 'Review partner', callbackUrl: 'http://127.0.0.1:9/cb', sharedSecret: `secret-${randomUUID()}` });
});
afterAll(() => sqs.destroy());
afterEach(() => vi.useRealTimers());

const accept = async (body: InboundBody) => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  return (await receiveRequest({ partner: { centerCode: center, name: 'x', callbackUrl: '' }, nonce: async () => nonceItem(center, randomBytes(16).toString('hex'), nowSeconds) }, body, log)).body.trackingId;
};

/** A property claimed here by one member; a second member's partner request for it goes to review. */
async function underReview() {
  const recent = addDays(businessDate(), -30);
  const cert = `ZH-${randomUUID()}`;
  const first = await openFundedAccount({ branch, balanceFen: 10_000_000 });
  const own = await call('POST', '/v1/withdrawals', { token: await memberToken(first.accountNo), body: { accountNo: first.accountNo, reason: 'PURCHASE', amount: '1000', payeeBankAccount: '6222021234567890123', evidence: { contractNo: 'HT-1', propertyCertificateNo: cert, price: '300000', purchaseDate: recent } } });
  expect(own.status, JSON.stringify(own.body)).toBe(201);
  const r = await openFundedAccount({ branch, balanceFen: 10_000_000 });
  const trackingId = await accept({ requestId: `R-${randomUUID()}`, type: 'PURCHASE_WITHDRAWAL', payload: { idNumber: r.idNumber, name: r.name, amount: '2000', contractNo: 'HT-2', propertyCertificateNo: cert, price: '300000', purchaseDate: recent } } as InboundBody);
  await processRequest(trackingId, log);
  const req = await getRequest(trackingId);
  expect(req).toMatchObject({ status: 'PROCESSING', withdrawalId: expect.any(String) });
  expect(await getOutbox(`CB-${trackingId}`)).toBeUndefined();
  return { r, trackingId, withdrawalId: req!.withdrawalId! };
}

describe('a partner\'s purchase withdrawal under staff review', () => {
  it('stays PROCESSING while under review (a redelivery changes nothing); completes with its callback once staff approve', async () => {
    const { r, trackingId, withdrawalId } = await underReview();
    await processRequest(trackingId, log);
    expect(await getRequest(trackingId)).toMatchObject({ status: 'PROCESSING', withdrawalId });
    expect(await followReview(trackingId, log)).toBe(false);
    expect((await mustGetAccount(r.accountNo)).balanceFen).toBe(10_000_000);

    const approved = await call('POST', `/v1/withdrawals/${withdrawalId}/approve`, { token: await staffToken(branch), body: { note: 'checked' } });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('PAID');
    expect(await followReview(trackingId, log)).toBe(true);
    expect(await getRequest(trackingId)).toMatchObject({ status: 'COMPLETED', result: { withdrawalId, amount: '2000.00' } });
    expect(JSON.parse((await getOutbox(`CB-${trackingId}`))!.body)).toMatchObject({ trackingId, status: 'COMPLETED', result: { withdrawalId, amount: '2000.00' } });
    expect((await mustGetAccount(r.accountNo)).balanceFen).toBe(10_000_000 - 200_000);
    expect(await followReview(trackingId, log)).toBe(false); // done once
    expect((await readArchive('INTERPROVINCIAL_REQUEST', trackingId)).map((a) => a.action)).toEqual(['RECEIVED', 'PROCESSING', 'UNDER_REVIEW', 'COMPLETED']);
  });

  it('the scheduled sweep rejects the request with the withdrawal\'s code once staff reject it', async () => {
    const { r, trackingId, withdrawalId } = await underReview();
    const rejected = await call('POST', `/v1/withdrawals/${withdrawalId}/reject`, { token: await staffToken(branch), body: { note: 'same property, another household' } });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    // the sweeper looks again once the request's next look is due
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 5 * 60_000);
    await scheduleHandler({ task: 'sweep-outbox', partner: center }, {} as never);
    vi.useRealTimers();
    expect(await getRequest(trackingId)).toMatchObject({ status: 'REJECTED', rejection: { code: 'REVIEW_REJECTED' } });
    expect(JSON.parse((await getOutbox(`CB-${trackingId}`))!.body)).toMatchObject({ trackingId, status: 'REJECTED', rejection: { code: 'REVIEW_REJECTED' } });
    expect((await mustGetAccount(r.accountNo)).balanceFen).toBe(10_000_000);
  });
});
