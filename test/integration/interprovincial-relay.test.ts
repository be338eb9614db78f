// The outbound relay claims a message's send before posting it (a lease in the outbox record): a
// redelivered queue message, a second worker or the sweeper's message arriving while a send is in
// flight sends nothing, so the partner gets a callback once per attempt; a refused send releases the
// claim at once, so the queue's retry sends it again. In-process against DynamoDB Local, with private
// queues (the runtime's pollers never see what is driven here).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { SQSClient, CreateQueueCommand } from '@aws-sdk/client-sqs';
import { queueEnvVar } from '../../shared/config.ts';
import { createLogger } from '../../shared/log.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { registerPartner } from '../../functions/interprovincial/usecases/partners.ts';
import { processRequest, receiveRequest } from '../../functions/interprovincial/usecases/inbound.ts';
import { deliver } from '../../functions/interprovincial/usecases/relay.ts';
import { getOutbox, nonceItem } from '../../functions/interprovincial/store.ts';

const log = createLogger('test');
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
const center = `REL${randomBytes(4).toString('hex')}`;
const secret = `secret-${randomUUID()}`;
const received: string[] = [];
const partner = { delayMs: 300, status: 200 };
let server: Server;

beforeAll(async () => {
  const tag = randomBytes(4).toString('hex');
  process.env[queueEnvVar('interprovincial-inbound')] = (await sqs.send(new CreateQueueCommand({ QueueName: `itr-${tag}-inbound.fifo`, Attributes: { FifoQueue: 'true', VisibilityTimeout: '0' } }))).QueueUrl!;
  process.env[queueEnvVar('interprovincial-outbound')] = (await sqs.send(new CreateQueueCommand({ QueueName: `itr-${tag}-outbound`, Attributes: { VisibilityTimeout: '0' } }))).QueueUrl!;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(chunks).toString('utf8'));
      setTimeout(() => res.writeHead(partner.status, { 'content-type': 'application/json' }).end('{}'), partner.delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  await registerPartner(center, { name: 'Relay partner', callbackUrl: `${base}/cb`, apiBaseUrl: base, settlementAccount: '6222020300009876543', sharedSecret: secret });
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  sqs.destroy();
});

/** A partner's balance inquiry, processed: its callback waits in the outbox. */
async function callbackWaiting(): Promise<string> {
  const a = await openFundedAccount({ balanceFen: 10_000 });
  const nowSeconds = Math.floor(Date.now() / 1000);
  const verified = { partner: { centerCode: center, name: 'x', callbackUrl: '' }, nonce: async () => nonceItem(center, randomBytes(16).toString('hex'), nowSeconds) };
  const trackingId = (await receiveRequest(verified, { requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: a.name } }, log)).body.trackingId;
  await processRequest(trackingId, log);
  expect((await getOutbox(`CB-${trackingId}`))?.status).toBe('PENDING');
  return trackingId;
}
const sentFor = (trackingId: string) => received.filter((b) => b.includes(trackingId)).length;

describe('the outbound relay sends a message once per attempt', () => {
  it('three deliveries of the same callback at once (a redelivery, the sweeper): the partner gets it once, DELIVERED', async () => {
    partner.status = 200;
    const trackingId = await callbackWaiting();
    await Promise.all([deliver(`CB-${trackingId}`, log), deliver(`CB-${trackingId}`, log), deliver(`CB-${trackingId}`, log)]);
    expect(sentFor(trackingId)).toBe(1);
    const m = await getOutbox(`CB-${trackingId}`);
    expect(m).toMatchObject({ status: 'DELIVERED' });
    expect(m).not.toHaveProperty('sendingUntil');
    await deliver(`CB-${trackingId}`, log);
    expect(sentFor(trackingId)).toBe(1);
  });

  it('a partner answering 503: the delivery throws (the queue retries) with the claim released, and the retry sends it', async () => {
    partner.status = 503;
    const trackingId = await callbackWaiting();
    await expect(deliver(`CB-${trackingId}`, log)).rejects.toThrow(/503/);
    const pending = await getOutbox(`CB-${trackingId}`);
    expect(pending).toMatchObject({ status: 'PENDING' });
    expect(pending).not.toHaveProperty('sendingUntil');
    partner.status = 200;
    await deliver(`CB-${trackingId}`, log);
    expect(sentFor(trackingId)).toBe(2);
    expect((await getOutbox(`CB-${trackingId}`))?.status).toBe('DELIVERED');
  });
});
